-- Commit the schema change on its own (a nullable column: no rewrite, no scan), with a lock timeout. Backfill later in
-- batches outside any DDL transaction, once nothing pins the xmin horizon; add NOT NULL via CHECK … NOT VALID + VALIDATE.
SET lock_timeout = '2s';
SET statement_timeout = '5s';
ALTER TABLE articles ADD COLUMN IF NOT EXISTS slug text;
