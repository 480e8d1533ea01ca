-- Incident 1: an ALTER COLUMN TYPE queued behind a backup's ACCESS SHARE lock, and every SELECT queued behind it.
ALTER TABLE articles ALTER COLUMN view_count TYPE integer;
