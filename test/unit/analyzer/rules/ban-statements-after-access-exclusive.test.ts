import rule from '../../../../src/analyzer/rules/ban-statements-after-access-exclusive.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text); CREATE INDEX articles_title_idx ON articles (title); CREATE TABLE authors (id bigint PRIMARY KEY); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'ACCESS EXCLUSIVE as the last statement of the transaction', sql: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE articles ADD COLUMN body text;\nCOMMIT;" },
    { name: 'autocommit: each statement commits on its own', sql: 'ALTER TABLE articles ADD COLUMN body text;\nUPDATE articles SET body = \'\' WHERE id = 1;' },
    { name: 'a new transaction after COMMIT', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN body text;\nCOMMIT;\nBEGIN;\nUPDATE articles SET body = \'\' WHERE id = 1;\nCOMMIT;' },
    { name: 'later statements only touch tables created in the migration', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN body text;\nCREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);\nINSERT INTO t VALUES (1);\nCOMMIT;' },
    { name: 'ACCESS EXCLUSIVE on a table created in the migration', sql: 'BEGIN;\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nUPDATE articles SET title = \'x\' WHERE id = 1;\nCOMMIT;' },
    { name: 'weaker locks first (SHARE)', sql: 'BEGIN;\nCREATE INDEX articles_title_idx ON articles (title);\nUPDATE articles SET title = \'x\' WHERE id = 1;\nCOMMIT;' },
    { name: 'the runner transaction on PostgreSQL 13: single statement', pgVersion: 13, options: { runner: 'flyway' }, sql: 'ALTER TABLE articles DROP COLUMN title;\nSET lock_timeout = 0;\nRESET statement_timeout;' },
  ],
  invalid: [
    {
      name: 'backfill after ADD COLUMN in an explicit BEGIN',
      sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN body text;\nUPDATE articles SET body = title;\nCOMMIT;',
      errors: [{ messageId: 'statementAfterAccessExclusive', line: 3, message: 'UPDATE runs while this transaction still holds ACCESS EXCLUSIVE on public.articles (taken by ALTER TABLE on line 2)' }],
    },
    {
      name: "the runner's implicit transaction: every later statement, once each",
      options: { runner: 'rails' },
      sql: '-- migration\nALTER TABLE "articles" ADD COLUMN body text;\nCREATE INDEX authors_id_idx ON authors (id);\nALTER TABLE articles ADD COLUMN summary text;',
      errors: [
        { messageId: 'statementAfterAccessExclusive', line: 3, message: 'CREATE INDEX runs' },
        { messageId: 'statementAfterAccessExclusive', line: 4, message: 'ALTER TABLE runs while this transaction still holds ACCESS EXCLUSIVE on public.articles (taken by ALTER TABLE on line 2)' },
      ],
    },
    {
      name: 'quoted schema-qualified name; a DO block is opaque',
      sql: 'BEGIN;\nLOCK TABLE app."Users" IN ACCESS EXCLUSIVE MODE;\nDO $$ BEGIN PERFORM 1; END $$;\nCOMMIT;',
      errors: [{ messageId: 'statementAfterAccessExclusive', line: 3, message: 'on app."Users" (taken by LOCK TABLE on line 2)' }],
    },
    {
      name: 'DROP INDEX IF EXISTS locks its table; multi-statement runner (golang-migrate), PostgreSQL 18, mixed case',
      pgVersion: 18, options: { runner: 'golang-migrate' },
      sql: 'drop index if exists Public.Articles_Title_Idx;\nselect pg_sleep(1);',
      errors: [{ messageId: 'statementAfterAccessExclusive', line: 2, message: 'SELECT runs while this transaction still holds ACCESS EXCLUSIVE on public.articles' }],
    },
  ],
});
