-- The queue at the service centre: service groups, counters' groups,
-- tickets, appointments, settings, and daily figures for the statistics.

CREATE TABLE queue_groups (
    agency_code     TEXT NOT NULL REFERENCES agencies(code),
    code            TEXT NOT NULL,                 -- civil_status, certification, …
    prefix          TEXT NOT NULL,                 -- the ticket's letter: A, B, …
    name            TEXT NOT NULL,
    name_en         TEXT NOT NULL DEFAULT '',
    icon            TEXT NOT NULL DEFAULT '',      -- an icon of the kiosk's set
    procedures      TEXT NOT NULL DEFAULT '',      -- procedure codes, space-separated
    service_seconds INTEGER NOT NULL DEFAULT 600,  -- average service time until there are measurements
    position        INTEGER NOT NULL DEFAULT 0,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (agency_code, code)
);
CREATE UNIQUE INDEX queue_groups_prefix ON queue_groups (agency_code, prefix);

ALTER TABLE counters ADD COLUMN queue_groups TEXT NOT NULL DEFAULT ''; -- groups served, space-separated; empty: all
ALTER TABLE counters ADD COLUMN queue_open BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE queue_settings (
    agency_code TEXT PRIMARY KEY REFERENCES agencies(code),
    doc         TEXT NOT NULL DEFAULT '{}',        -- Settings as JSON
    normal_run  INTEGER NOT NULL DEFAULT 0,        -- normal tickets called since the last priority one (interleaved mode)
    updated_at  BIGINT NOT NULL
);

CREATE TABLE queue_tickets (
    id              TEXT PRIMARY KEY,              -- random: the phone page's address
    agency_code     TEXT NOT NULL,
    day             TEXT NOT NULL,                 -- local date of issue, YYYY-MM-DD
    group_code      TEXT NOT NULL,
    number          INTEGER NOT NULL,
    label           TEXT NOT NULL,                 -- A012
    priority        TEXT NOT NULL DEFAULT '',      -- '' or a priority class
    source          TEXT NOT NULL,                 -- kiosk, appointment, staff, api
    state           TEXT NOT NULL,                 -- waiting, called, serving, held, done, no_show, cancelled, expired
    rank_at         BIGINT NOT NULL,               -- place in line (arrival)
    callable_at     BIGINT NOT NULL,               -- not called before (an absent ticket's grace)
    appointment_at  BIGINT,                        -- booked time: ahead from then on
    appointment_id  TEXT NOT NULL DEFAULT '',
    target_counter  INTEGER,                       -- transferred to this counter only
    counter_number  INTEGER,                       -- last called at
    officer_id      TEXT NOT NULL DEFAULT '',
    officer_name    TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    first_called_at BIGINT,
    called_at       BIGINT,
    recalls         INTEGER NOT NULL DEFAULT 0,
    absences        INTEGER NOT NULL DEFAULT 0,
    started_at      BIGINT,
    finished_at     BIGINT,
    procedure_code  TEXT NOT NULL DEFAULT '',
    dossier_code    TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    notified_at     BIGINT,                        -- "three people ahead" message queued
    rev             INTEGER NOT NULL DEFAULT 1,
    UNIQUE (agency_code, day, group_code, number)
);
CREATE INDEX queue_tickets_line ON queue_tickets (agency_code, state, group_code, rank_at);
CREATE INDEX queue_tickets_counter ON queue_tickets (agency_code, counter_number, state);

CREATE TABLE queue_appointments (
    id            TEXT PRIMARY KEY,
    agency_code   TEXT NOT NULL,
    group_code    TEXT NOT NULL,
    code          TEXT NOT NULL UNIQUE,            -- the booking code typed or scanned at the kiosk
    slot_at       BIGINT NOT NULL,
    slot_minutes  INTEGER NOT NULL,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL,
    state         TEXT NOT NULL,                   -- booked, checked_in, cancelled, no_show
    ticket_id     TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    checked_in_at BIGINT
);
CREATE INDEX queue_appointments_slot ON queue_appointments (agency_code, group_code, slot_at);
CREATE INDEX queue_appointments_state ON queue_appointments (state, slot_at);

-- Daily figures by group, counter and officer (counter 0 and officer ''
-- for what belongs to the group alone, such as tickets issued), kept as
-- tickets move, so a year of statistics reads a few thousand rows.
CREATE TABLE queue_daily (
    agency_code    TEXT NOT NULL,
    day            TEXT NOT NULL,
    group_code     TEXT NOT NULL,
    counter_number INTEGER NOT NULL,
    officer_id     TEXT NOT NULL,
    officer_name   TEXT NOT NULL DEFAULT '',
    issued         INTEGER NOT NULL DEFAULT 0,
    called         INTEGER NOT NULL DEFAULT 0,
    wait_ms        BIGINT NOT NULL DEFAULT 0,      -- sum of waits to the first call
    wait_max_ms    BIGINT NOT NULL DEFAULT 0,
    served         INTEGER NOT NULL DEFAULT 0,
    service_ms     BIGINT NOT NULL DEFAULT 0,      -- sum of service times
    no_show        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agency_code, day, group_code, counter_number, officer_id)
);
CREATE INDEX queue_tickets_called ON queue_tickets (agency_code, called_at);
CREATE INDEX queue_tickets_day ON queue_tickets (agency_code, day);
