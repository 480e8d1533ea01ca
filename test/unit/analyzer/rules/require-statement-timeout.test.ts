import rule from '../../../../src/analyzer/rules/require-statement-timeout.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text, view_count int); CREATE INDEX articles_title_idx ON articles (title); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint, email text);',
  valid: [
    { name: 'statement_timeout set before', sql: "SET statement_timeout = '5s';\nALTER TABLE articles ALTER COLUMN view_count TYPE bigint;" },
    { name: 'SET LOCAL inside an explicit BEGIN', sql: "BEGIN;\nSET LOCAL statement_timeout = '10s';\nCREATE INDEX articles_vc_idx ON articles (view_count);\nCOMMIT;" },
    { name: 'the runner sets it', sql: 'ALTER TABLE articles ADD COLUMN body text;', options: { assumeStatementTimeout: true } },
    { name: 'CONCURRENTLY forms are exempt', sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON articles (view_count);\nDROP INDEX CONCURRENTLY articles_title_idx;\nREINDEX TABLE CONCURRENTLY articles;' },
    { name: 'VACUUM and VALIDATE CONSTRAINT do not block reads or writes', sql: 'VACUUM (ANALYZE) articles;\nALTER TABLE articles VALIDATE CONSTRAINT articles_pkey;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;\nCREATE INDEX ON t (a);' },
    { name: 'DML takes ROW EXCLUSIVE only', sql: 'UPDATE articles SET view_count = 0 WHERE id = 1;' },
    { name: 'PostgreSQL 13: timeout set', pgVersion: 13, sql: "SET statement_timeout TO '30s';\nALTER TABLE articles ADD COLUMN flag boolean DEFAULT false;" },
  ],
  invalid: [
    {
      name: 'rewrite under ACCESS EXCLUSIVE (incident 01)',
      sql: 'ALTER TABLE "articles" ALTER COLUMN "view_count" TYPE bigint;',
      errors: [{
        messageId: 'rewriteWithoutTimeout', line: 1, column: 1, message: 'ALTER TABLE rewrites public.articles under ACCESS EXCLUSIVE with no statement_timeout',
        output: "SET statement_timeout = '5s';\nALTER TABLE \"articles\" ALTER COLUMN \"view_count\" TYPE bigint;",
      }],
    },
    {
      name: 'full scan under SHARE (CREATE INDEX), after a comment',
      sql: '/* index for the feed */\nCREATE INDEX articles_vc_idx ON Public.Articles (view_count);',
      errors: [{
        messageId: 'scanWithoutTimeout', line: 2, message: 'CREATE INDEX reads all of public.articles under SHARE',
        output: "/* index for the feed */\nSET statement_timeout = '5s';\nCREATE INDEX articles_vc_idx ON Public.Articles (view_count);",
      }],
    },
    {
      name: 'metadata-only change still holds ACCESS EXCLUSIVE with statement_timeout disabled',
      sql: "SET statement_timeout = 0;\nALTER TABLE app.\"Users\" ADD COLUMN nickname text;",
      errors: [{
        messageId: 'lockWithoutTimeout', line: 2, message: 'takes ACCESS EXCLUSIVE on app."Users" with statement_timeout disabled (0)',
        output: "SET statement_timeout = 0;\nSET statement_timeout = '5s';\nALTER TABLE app.\"Users\" ADD COLUMN nickname text;",
      }],
    },
    {
      name: 'a volatile default rewrites the table (PostgreSQL 13)',
      pgVersion: 13,
      sql: 'ALTER TABLE articles ADD COLUMN token uuid DEFAULT gen_random_uuid();',
      errors: [{ messageId: 'rewriteWithoutTimeout', line: 1, output: "SET statement_timeout = '5s';\nALTER TABLE articles ADD COLUMN token uuid DEFAULT gen_random_uuid();" }],
    },
    {
      name: 'constant default is metadata-only on PostgreSQL 18: lock only',
      pgVersion: 18,
      sql: 'ALTER TABLE articles ADD COLUMN flag boolean DEFAULT false;',
      errors: [{ messageId: 'lockWithoutTimeout', line: 1, output: "SET statement_timeout = '5s';\nALTER TABLE articles ADD COLUMN flag boolean DEFAULT false;" }],
    },
    {
      name: 'VACUUM FULL is a rewrite, not a plain VACUUM; SET LOCAL expired at COMMIT',
      sql: "BEGIN;\nSET LOCAL statement_timeout = '1s';\nCOMMIT;\nVACUUM FULL articles;",
      errors: [{ messageId: 'rewriteWithoutTimeout', line: 4, message: 'VACUUM FULL rewrites public.articles', output: "BEGIN;\nSET LOCAL statement_timeout = '1s';\nCOMMIT;\nSET statement_timeout = '5s';\nVACUUM FULL articles;" }],
    },
    {
      name: 'ADD CHECK (validated) scans the table; unknown table still warns',
      sql: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);',
      errors: [{ messageId: 'scanWithoutTimeout', line: 1, message: 'public.orders', output: "SET statement_timeout = '5s';\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);" }],
    },
    {
      name: 'DROP INDEX IF EXISTS locks the table',
      sql: 'DROP INDEX IF EXISTS articles_title_idx;',
      errors: [{ messageId: 'lockWithoutTimeout', line: 1, message: 'DROP INDEX takes ACCESS EXCLUSIVE on public.articles', output: "SET statement_timeout = '5s';\nDROP INDEX IF EXISTS articles_title_idx;" }],
    },
  ],
});
