import rule from '../../../../src/analyzer/rules/require-lock-timeout.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text, view_count int); CREATE INDEX articles_title_idx ON articles (title); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'lock_timeout set before', sql: "SET lock_timeout = '2s';\nALTER TABLE articles ADD COLUMN body text;" },
    { name: 'SET LOCAL inside the transaction', sql: "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE articles ADD COLUMN body text;\nCOMMIT;" },
    { name: 'the runner sets it', sql: 'ALTER TABLE articles ADD COLUMN body text;', options: { assumeLockTimeout: true } },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nCREATE INDEX t_a_idx ON t (a);' },
    { name: 'weak locks only (SHARE UPDATE EXCLUSIVE, ROW EXCLUSIVE)', sql: 'CREATE INDEX CONCURRENTLY i ON articles (view_count);\nUPDATE articles SET view_count = 0 WHERE id = 1;\nALTER TABLE articles VALIDATE CONSTRAINT articles_pkey;' },
    { name: 'DROP INDEX CONCURRENTLY waits for users before its ACCESS EXCLUSIVE', sql: 'DROP INDEX CONCURRENTLY IF EXISTS articles_title_idx;' },
    { name: 'SET LOCAL outside a transaction has no effect, but a later session SET does', sql: "SET LOCAL lock_timeout = '1s';\nSET lock_timeout TO '3s';\nLOCK TABLE articles IN ACCESS EXCLUSIVE MODE;" },
    { name: 'locks taken up front with a timeout are not requested again', sql: "BEGIN;\nSET LOCAL lock_timeout = '1s';\nLOCK TABLE articles IN ACCESS EXCLUSIVE MODE;\nSET LOCAL lock_timeout = 0;\nALTER TABLE articles ADD COLUMN a int;\nCREATE INDEX ON articles (a);\nCOMMIT;" },
    { name: 'PostgreSQL 13: same rule', pgVersion: 13, sql: "SET lock_timeout = '2s';\nALTER TABLE articles ALTER COLUMN title SET NOT NULL;" },
  ],
  invalid: [
    {
      name: 'incident 01: ALTER COLUMN TYPE without lock_timeout',
      sql: 'ALTER TABLE "articles" ALTER COLUMN "view_count" TYPE integer;',
      errors: [{
        messageId: 'missingLockTimeout', line: 1, column: 1,
        message: 'ALTER TABLE takes ACCESS EXCLUSIVE on public.articles without a lock_timeout',
        output: "SET lock_timeout = '2s';\nALTER TABLE \"articles\" ALTER COLUMN \"view_count\" TYPE integer;",
      }],
    },
    {
      name: 'CREATE INDEX: SHARE blocks writes only',
      sql: '-- add an index\nCREATE INDEX articles_vc_idx ON articles (view_count);',
      errors: [{
        messageId: 'missingLockTimeout', line: 2, message: 'every INSERT, UPDATE and DELETE on public.articles (reads still run)',
        output: "-- add an index\nSET lock_timeout = '2s';\nCREATE INDEX articles_vc_idx ON articles (view_count);",
      }],
    },
    {
      name: 'lock_timeout explicitly disabled',
      sql: 'SET lock_timeout = 0;\nDROP TRIGGER IF EXISTS audit ON Public.Articles;',
      errors: [{
        messageId: 'lockTimeoutDisabled', line: 2, message: 'DROP TRIGGER takes ACCESS EXCLUSIVE on public.articles with lock_timeout disabled (0)',
        output: "SET lock_timeout = 0;\nSET lock_timeout = '2s';\nDROP TRIGGER IF EXISTS audit ON Public.Articles;",
      }],
    },
    {
      name: "lock_timeout = '0s' also disables it",
      sql: "SET lock_timeout = '0s';\nALTER TABLE articles ADD COLUMN body text;",
      errors: [{ messageId: 'lockTimeoutDisabled', line: 2, message: "(0s)", output: "SET lock_timeout = '0s';\nSET lock_timeout = '2s';\nALTER TABLE articles ADD COLUMN body text;" }],
    },
    {
      name: 'explicit BEGIN, indented statement, SET LOCAL forgotten after COMMIT',
      sql: "BEGIN;\n  SET LOCAL lock_timeout = '1s';\n  ALTER TABLE articles ADD COLUMN a int;\nCOMMIT;\nALTER TABLE articles ADD COLUMN b int;",
      errors: [{
        messageId: 'missingLockTimeout', line: 5,
        output: "BEGIN;\n  SET LOCAL lock_timeout = '1s';\n  ALTER TABLE articles ADD COLUMN a int;\nCOMMIT;\nSET lock_timeout = '2s';\nALTER TABLE articles ADD COLUMN b int;",
      }],
    },
    {
      name: 'several statements on one line, quoted schema-qualified table, one finding each',
      sql: 'ALTER TABLE app."Users" ADD COLUMN x int; DROP INDEX articles_title_idx;',
      errors: [
        { messageId: 'missingLockTimeout', line: 1, column: 1, message: 'on app."Users"', output: 'SET lock_timeout = \'2s\';\nALTER TABLE app."Users" ADD COLUMN x int; DROP INDEX articles_title_idx;' },
        { messageId: 'missingLockTimeout', line: 1, column: 43, message: 'DROP INDEX takes ACCESS EXCLUSIVE on public.articles', output: 'ALTER TABLE app."Users" ADD COLUMN x int; SET lock_timeout = \'2s\'; DROP INDEX articles_title_idx;' },
      ],
    },
    {
      name: 'table unknown to the schema model still warns; runner transaction (PostgreSQL 18)',
      pgVersion: 18, options: { runner: 'flyway' },
      sql: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);',
      errors: [{ messageId: 'missingLockTimeout', line: 1, message: 'public.orders', output: "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);" }],
    },
    {
      name: 'a stronger lock than the one already held still queues',
      sql: "BEGIN;\nSET LOCAL lock_timeout = '1s';\nCREATE INDEX i2 ON articles (title);\nRESET lock_timeout;\nALTER TABLE articles ADD COLUMN a int;\nCOMMIT;",
      errors: [{ messageId: 'missingLockTimeout', line: 5, message: 'ACCESS EXCLUSIVE', output: "BEGIN;\nSET LOCAL lock_timeout = '1s';\nCREATE INDEX i2 ON articles (title);\nRESET lock_timeout;\nSET lock_timeout = '2s';\nALTER TABLE articles ADD COLUMN a int;\nCOMMIT;" }],
    },
    {
      name: 'SET LOCAL outside a transaction does not count (PostgreSQL 13)',
      pgVersion: 13,
      sql: "SET LOCAL lock_timeout = '1s';\nLOCK TABLE articles IN SHARE MODE;",
      errors: [{ messageId: 'missingLockTimeout', line: 2, message: 'LOCK TABLE takes SHARE on public.articles', output: "SET LOCAL lock_timeout = '1s';\nSET lock_timeout = '2s';\nLOCK TABLE articles IN SHARE MODE;" }],
    },
  ],
});
