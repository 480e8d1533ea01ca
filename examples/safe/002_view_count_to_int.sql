-- Keep the bigint column: narrowing it rewrites the table under ACCESS EXCLUSIVE. If a new type is really needed,
-- add a column, backfill it in batches, and swap in a later release. What this file can safely do today:
SET lock_timeout = '2s';
SET statement_timeout = '5s';
ALTER TABLE articles ADD COLUMN view_count_int integer;
