-- Incident 5: the old index was dropped before its replacement, built CONCURRENTLY, was valid.
DROP INDEX articles_published_at_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS articles_author_published_idx ON articles (published_at, author_id);
