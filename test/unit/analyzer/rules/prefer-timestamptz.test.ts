import rule from '../../../../src/analyzer/rules/prefer-timestamptz.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, published_at text); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'timestamptz and timestamp with time zone', sql: 'CREATE TABLE t (a timestamptz, b timestamp with time zone, c timestamptz(3));' },
    { name: 'date and time are not timestamps', sql: 'CREATE TABLE t (d date, t time);' },
    { name: 'ADD COLUMN IF NOT EXISTS timestamptz', sql: 'ALTER TABLE articles ADD COLUMN IF NOT EXISTS created_at timestamptz DEFAULT now();' },
    { name: 'a cast is not a column', sql: "SELECT now()::timestamp;" },
    { name: 'PostgreSQL 13: converting to timestamptz', pgVersion: 13, sql: 'ALTER TABLE articles ALTER COLUMN published_at TYPE timestamptz USING published_at::timestamptz;' },
  ],
  invalid: [
    {
      name: 'timestamp in CREATE TABLE',
      sql: 'CREATE TABLE t (created_at timestamp NOT NULL DEFAULT now());',
      errors: [{ messageId: 'timestampColumn', line: 1, column: 28, message: 'public.t.created_at is timestamp', output: 'CREATE TABLE t (created_at timestamptz NOT NULL DEFAULT now());' }],
    },
    {
      name: 'timestamp(3) without time zone keeps its precision; quoted names; explicit BEGIN',
      sql: 'BEGIN;\n-- audit\nALTER TABLE app."Users" ADD COLUMN "SeenAt" TIMESTAMP(3) WITHOUT TIME ZONE;\nCOMMIT;',
      errors: [{ messageId: 'timestampColumn', line: 3, column: 45, message: 'app."Users"."SeenAt" is TIMESTAMP(3) WITHOUT TIME ZONE', output: 'BEGIN;\n-- audit\nALTER TABLE app."Users" ADD COLUMN "SeenAt" timestamptz(3);\nCOMMIT;' }],
    },
    {
      name: 'ALTER COLUMN TYPE timestamp and a timestamp[] column, PostgreSQL 18',
      pgVersion: 18,
      sql: 'ALTER TABLE Public.Articles ALTER COLUMN published_at TYPE timestamp USING published_at::timestamp;\nCREATE TABLE t (history timestamp[]);',
      errors: [
        { messageId: 'timestampColumn', line: 1, output: 'ALTER TABLE Public.Articles ALTER COLUMN published_at TYPE timestamptz USING published_at::timestamp;\nCREATE TABLE t (history timestamp[]);' },
        { messageId: 'timestampColumn', line: 2, message: 'timestamp[]', output: 'ALTER TABLE Public.Articles ALTER COLUMN published_at TYPE timestamp USING published_at::timestamp;\nCREATE TABLE t (history timestamptz[]);' },
      ],
    },
  ],
});
