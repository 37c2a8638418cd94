-- Agencies: the commune People's Committee, its departments, partner
-- agencies (commune police, social insurance) and the province.
CREATE TABLE agencies (
    code        TEXT PRIMARY KEY,           -- electronic agency identifier (mã định danh)
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,              -- commune, department, police, social_insurance, province
    parent_code TEXT REFERENCES agencies(code),
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    doc         TEXT NOT NULL DEFAULT '{}', -- further facts (centre hours, website …) as JSON
    created_at  BIGINT NOT NULL
);

-- Villages (thôn) of a commune.
CREATE TABLE villages (
    agency_code TEXT NOT NULL REFERENCES agencies(code),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    fictitious  BOOLEAN NOT NULL DEFAULT FALSE, -- demo names not found in a public source
    PRIMARY KEY (agency_code, code)
);

-- Counters (quầy) at the service centre.
CREATE TABLE counters (
    agency_code TEXT NOT NULL REFERENCES agencies(code),
    number      INTEGER NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (agency_code, number)
);

-- Staff accounts.
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    username    TEXT NOT NULL UNIQUE,
    full_name   TEXT NOT NULL,
    roles       TEXT NOT NULL,              -- space-separated role names
    agency_code TEXT NOT NULL REFERENCES agencies(code),
    title       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    disabled    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL
);

-- Bearer tokens for scripts, kiosks and display boards. Only a SHA-256 of
-- the token is kept.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,
    agency_code TEXT NOT NULL DEFAULT '',
    counter     TEXT NOT NULL DEFAULT '',
    label       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);

-- Key/value settings an administrator may change at run time.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Official yearly holiday schedules loaded by an administrator. They override
-- the schedules shipped with motcua and the rule-based projection.
CREATE TABLE calendar_schedules (
    year      INTEGER PRIMARY KEY,
    doc       TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    loaded_by TEXT NOT NULL
);

-- The procedure catalogue: one row per procedure, one per version.
CREATE TABLE procedures (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    field      TEXT NOT NULL,
    doc        TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE procedure_versions (
    code           TEXT NOT NULL REFERENCES procedures(code),
    version        INTEGER NOT NULL,
    effective_from TEXT NOT NULL,           -- YYYY-MM-DD, Vietnam time
    effective_to   TEXT NOT NULL DEFAULT '',-- YYYY-MM-DD exclusive, '' = open
    doc            TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- Synthetic residents of the sandbox population registry (the national
-- population database cannot be reached from a commune's test machine).
CREATE TABLE sandbox_residents (
    id_number    TEXT PRIMARY KEY,
    full_name    TEXT NOT NULL,
    birth_date   TEXT NOT NULL,
    sex          TEXT NOT NULL,
    agency_code  TEXT NOT NULL,
    village_code TEXT NOT NULL,
    household_id TEXT NOT NULL,
    relation     TEXT NOT NULL,             -- relation to the household head
    phone        TEXT NOT NULL DEFAULT '',
    doc          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sandbox_residents_household ON sandbox_residents (household_id);
