-- Incident 3: a DROP TRIGGER waited behind an anti-wraparound autovacuum and blocked every query for hours.
DROP TRIGGER IF EXISTS articles_audit ON articles;
CREATE TRIGGER articles_audit AFTER UPDATE ON articles FOR EACH ROW EXECUTE FUNCTION articles_audit();
