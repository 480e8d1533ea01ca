-- Build the replacement first, outside a transaction, removing a leftover INVALID index of an interrupted earlier run;
-- drop the old one only once the new one is valid
-- (SELECT indisvalid FROM pg_index WHERE indexrelid = 'articles_author_published_idx'::regclass), in a later migration.
SET lock_timeout = '2s';
DROP INDEX CONCURRENTLY IF EXISTS articles_author_published_idx;
CREATE INDEX CONCURRENTLY articles_author_published_idx ON articles (published_at, author_id);
