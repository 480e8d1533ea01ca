import rule from '../../../../src/analyzer/rules/ban-add-column-volatile-default.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text); CREATE SCHEMA "Billing"; CREATE TABLE "Billing"."Invoices" (id bigint);',
  valid: [
    { name: 'constant default (metadata-only since 11)', sql: 'ALTER TABLE articles ADD COLUMN views int NOT NULL DEFAULT 0;' },
    { name: 'now() is stable', sql: 'ALTER TABLE articles ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();' },
    { name: 'CURRENT_TIMESTAMP is stable', sql: 'ALTER TABLE articles ADD COLUMN created_at timestamptz DEFAULT CURRENT_TIMESTAMP;' },
    { name: 'casts, arrays and booleans are constants', sql: "ALTER TABLE articles ADD COLUMN tags text[] DEFAULT ARRAY[]::text[], ADD COLUMN meta jsonb DEFAULT '{}'::jsonb, ADD COLUMN on_sale boolean DEFAULT false;" },
    { name: 'no default', sql: 'ALTER TABLE articles ADD COLUMN token uuid;' },
    { name: 'DEFAULT NULL stores nothing, even before 11', sql: 'ALTER TABLE articles ADD COLUMN token uuid DEFAULT NULL;', pgVersion: 10 },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN id uuid DEFAULT gen_random_uuid();' },
    { name: 'IF NOT EXISTS on a column that exists is a no-op', sql: 'ALTER TABLE articles ADD COLUMN IF NOT EXISTS title text DEFAULT gen_random_uuid()::text;' },
    { name: 'SET DEFAULT only affects new rows', sql: 'ALTER TABLE articles ALTER COLUMN title SET DEFAULT gen_random_uuid()::text;' },
    { name: 'serial columns are another rule\'s', sql: 'ALTER TABLE articles ADD COLUMN n bigserial;' },
    { name: 'temporary table', sql: 'ALTER TABLE pg_temp.scratch ADD COLUMN r float8 DEFAULT random();' },
  ],
  invalid: [
    {
      name: 'gen_random_uuid() rewrites the table',
      sql: 'ALTER TABLE articles ADD COLUMN token uuid DEFAULT gen_random_uuid();',
      errors: [{ messageId: 'volatileDefault', line: 1, column: 44, message: 'rewrites public.articles under ACCESS EXCLUSIVE' }],
    },
    {
      name: 'quoted, schema-qualified, mixed case; volatile call nested in a stable one',
      sql: 'alter table "Billing"."Invoices" add column "Token" text default md5(random()::text);',
      errors: [{ messageId: 'volatileDefault', line: 1, message: 'ADD COLUMN "Token" with a default that calls the volatile random(): PostgreSQL computes it for every existing row and rewrites "Billing"."Invoices"' }],
    },
    {
      name: 'explicit transaction, comments, several statements',
      sql: 'BEGIN;\n-- jitter for the scheduler\nALTER TABLE articles ADD COLUMN jitter float8 DEFAULT random(); /* per row */\nCOMMIT;',
      errors: [{ messageId: 'volatileDefault', line: 3, message: 'random()' }],
    },
    {
      name: 'two volatile columns in one statement',
      sql: 'ALTER TABLE articles ADD COLUMN a uuid DEFAULT gen_random_uuid(),\n  ADD COLUMN b timestamptz DEFAULT clock_timestamp();',
      errors: [
        { messageId: 'volatileDefault', line: 1, message: 'ADD COLUMN a ' },
        { messageId: 'volatileDefault', line: 2, column: 28, message: 'clock_timestamp()' },
      ],
    },
    {
      name: 'nextval() default',
      sql: "ALTER TABLE IF EXISTS articles ADD COLUMN IF NOT EXISTS seq bigint DEFAULT nextval('articles_seq');",
      errors: [{ messageId: 'volatileDefault', message: 'nextval()' }],
    },
    {
      name: 'a user function: volatility unknown',
      sql: 'ALTER TABLE articles ADD COLUMN code text DEFAULT app.make_code(8);',
      errors: [{ messageId: 'unknownVolatility', line: 1, message: 'calls make_code(), whose volatility pg-preflight cannot know' }],
    },
    {
      name: 'table unknown to the schema model still warns',
      sql: 'ALTER TABLE users ADD COLUMN api_key uuid DEFAULT gen_random_uuid();',
      errors: [{ messageId: 'volatileDefault', message: 'public.users' }],
    },
    {
      name: 'before PostgreSQL 11 a constant default rewrites too',
      sql: 'ALTER TABLE articles ADD COLUMN views int NOT NULL DEFAULT 0;', pgVersion: 10,
      errors: [{ messageId: 'defaultBeforePg11', line: 1, message: 'PostgreSQL 10' }],
    },
  ],
});
