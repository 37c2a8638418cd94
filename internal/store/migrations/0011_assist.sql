-- Assisted mode: community digital-technology teams (tổ công nghệ số cộng
-- đồng, one per village) and their members, the citizens' consents to be
-- helped, and the log of every assistance.
CREATE TABLE assist_teams (
    id           TEXT PRIMARY KEY,
    agency_code  TEXT NOT NULL,
    village_code TEXT NOT NULL,
    name         TEXT NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (agency_code, village_code),
    FOREIGN KEY (agency_code, village_code) REFERENCES villages (agency_code, code)
);

CREATE TABLE assist_members (
    id           TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES assist_teams (id),
    full_name    TEXT NOT NULL,
    phone        TEXT NOT NULL UNIQUE,          -- 0xxxxxxxxx; also the sign-in name
    role         TEXT NOT NULL,                 -- leader (tổ trưởng) or member (thành viên)
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    code_hash    TEXT NOT NULL DEFAULT '',      -- SHA-256 of the personal access code ('' = none issued)
    code_expires BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX assist_members_team ON assist_members (team_id);

-- A member's sign-in on the volunteer pages (/ho-tro-cong-dong/).
CREATE TABLE assist_member_sessions (
    id_hash     TEXT PRIMARY KEY,               -- SHA-256 of the cookie value
    member_id   TEXT NOT NULL REFERENCES assist_members (id),
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX assist_member_sessions_member ON assist_member_sessions (member_id);

-- A citizen's consent to be helped: by a one-time code sent to their phone,
-- or by a signed paper recorded at the counter.
CREATE TABLE assist_consents (
    id             TEXT PRIMARY KEY,
    id_number      TEXT NOT NULL,               -- the citizen's personal ID number
    full_name      TEXT NOT NULL,
    birth_date     TEXT NOT NULL DEFAULT '',
    registry_phone TEXT NOT NULL DEFAULT '',    -- the phone the population data holds
    phone          TEXT NOT NULL DEFAULT '',    -- where the code was sent
    phone_typed    BOOLEAN NOT NULL DEFAULT FALSE,
    helper_kind    TEXT NOT NULL,               -- staff or member
    helper_id      TEXT NOT NULL,
    helper_name    TEXT NOT NULL,
    agency_code    TEXT NOT NULL DEFAULT '',
    method         TEXT NOT NULL DEFAULT '',    -- sms or paper
    scope          TEXT NOT NULL DEFAULT '',    -- procedure or all
    procedure_code TEXT NOT NULL DEFAULT '',
    id_verified    BOOLEAN NOT NULL DEFAULT FALSE, -- the officer checked the chip ID card in person
    level          INTEGER NOT NULL DEFAULT 1,  -- e-ID level of the sessions it opens
    state          TEXT NOT NULL,               -- draft, pending, active, failed, revoked
    code_hash      TEXT NOT NULL DEFAULT '',
    code_expires   BIGINT NOT NULL DEFAULT 0,
    code_tries     INTEGER NOT NULL DEFAULT 0,
    codes_sent     INTEGER NOT NULL DEFAULT 0,
    paper_ref      TEXT NOT NULL DEFAULT '',
    scan_type      TEXT NOT NULL DEFAULT '',    -- sniffed content type of the scanned form
    scan_sha256    TEXT NOT NULL DEFAULT '',
    scan           BLOB,
    created_at     BIGINT NOT NULL,
    consented_at   BIGINT,
    expires_at     BIGINT NOT NULL,             -- of the draft until given, then of the consent
    revoked_at     BIGINT,
    revoked_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assist_consents_citizen ON assist_consents (id_number, created_at);
CREATE INDEX assist_consents_helper ON assist_consents (helper_kind, helper_id, created_at);

-- What happened under each consent, as the citizen reads it.
CREATE TABLE assist_log (
    seq          BIGINT PRIMARY KEY,            -- order of events (writes are serialised)
    consent_id   TEXT NOT NULL REFERENCES assist_consents (id),
    id_number    TEXT NOT NULL,
    at           BIGINT NOT NULL,
    action       TEXT NOT NULL,                 -- consent.started, code.sent, code.wrong, consent.given, consent.failed, session.opened, session.ended, dossier.submitted, consent.revoked
    actor        TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assist_log_consent ON assist_log (consent_id, at);
CREATE INDEX assist_log_citizen ON assist_log (id_number, at);

-- Dossiers submitted in an assisted session: who helped whom.
CREATE TABLE assist_dossiers (
    dossier_code   TEXT PRIMARY KEY,
    consent_id     TEXT NOT NULL REFERENCES assist_consents (id),
    id_number      TEXT NOT NULL,
    helper_kind    TEXT NOT NULL,
    helper_id      TEXT NOT NULL,
    helper_name    TEXT NOT NULL,
    procedure_code TEXT NOT NULL DEFAULT '',
    at             BIGINT NOT NULL
);
CREATE INDEX assist_dossiers_consent ON assist_dossiers (consent_id);
