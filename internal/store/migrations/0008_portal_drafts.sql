-- Online submissions the citizen has started on the portal and may finish
-- later: one open draft per citizen and procedure, kept 30 days after its
-- last change. The answers are JSON; the uploaded files are kept beside it
-- until the dossier is submitted (the dossier then holds its own copies).
CREATE TABLE portal_drafts (
    id             TEXT PRIMARY KEY,
    citizen_id     TEXT NOT NULL REFERENCES citizens(id),
    procedure_code TEXT NOT NULL,
    version        INTEGER NOT NULL,              -- the procedure version the questions came from
    answers        TEXT NOT NULL DEFAULT '{}',    -- answers, sources of components, what was pre-filled
    idem_key       TEXT NOT NULL,                 -- idempotency key of the submission: a retry never makes two dossiers
    dossier_code   TEXT NOT NULL DEFAULT '',      -- once submitted
    lookup_key     TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    submitted_at   BIGINT
);
CREATE UNIQUE INDEX portal_drafts_open ON portal_drafts (citizen_id, procedure_code) WHERE submitted_at IS NULL;
CREATE INDEX portal_drafts_citizen ON portal_drafts (citizen_id, updated_at);
CREATE INDEX portal_drafts_expires ON portal_drafts (expires_at);

CREATE TABLE portal_draft_files (
    id           TEXT PRIMARY KEY,
    draft_id     TEXT NOT NULL REFERENCES portal_drafts(id),
    component_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,                   -- sniffed from the content, never from the name
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX portal_draft_files_draft ON portal_draft_files (draft_id, component_id);
