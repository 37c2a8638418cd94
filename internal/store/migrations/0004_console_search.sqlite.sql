-- The staff console at scale: finding a dossier by the applicant's name
-- typed with or without diacritics, and the newest dossiers first.
ALTER TABLE dossiers ADD COLUMN applicant_key TEXT NOT NULL DEFAULT ''; -- the name folded (no diacritics, lower case); filled by the engine
CREATE INDEX dossiers_applicant_key ON dossiers (applicant_key);
CREATE INDEX dossiers_submitted ON dossiers (submitted_at);
