-- The staff console at scale: finding a dossier by the applicant's name
-- typed with or without diacritics, and the newest dossiers first.
-- Codes and keys compare byte by byte ("C"), whatever the database's
-- locale, so that prefix ranges ("H56.16072." … "H56.16072/") mean the same
-- as on SQLite and are served by the indexes.
ALTER TABLE dossiers ALTER COLUMN agency_code TYPE TEXT COLLATE "C";
ALTER TABLE dossiers ADD COLUMN applicant_key TEXT COLLATE "C" NOT NULL DEFAULT ''; -- the name folded (no diacritics, lower case); filled by the engine
CREATE INDEX dossiers_applicant_key ON dossiers (applicant_key);
CREATE INDEX dossiers_submitted ON dossiers (submitted_at);
