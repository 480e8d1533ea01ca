import rule from '../../../../src/analyzer/rules/prefer-create-or-replace-trigger.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'CREATE OR REPLACE TRIGGER', sql: 'CREATE OR REPLACE TRIGGER audit AFTER INSERT ON articles FOR EACH ROW EXECUTE FUNCTION audit_row();' },
    { name: 'DROP TRIGGER on a table created in the migration', sql: 'CREATE TABLE t (id int);\nCREATE TRIGGER trg AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nDROP TRIGGER trg ON t;\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();' },
    { name: 'disabling a trigger instead of dropping it', sql: 'ALTER TABLE articles DISABLE TRIGGER audit;' },
    { name: 'creating a new trigger', pgVersion: 13, sql: 'CREATE TRIGGER audit AFTER INSERT ON app."Users" FOR EACH ROW EXECUTE FUNCTION audit_row();' },
  ],
  invalid: [
    {
      name: 'incident 03: plain DROP TRIGGER',
      sql: '-- remove auditing\nDROP TRIGGER audit ON articles;',
      errors: [{ messageId: 'dropTrigger', line: 2, column: 1, message: 'DROP TRIGGER audit takes ACCESS EXCLUSIVE on public.articles: it waits behind any lock on the table — an autovacuum to prevent wraparound included' }],
    },
    {
      name: 'drop and recreate, adjacent (IF EXISTS, indented, PostgreSQL 14)',
      pgVersion: 14,
      sql: '  DROP TRIGGER IF EXISTS audit ON articles;\n  CREATE TRIGGER audit AFTER INSERT ON articles FOR EACH ROW EXECUTE FUNCTION audit_row();',
      errors: [{
        messageId: 'dropAndRecreateTrigger', line: 1, column: 3, message: 'On PostgreSQL 14, CREATE OR REPLACE TRIGGER replaces it in one statement under SHARE ROW EXCLUSIVE',
        output: '  CREATE OR REPLACE TRIGGER audit AFTER INSERT ON articles FOR EACH ROW EXECUTE FUNCTION audit_row();',
      }],
    },
    {
      name: 'PostgreSQL 13 has no CREATE OR REPLACE TRIGGER: plain message',
      pgVersion: 13,
      sql: 'DROP TRIGGER IF EXISTS audit ON articles;\nCREATE TRIGGER audit AFTER INSERT ON articles FOR EACH ROW EXECUTE FUNCTION audit_row();',
      errors: [{ messageId: 'dropTrigger', line: 1 }],
    },
    {
      name: 'not adjacent: no fix; quoted, schema-qualified and mixed-case names match; explicit BEGIN',
      sql: 'BEGIN;\nDROP TRIGGER "Audit" ON APP."Users";\nUPDATE app."Users" SET id = id WHERE false;\nCREATE TRIGGER "Audit" AFTER UPDATE ON app."Users" FOR EACH ROW EXECUTE FUNCTION audit_row();\nCOMMIT;',
      errors: [{ messageId: 'dropAndRecreateTrigger', line: 2, message: 'DROP TRIGGER "Audit" followed by CREATE TRIGGER "Audit" (line 4) takes ACCESS EXCLUSIVE on app."Users"' }],
    },
    {
      name: 'recreated on another table, or as a constraint trigger: plain message; several statements on one line',
      pgVersion: 18,
      sql: 'DROP TRIGGER a ON articles; CREATE TRIGGER a AFTER INSERT ON app."Users" FOR EACH ROW EXECUTE FUNCTION f();\nDROP TRIGGER b ON articles; CREATE CONSTRAINT TRIGGER b AFTER INSERT ON articles FOR EACH ROW EXECUTE FUNCTION f();',
      errors: [{ messageId: 'dropTrigger', line: 1 }, { messageId: 'dropTrigger', line: 2 }],
    },
    {
      name: 'adjacent on one line, unknown table still warns',
      sql: 'DROP TRIGGER t ON orders; CREATE TRIGGER t AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f();',
      errors: [{ messageId: 'dropAndRecreateTrigger', line: 1, message: 'public.orders', output: 'CREATE OR REPLACE TRIGGER t AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f();' }],
    },
  ],
});
