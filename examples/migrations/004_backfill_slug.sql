-- Incident 4: a backfill inside the DDL transaction held its locks and pinned the xmin horizon.
BEGIN;
ALTER TABLE articles ADD COLUMN slug text;
UPDATE articles SET slug = lower(replace(title, ' ', '-'));
ALTER TABLE articles ALTER COLUMN slug SET NOT NULL;
COMMIT;
