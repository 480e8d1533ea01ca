import rule from '../../../../src/analyzer/rules/ban-backfill-in-ddl-transaction.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text, legacy_title text); CREATE TABLE audit (id bigint, note text); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint, email text);',
  valid: [
    { name: 'schema change and backfill in separate transactions', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN body text;\nCOMMIT;\nUPDATE articles SET body = title WHERE id BETWEEN 1 AND 10000;' },
    { name: 'batched backfill in autocommit', sql: "UPDATE articles SET title = '' WHERE id < 1000;\nDELETE FROM audit WHERE id < 1000;" },
    { name: 'INSERT … VALUES in the DDL transaction is not a backfill', sql: "BEGIN;\nALTER TABLE audit ADD COLUMN at timestamptz;\nINSERT INTO audit (id, note) VALUES (1, 'migrated');\nCOMMIT;" },
    { name: 'filling a table created in the same migration', sql: 'BEGIN;\nCREATE TABLE articles_copy (id bigint, title text);\nINSERT INTO articles_copy SELECT id, title FROM articles;\nUPDATE articles_copy SET title = upper(title);\nCOMMIT;' },
    { name: 'DDL only on a new table: the backfill of an existing table is bounded by WHERE', sql: "BEGIN;\nCREATE TABLE t (id int);\nUPDATE articles SET title = 'x' WHERE id = 1;\nCOMMIT;" },
    { name: 'DELETE with WHERE outside a transaction (PostgreSQL 13)', pgVersion: 13, sql: 'DELETE FROM app."Users" WHERE email IS NULL;' },
  ],
  invalid: [
    {
      name: 'incident 04: backfill inside the DDL transaction (explicit BEGIN)',
      sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN body text;\nUPDATE articles SET body = title WHERE body IS NULL;\nCOMMIT;',
      errors: [{ messageId: 'backfillInDdlTransaction', line: 3, message: 'UPDATE on public.articles runs in the same transaction as ALTER TABLE on public.articles (line 2): until COMMIT the transaction keeps ACCESS EXCLUSIVE on public.articles' }],
    },
    {
      name: "runner's transaction: DDL after the backfill also counts; INSERT … SELECT into an existing table",
      options: { runner: 'django' },
      sql: '-- 0042_backfill\nINSERT INTO audit (id, note) SELECT id, title FROM articles;\nCREATE INDEX audit_id_idx ON Public.Audit (id);',
      errors: [{ messageId: 'backfillInDdlTransaction', line: 2, message: 'INSERT on public.audit runs in the same transaction as CREATE INDEX on public.audit (line 3): until COMMIT the transaction keeps SHARE on public.audit' }],
    },
    {
      name: 'quoted schema-qualified table, DELETE, DROP COLUMN IF EXISTS (PostgreSQL 18)',
      pgVersion: 18,
      sql: 'BEGIN;\nALTER TABLE app."Users" DROP COLUMN IF EXISTS legacy;\nDELETE FROM app."Users" WHERE email IS NULL;\nCOMMIT;',
      errors: [{ messageId: 'backfillInDdlTransaction', line: 3, message: 'DELETE on app."Users"' }],
    },
    {
      name: 'whole-table UPDATE and DELETE anywhere, and unknown tables still count',
      sql: "UPDATE articles SET legacy_title = NULL;\ndelete from Audit;\nUPDATE orders SET total = 0;",
      errors: [
        { messageId: 'wholeTableWrite', line: 1, message: 'UPDATE without WHERE changes every row of public.articles' },
        { messageId: 'wholeTableWrite', line: 2, message: 'DELETE without WHERE deletes every row of public.audit' },
        { messageId: 'wholeTableWrite', line: 3, message: 'public.orders' },
      ],
    },
  ],
});
