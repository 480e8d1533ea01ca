import rule from '../../../../src/analyzer/rules/prefer-robust-statements.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text, legacy text); CREATE INDEX articles_title_idx ON articles (title); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'robust statements', sql: 'CREATE TABLE IF NOT EXISTS t (id int);\nCREATE INDEX IF NOT EXISTS t_id_idx ON t (id);\nALTER TABLE t ADD COLUMN IF NOT EXISTS a int;\nDROP TABLE IF EXISTS old;\nALTER TABLE articles DROP COLUMN IF EXISTS legacy;' },
    { name: 'inside an explicit transaction', sql: 'BEGIN;\nCREATE TABLE t (id int);\nDROP INDEX articles_title_idx;\nCOMMIT;' },
    { name: "inside the runner's transaction", options: { runner: 'flyway' }, sql: 'CREATE TABLE t (id int);\nALTER TABLE articles ADD COLUMN a int;' },
    { name: 'a single transactional statement is atomic', sql: 'CREATE TABLE t (id int);' },
    { name: 'CREATE INDEX CONCURRENTLY after DROP INDEX CONCURRENTLY IF EXISTS', sql: 'DROP INDEX CONCURRENTLY IF EXISTS articles_title2_idx;\nCREATE INDEX CONCURRENTLY articles_title2_idx ON articles (title);' },
    { name: 'temporary tables (PostgreSQL 13)', pgVersion: 13, sql: 'CREATE TEMP TABLE scratch (id int);\nINSERT INTO scratch VALUES (1);' },
  ],
  invalid: [
    {
      name: 'CREATE TABLE and CREATE INDEX in autocommit',
      sql: 'CREATE TABLE t (id int);\ncreate unique index t_id_idx on t (id);\nCREATE INDEX ON t (id);',
      errors: [
        { messageId: 'createTable', line: 1, column: 1, output: 'CREATE TABLE IF NOT EXISTS t (id int);\ncreate unique index t_id_idx on t (id);\nCREATE INDEX ON t (id);' },
        { messageId: 'createIndex', line: 2, message: 'CREATE INDEX t_id_idx', output: 'CREATE TABLE t (id int);\ncreate unique index IF NOT EXISTS t_id_idx on t (id);\nCREATE INDEX ON t (id);' },
        { messageId: 'createIndex', line: 3, message: '(unnamed)' },
      ],
    },
    {
      name: 'ADD COLUMN and DROP COLUMN / CONSTRAINT, quoted names',
      sql: '-- columns\nALTER TABLE app."Users" ADD COLUMN "Nick" text, DROP COLUMN "Old", DROP CONSTRAINT users_pk;\nSELECT 1;',
      errors: [
        { messageId: 'addColumn', line: 2, column: 36, message: 'ADD COLUMN "Nick"', output: '-- columns\nALTER TABLE app."Users" ADD COLUMN IF NOT EXISTS "Nick" text, DROP COLUMN "Old", DROP CONSTRAINT users_pk;\nSELECT 1;' },
        { messageId: 'drop', line: 2, message: 'DROP COLUMN "Old"', output: '-- columns\nALTER TABLE app."Users" ADD COLUMN "Nick" text, DROP COLUMN IF EXISTS "Old", DROP CONSTRAINT users_pk;\nSELECT 1;' },
        { messageId: 'drop', line: 2, message: 'DROP CONSTRAINT users_pk', output: '-- columns\nALTER TABLE app."Users" ADD COLUMN "Nick" text, DROP COLUMN "Old", DROP CONSTRAINT IF EXISTS users_pk;\nSELECT 1;' },
      ],
    },
    {
      name: 'DROP statements, mixed case, schema-qualified (PostgreSQL 18)',
      pgVersion: 18,
      sql: 'Drop Materialized View Public.Stats;\nDROP TRIGGER audit ON articles;\nDROP INDEX CONCURRENTLY articles_title_idx;',
      errors: [
        { messageId: 'drop', line: 1, message: 'DROP MATERIALIZED VIEW public.stats', output: 'Drop Materialized View IF EXISTS Public.Stats;\nDROP TRIGGER audit ON articles;\nDROP INDEX CONCURRENTLY articles_title_idx;' },
        { messageId: 'drop', line: 2, message: 'DROP TRIGGER audit ON articles', output: 'Drop Materialized View Public.Stats;\nDROP TRIGGER IF EXISTS audit ON articles;\nDROP INDEX CONCURRENTLY articles_title_idx;' },
        { messageId: 'drop', line: 3, message: 'DROP INDEX articles_title_idx', output: 'Drop Materialized View Public.Stats;\nDROP TRIGGER audit ON articles;\nDROP INDEX CONCURRENTLY IF EXISTS articles_title_idx;' },
      ],
    },
    {
      name: 'CREATE INDEX CONCURRENTLY alone: a failure leaves an invalid index (incident 05)',
      sql: 'CREATE INDEX CONCURRENTLY articles_title2_idx ON app."Users" (id);',
      errors: [{ messageId: 'concurrentIndex', line: 1, message: 'CREATE INDEX CONCURRENTLY app.articles_title2_idx is not repeatable', output: 'DROP INDEX CONCURRENTLY IF EXISTS app.articles_title2_idx;\nCREATE INDEX CONCURRENTLY articles_title2_idx ON app."Users" (id);' }],
    },
  ],
});
