-- Build the replacement first, outside a transaction; drop the old one only once the new one is valid
-- (SELECT indisvalid FROM pg_index WHERE indexrelid = 'articles_author_published_idx'::regclass), in a later migration.
SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY articles_author_published_idx ON articles (published_at, author_id);
