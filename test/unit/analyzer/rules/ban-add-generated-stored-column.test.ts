import rule from '../../../../src/analyzer/rules/ban-add-generated-stored-column.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text, price numeric, qty int); CREATE SCHEMA "Shop"; CREATE TABLE "Shop"."Orders" (id bigint, net numeric);',
  valid: [
    { name: 'VIRTUAL generated column (PostgreSQL 18)', sql: 'ALTER TABLE articles ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) VIRTUAL;', pgVersion: 18 },
    { name: 'no keyword: VIRTUAL on PostgreSQL 18', sql: 'ALTER TABLE articles ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty);', pgVersion: 18 },
    { name: 'plain column', sql: 'ALTER TABLE articles ADD COLUMN total numeric;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED;' },
    { name: 'CREATE TABLE with a stored column', sql: 'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);' },
    { name: 'IF NOT EXISTS on a column that exists is a no-op', sql: 'ALTER TABLE articles ADD COLUMN IF NOT EXISTS title text GENERATED ALWAYS AS (id::text) STORED;' },
  ],
  invalid: [
    {
      name: 'stored generated column before 18: no fix',
      sql: 'ALTER TABLE articles ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;',
      errors: [{ messageId: 'storedGeneratedColumn', line: 1, column: 47, message: 'rewrites public.articles under ACCESS EXCLUSIVE', output: null }],
    },
    {
      name: 'PostgreSQL 18: suggest VIRTUAL',
      sql: 'ALTER TABLE articles ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;', pgVersion: 18,
      errors: [{ messageId: 'storedGeneratedColumn', line: 1, output: 'ALTER TABLE articles ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) VIRTUAL;' }],
    },
    {
      name: 'quoted, schema-qualified, mixed case, lower-case keyword',
      sql: 'alter table "Shop"."Orders" add "Gross" numeric generated always as (net * 1.2) stored;', pgVersion: 18,
      errors: [{ messageId: 'storedGeneratedColumn', message: 'ADD COLUMN "Gross" GENERATED ALWAYS AS (…) STORED computes the value for every existing row: it rewrites "Shop"."Orders"', output: 'alter table "Shop"."Orders" add "Gross" numeric generated always as (net * 1.2) VIRTUAL;' }],
    },
    {
      name: 'explicit transaction, comments, IF EXISTS, the word stored inside the expression',
      sql: "BEGIN;\n-- search column\nALTER TABLE IF EXISTS articles ADD COLUMN tsv tsvector\n  GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, 'stored'))) STORED;\nCOMMIT;", pgVersion: 18,
      errors: [{ messageId: 'storedGeneratedColumn', line: 4, column: 3, output: "BEGIN;\n-- search column\nALTER TABLE IF EXISTS articles ADD COLUMN tsv tsvector\n  GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, 'stored'))) VIRTUAL;\nCOMMIT;" }],
    },
    {
      name: 'table unknown to the schema model still warns',
      sql: 'ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;',
      errors: [{ messageId: 'storedGeneratedColumn', message: 'public.users' }],
    },
  ],
});
