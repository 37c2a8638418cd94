-- The commune's digital-transformation dashboard: figures officers enter
-- (or import from a spreadsheet) with their source and date, every entry
-- kept so the trend can be drawn; the targets they set; and spreadsheet
-- imports waiting for confirmation.
CREATE TABLE dx_entries (
    id           TEXT PRIMARY KEY,
    seq          BIGINT NOT NULL UNIQUE,        -- order of entry (writes are serialised): the last of a date stands
    agency_code  TEXT NOT NULL,
    indicator    TEXT NOT NULL,                 -- key of the indicator (internal/dx)
    as_of        TEXT NOT NULL,                 -- yyyy-mm-dd: the date the figure describes
    value        DOUBLE PRECISION NOT NULL,     -- a percentage (0–100) or a count
    numerator    BIGINT,                        -- with denominator: e.g. 27926 of 31920 adults
    denominator  BIGINT,
    source       TEXT NOT NULL,                 -- where the figure comes from (report, system, survey)
    note         TEXT NOT NULL DEFAULT '',
    import_id    TEXT NOT NULL DEFAULT '',      -- the spreadsheet import it came with, if any
    entered_by   TEXT NOT NULL,
    entered_name TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX dx_entries_indicator ON dx_entries (agency_code, indicator, as_of);

-- A commune's own target for an indicator (else the default target).
CREATE TABLE dx_targets (
    agency_code TEXT NOT NULL,
    indicator   TEXT NOT NULL,
    target      DOUBLE PRECISION NOT NULL,
    source      TEXT NOT NULL,                  -- the decision or plan that sets it
    set_by      TEXT NOT NULL,
    set_name    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (agency_code, indicator)
);

-- A spreadsheet read and shown for confirmation; its rows are written
-- only on confirmation, all together, and only if none has an error.
CREATE TABLE dx_imports (
    id           TEXT PRIMARY KEY,
    agency_code  TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    rows         TEXT NOT NULL,                 -- JSON: the parsed rows with their errors
    errors       INTEGER NOT NULL,
    state        TEXT NOT NULL,                 -- pending, confirmed
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT
);
