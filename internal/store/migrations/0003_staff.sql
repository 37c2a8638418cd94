-- Staff sign-in: passwords, second factor, lock-out, sessions, and the log
-- of every sign-in attempt.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until BIGINT;
ALTER TABLE users ADD COLUMN last_totp_step BIGINT NOT NULL DEFAULT 0; -- a code is accepted once
ALTER TABLE users ADD COLUMN counter_number INTEGER;                   -- the counter an officer sits at
ALTER TABLE users ADD COLUMN department TEXT NOT NULL DEFAULT '';

CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,               -- SHA-256 of the cookie value
    user_id     TEXT NOT NULL REFERENCES users(id),
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,                -- absolute end of the session
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT '',
    revoked_at  BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE sign_ins (
    id         TEXT PRIMARY KEY,
    at         BIGINT NOT NULL,
    username   TEXT NOT NULL,
    user_id    TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL,                   -- ok, bad_password, bad_code, locked, unknown_user, disabled
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sign_ins_at ON sign_ins (at);

-- Files attached to dossiers: scans at the counter, uploads online, results.
CREATE TABLE dossier_files (
    id           TEXT PRIMARY KEY,
    dossier_id   TEXT NOT NULL REFERENCES dossiers(id),
    component_id TEXT NOT NULL,                 -- '' for the result
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,                 -- sniffed, never taken from the name
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_at  BIGINT NOT NULL,
    uploaded_by  TEXT NOT NULL
);
CREATE INDEX dossier_files_dossier ON dossier_files (dossier_id);

-- Which catalogue procedures a centre serves (all, when it lists none).
CREATE TABLE served_procedures (
    agency_code    TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    PRIMARY KEY (agency_code, procedure_code)
);
