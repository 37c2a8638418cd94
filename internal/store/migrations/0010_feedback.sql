-- Satisfaction and feedback (Decision 766 group 5): citizens' ratings of
-- their finished dossiers, and feedback and complaints (PAKN — phản ánh,
-- kiến nghị) with a handling deadline and the centre's answer. Also the
-- verification codes of the SMS the outbox sends, so a citizen can check a
-- message really came from the centre. Times are Unix milliseconds (UTC).

-- One rating per dossier, by the citizen the dossier is for; it may be
-- changed until editable_until, then it is frozen.
CREATE TABLE feedback_ratings (
    dossier_id     TEXT PRIMARY KEY REFERENCES dossiers(id),
    dossier_code   TEXT NOT NULL,
    agency_code    TEXT NOT NULL,                -- the dossier's receiving agency
    citizen_id     TEXT NOT NULL REFERENCES citizens(id),
    reception      INTEGER NOT NULL,             -- 1–5: receiving and guidance
    timeliness     INTEGER NOT NULL,             -- 1–5: processing time
    result         INTEGER NOT NULL,             -- 1–5: the result
    attitude       INTEGER NOT NULL,             -- 1–5: the staff's attitude
    comment        TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    editable_until BIGINT NOT NULL
);
CREATE INDEX feedback_ratings_agency ON feedback_ratings (agency_code, created_at);
CREATE INDEX feedback_ratings_citizen ON feedback_ratings (citizen_id);

-- Feedback and complaints.
CREATE TABLE feedback_petitions (
    id               TEXT PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,       -- PA-yyMMdd-NNNN, the reference given to the sender
    agency_code      TEXT NOT NULL,
    citizen_id       TEXT NOT NULL DEFAULT '',   -- '' when sent without signing in
    name             TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',   -- 0xxxxxxxxx; required when anonymous
    topic            TEXT NOT NULL,              -- procedure (quy định, TTHC), staff (cán bộ), other
    dossier_code     TEXT NOT NULL DEFAULT '',   -- the sender's dossier it is about, if any
    follows_code     TEXT NOT NULL DEFAULT '',   -- an earlier petition sent again (re-complaint)
    body             TEXT NOT NULL,
    state            TEXT NOT NULL,              -- received, answered, rejected
    received_at      BIGINT NOT NULL,
    due_at           BIGINT NOT NULL,            -- answer by (15 working days)
    reject_due_at    BIGINT NOT NULL,            -- refuse to handle by (2 working days)
    answer           TEXT NOT NULL DEFAULT '',
    answered_by      TEXT NOT NULL DEFAULT '',
    answered_by_name TEXT NOT NULL DEFAULT '',
    answered_at      BIGINT,
    reaction         TEXT NOT NULL DEFAULT '',   -- the sender's view of the answer: like, dislike
    reacted_at       BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX feedback_petitions_due ON feedback_petitions (agency_code, state, due_at);
CREATE INDEX feedback_petitions_received ON feedback_petitions (agency_code, received_at);
CREATE INDEX feedback_petitions_citizen ON feedback_petitions (citizen_id, received_at);
CREATE INDEX feedback_petitions_dossier ON feedback_petitions (dossier_code);

-- The outbox's verification codes ("Ma kiem tra: XXXX-XXXX" at the end of
-- an SMS), keyed by an HMAC secret kept here (never in the repository).
ALTER TABLE notify_messages ADD COLUMN verify_code TEXT NOT NULL DEFAULT '';
CREATE INDEX notify_messages_verify ON notify_messages (verify_code);
CREATE TABLE notify_keys (
    id         INTEGER PRIMARY KEY,
    secret     TEXT NOT NULL,                    -- hex, 32 random bytes
    created_at BIGINT NOT NULL
);
