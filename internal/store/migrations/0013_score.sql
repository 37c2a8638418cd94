-- The Decision 766 scorecard (vietnam-rules.md §5), maintained as dossiers
-- change: what each dossier contributes (score_facts, written in the same
-- transaction as the dossier), and daily and monthly sums of those facts
-- (score_daily) so that a province-year index reads sums, not dossiers.
-- Times are Unix milliseconds (UTC); days are Vietnam dates as yyyymmdd.

CREATE TABLE score_facts (
    dossier_id     TEXT PRIMARY KEY,
    code           TEXT NOT NULL,
    agency_code    TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    field          TEXT NOT NULL DEFAULT '',  -- lĩnh vực, from the catalogue
    channel        TEXT NOT NULL,
    status         INTEGER NOT NULL,
    imported       INTEGER NOT NULL DEFAULT 0,
    received_at    BIGINT,                    -- NULL: never received (not counted)
    recv_day       INTEGER,
    finished_at    BIGINT,                    -- end of processing (NgayKetThucXuLy)
    fin_day        INTEGER,
    due_at         BIGINT,
    late_supp_at   BIGINT,                    -- the second supplement request (counted late from then)
    late_at        BIGINT,                    -- counted late from this instant (NULL: never)
    late_day       INTEGER,                   -- day of late_at
    late_reason    TEXT NOT NULL DEFAULT '',  -- overdue, supplements
    supplements    INTEGER NOT NULL DEFAULT 0,
    completed      INTEGER NOT NULL DEFAULT 0,-- reached "processed" (9) or "returned" (10)
    done_minutes   BIGINT NOT NULL DEFAULT 0, -- working minutes received → finished, less the citizen's time
    online         INTEGER NOT NULL DEFAULT 0,-- submitted online (KenhThucHien 2)
    online_ok      INTEGER NOT NULL DEFAULT 0,-- online, with an e-result where the result is a paper document
    fee            INTEGER NOT NULL DEFAULT 0,-- a fee > 0
    paid_online    INTEGER NOT NULL DEFAULT 0,
    paper_result   INTEGER NOT NULL DEFAULT 0,
    e_result       INTEGER NOT NULL DEFAULT 0,
    digitized      INTEGER NOT NULL DEFAULT 0,
    reused         INTEGER NOT NULL DEFAULT 0,
    store_reuse    INTEGER NOT NULL DEFAULT 0,-- a component from the citizen's store on the national portal
    population     INTEGER NOT NULL DEFAULT 0 -- VNeID-authenticated or population-database data
);
CREATE INDEX score_facts_recv ON score_facts (agency_code, recv_day);
CREATE INDEX score_facts_fin ON score_facts (agency_code, fin_day);
CREATE INDEX score_facts_late ON score_facts (agency_code, late_day);

-- Sums of the facts per agency, procedure and day (yyyymmdd); day yyyymm
-- holds the whole month and sorts before the days, so a year reads twelve
-- adjacent rows per agency and procedure.
CREATE TABLE score_daily (
    agency_code    TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    day            INTEGER NOT NULL,
    received       BIGINT NOT NULL DEFAULT 0, -- by day received:
    online         BIGINT NOT NULL DEFAULT 0,
    online_ok      BIGINT NOT NULL DEFAULT 0,
    fee            BIGINT NOT NULL DEFAULT 0,
    paid_online    BIGINT NOT NULL DEFAULT 0,
    digitized      BIGINT NOT NULL DEFAULT 0,
    reused         BIGINT NOT NULL DEFAULT 0,
    store_reuse    BIGINT NOT NULL DEFAULT 0,
    population     BIGINT NOT NULL DEFAULT 0,
    finished       BIGINT NOT NULL DEFAULT 0, -- by day finished:
    late_finished  BIGINT NOT NULL DEFAULT 0,
    completed      BIGINT NOT NULL DEFAULT 0,
    done_minutes   BIGINT NOT NULL DEFAULT 0,
    done_paper     BIGINT NOT NULL DEFAULT 0,
    done_eresult   BIGINT NOT NULL DEFAULT 0,
    late_start     BIGINT NOT NULL DEFAULT 0, -- by the day it became late
    PRIMARY KEY (agency_code, day, procedure_code)
);
-- Every column, so that an index reads the index alone (on SQLite a text
-- primary key is a separate index, and each row looked up in the table
-- would cost a page read).
CREATE INDEX score_daily_cover ON score_daily (agency_code, day, procedure_code, received, online, online_ok, fee, paid_online,
    digitized, reused, store_reuse, population, finished, late_finished, completed, done_minutes, done_paper, done_eresult, late_start);

-- Set when the facts were last rebuilt from the dossiers; a database
-- migrated with dossiers already in it is rebuilt once at start.
CREATE TABLE score_meta (
    id         INTEGER PRIMARY KEY,
    rebuilt_at BIGINT NOT NULL
);

-- The satisfaction figures (feedback) read dossiers finished in a period.
CREATE INDEX dossiers_agency_finished ON dossiers (agency_code, finished_at);
