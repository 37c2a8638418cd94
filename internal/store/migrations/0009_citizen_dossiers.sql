-- The citizen portal's "My dossiers": a citizen's dossiers by their personal
-- ID number, newest first, a page at a time. The single-column index of
-- 0002 finds them but leaves them to be sorted; this one returns them in
-- order, so the first page reads only its own rows however many dossiers
-- the database holds. It replaces the single-column one (its prefix).
CREATE INDEX dossiers_applicant_submitted ON dossiers (applicant_id, submitted_at, code);
DROP INDEX dossiers_applicant;
