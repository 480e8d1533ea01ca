-- PostgreSQL 14+: replace the trigger in place (SHARE ROW EXCLUSIVE, reads go on), with a lock timeout.
SET lock_timeout = '2s';
SET statement_timeout = '5s';
CREATE OR REPLACE TRIGGER articles_audit AFTER UPDATE ON articles FOR EACH ROW EXECUTE FUNCTION articles_audit();
