-- Citizens who sign in to the portal with their e-ID, and their sessions.
-- A citizen is known by the identity provider's subject; the personal ID
-- number (12 digits) is what the population database and dossiers use.
CREATE TABLE citizens (
    id          TEXT PRIMARY KEY,
    issuer      TEXT NOT NULL,                  -- the e-ID provider (its issuer URL)
    subject     TEXT NOT NULL,                  -- the provider's stable id of the person
    id_number   TEXT NOT NULL,                  -- số định danh cá nhân
    full_name   TEXT NOT NULL,
    birth_date  TEXT NOT NULL DEFAULT '',       -- YYYY-MM-DD
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    level       INTEGER NOT NULL DEFAULT 1,     -- e-ID assurance level at the last sign-in (1 or 2)
    created_at  BIGINT NOT NULL,
    last_login  BIGINT NOT NULL,
    UNIQUE (issuer, subject)
);
CREATE INDEX citizens_id_number ON citizens (id_number);

CREATE TABLE citizen_sessions (
    id_hash     TEXT PRIMARY KEY,               -- SHA-256 of the cookie value
    citizen_id  TEXT NOT NULL REFERENCES citizens(id),
    csrf_token  TEXT NOT NULL,
    level       INTEGER NOT NULL,               -- assurance level of this sign-in
    assisted_by TEXT NOT NULL DEFAULT '',       -- staff user or volunteer acting with consent ('' = the citizen)
    assist_id   TEXT NOT NULL DEFAULT '',       -- the recorded consent
    created_at  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX citizen_sessions_citizen ON citizen_sessions (citizen_id);
