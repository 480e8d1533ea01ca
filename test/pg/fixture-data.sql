-- Rows for test/pg/fixture-schema.sql (kept apart so that the schema file stays pure DDL for the analyzer).
-- Enough rows that every scan, check and rewrite has something to do
INSERT INTO authors (id, name, email)
  SELECT i, 'author ' || i, 'author' || i || '@example.com' FROM generate_series(1, 6) AS i;
INSERT INTO articles (author_id, reviewer_id, title, body, summary, slug, legacy_code, view_count, score, rating,
                      word_count, metadata, status, published_at)
  SELECT 1 + i % 5, CASE WHEN i % 3 = 0 THEN 1 + i % 4 END, 'Title ' || i, 'Body of article ' || i,
         'Summary ' || i, 'article-' || i, (1000 + i)::text, i * 10, i % 7, 1 + i % 5,
         100 + i, jsonb_build_object('n', i), (ARRAY['draft', 'published', 'archived'])[1 + i % 3]::article_status,
         timestamp '2024-01-01' + i * interval '1 day'
  FROM generate_series(1, 200) AS i;
INSERT INTO comments (id, article_id, author_id, body)
  SELECT i, 1 + i % 100, 1 + i % 5, 'Comment ' || i FROM generate_series(1, 300) AS i;
INSERT INTO tags (name) SELECT 'tag ' || i FROM generate_series(1, 10) AS i;
INSERT INTO article_tags (article_id, tag_id)
  SELECT a, t FROM generate_series(1, 50) AS a, generate_series(1, 3) AS t;
INSERT INTO import_staging (id, raw) SELECT i, 'raw ' || i FROM generate_series(1, 50) AS i;
INSERT INTO notes (id, body) SELECT i, 'note ' || i FROM generate_series(1, 20) AS i;
INSERT INTO notes_archive (id, body) SELECT i, 'old note ' || i FROM generate_series(21, 40) AS i;
INSERT INTO events (id, created_at, kind, author_id, payload)
  SELECT i, timestamptz '2024-01-01 00:00:00+00' + i * interval '4 days', 'kind' || i % 4, 1 + i % 5,
         jsonb_build_object('i', i)
  FROM generate_series(1, 150) AS i;
INSERT INTO events (id, created_at, kind, author_id)
  SELECT 1000 + i, timestamptz '2020-06-01 00:00:00+00' + i * interval '1 day', 'old', 1 FROM generate_series(1, 20) AS i;
INSERT INTO events_2026 (id, created_at, kind) SELECT i, timestamptz '2026-02-01 00:00:00+00' + i * interval '1 day', 'new' FROM generate_series(1, 20) AS i;
INSERT INTO events_2027 (id, created_at, kind) SELECT i, timestamptz '2027-02-01 00:00:00+00' + i * interval '1 day', 'new' FROM generate_series(1, 20) AS i;
INSERT INTO measurements (region, value) SELECT (ARRAY['eu', 'us'])[1 + i % 2], i FROM generate_series(1, 40) AS i;
REFRESH MATERIALIZED VIEW author_stats;
ANALYZE;
