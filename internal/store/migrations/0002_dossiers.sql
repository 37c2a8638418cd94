-- The one-stop dossier engine.

-- Dossiers (hồ sơ). Times are Unix milliseconds (UTC).
CREATE TABLE dossiers (
    id                TEXT PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,      -- {agency}-{yyMMdd}-{daily sequence}
    agency_code       TEXT NOT NULL,             -- receiving agency
    procedure_code    TEXT NOT NULL,
    procedure_version INTEGER NOT NULL,          -- 0 for imported dossiers of unknown versions
    procedure_name    TEXT NOT NULL,
    channel           TEXT NOT NULL,             -- in_person, online, post
    state             TEXT NOT NULL,             -- workflow state, or a lifecycle state
    status            INTEGER NOT NULL,          -- national status 1–10
    applicant_name    TEXT NOT NULL,
    applicant_id      TEXT NOT NULL DEFAULT '',  -- personal ID number or tax code
    applicant_phone   TEXT NOT NULL DEFAULT '',
    applicant_doc     TEXT NOT NULL DEFAULT '{}',-- address, e-mail, kind
    form              TEXT NOT NULL DEFAULT '{}',-- e-form answers
    lookup_key        TEXT NOT NULL,             -- printed on the receipt; with the code it opens the public status page
    submitted_at      BIGINT NOT NULL,           -- NgayNopHoSo
    received_at       BIGINT,                    -- NgayTiepNhan
    due_at            BIGINT,                    -- NgayHenTra (after an apology: the new date)
    original_due_at   BIGINT,                    -- the first promised date
    step_roles        TEXT NOT NULL DEFAULT '',  -- roles that act in the current state, space-separated (inboxes)
    transferred_at    BIGINT,                    -- first hand-off from the desk to the processing officer
    step_started_at   BIGINT,
    step_due_at       BIGINT,
    finished_at       BIGINT,                    -- NgayKetThucXuLy
    returned_at       BIGINT,
    assignee_id       TEXT NOT NULL DEFAULT '',
    assignee_name     TEXT NOT NULL DEFAULT '',
    resume_state      TEXT NOT NULL DEFAULT '',  -- where a paused dossier goes back to
    paused_at         BIGINT,
    paused_minutes    INTEGER NOT NULL DEFAULT 0,-- working minutes waited for the citizen
    supplement_count  INTEGER NOT NULL DEFAULT 0,
    supplement_by     TEXT NOT NULL DEFAULT '',  -- agency kinds that requested a supplement, space-separated
    counts_late       BOOLEAN NOT NULL DEFAULT FALSE, -- more than one supplement request
    apologized_at     BIGINT,
    fee               BIGINT NOT NULL DEFAULT 0,
    paid_at           BIGINT,
    paid_online       BOOLEAN NOT NULL DEFAULT FALSE,
    reused            INTEGER NOT NULL DEFAULT 0,-- components taken from a database or the citizen's store
    population_data   BOOLEAN NOT NULL DEFAULT FALSE,
    vneid             BOOLEAN NOT NULL DEFAULT FALSE,
    digitized         BOOLEAN NOT NULL DEFAULT FALSE,
    result_doc        TEXT NOT NULL DEFAULT '{}',
    due_soon_at       BIGINT,                    -- when the deadline watch marked it due soon
    overdue_at        BIGINT,                    -- when it marked it overdue
    imported          BOOLEAN NOT NULL DEFAULT FALSE,
    rev               INTEGER NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX dossiers_agency_received ON dossiers (agency_code, received_at);
CREATE INDEX dossiers_agency_submitted ON dossiers (agency_code, submitted_at);
CREATE INDEX dossiers_open_due ON dossiers (status, due_at);
CREATE INDEX dossiers_state ON dossiers (agency_code, state);
CREATE INDEX dossiers_applicant ON dossiers (applicant_id);

-- The components of each dossier, for queries and indicators.
CREATE TABLE dossier_components (
    dossier_id   TEXT NOT NULL REFERENCES dossiers(id),
    component_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    form         TEXT NOT NULL,
    count        INTEGER NOT NULL,
    provided     BOOLEAN NOT NULL,
    source       TEXT NOT NULL,                  -- paper, upload, population_db, civil_status_db, document_store
    files        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dossier_id, component_id)
);

-- Every transition: the control slip (phiếu kiểm soát) and the register are
-- rendered from it.
CREATE TABLE dossier_history (
    dossier_id  TEXT NOT NULL REFERENCES dossiers(id),
    seq         INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    from_status INTEGER NOT NULL,
    to_status   INTEGER NOT NULL,
    step_due_at BIGINT,                          -- the deadline of the step being left
    outcome     TEXT NOT NULL DEFAULT '',        -- early, on_time, late
    comment     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (dossier_id, seq)
);
CREATE INDEX dossier_history_at ON dossier_history (at);

-- Daily dossier sequence per receiving agency: gap-free because it is
-- incremented in the dossier's own transaction.
CREATE TABLE dossier_sequences (
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,                   -- yyMMdd, Vietnam
    last        INTEGER NOT NULL,
    PRIMARY KEY (agency_code, day)
);

-- Idempotency keys of client retries.
CREATE TABLE idempotency_keys (
    key        TEXT PRIMARY KEY,                 -- principal + client key
    dossier_id TEXT NOT NULL,
    request    TEXT NOT NULL,                    -- SHA-256 of the request, to refuse a reused key with another body
    created_at BIGINT NOT NULL
);

-- Events raised by the deadline watch and the engine, delivered to staff
-- inboxes and (later) by SMS. A unique key stops an event firing twice.
CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    event_key   TEXT NOT NULL UNIQUE,
    dossier_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,                   -- due_soon, overdue, apology_needed
    recipient   TEXT NOT NULL,                   -- a user id, or role:<role>@<agency>
    message     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT
);
CREATE INDEX notifications_recipient ON notifications (recipient, created_at);

-- The append-only, hash-chained audit log.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- The head of the chain, so that removing the newest entries is noticed.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- Signing keys for receipts and results (Ed25519).
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    active      BOOLEAN NOT NULL
);

-- Staff can act as a user through a token.
ALTER TABLE api_tokens ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
