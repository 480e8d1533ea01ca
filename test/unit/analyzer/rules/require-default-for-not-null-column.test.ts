import rule from '../../../../src/analyzer/rules/require-default-for-not-null-column.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text); CREATE SCHEMA "Billing"; CREATE TABLE "Billing"."Invoices" (id bigint);',
  valid: [
    { name: 'constant default', sql: 'ALTER TABLE articles ADD COLUMN views int NOT NULL DEFAULT 0;' },
    { name: 'nullable column', sql: 'ALTER TABLE articles ADD COLUMN views int;' },
    { name: 'identity column has values', sql: 'ALTER TABLE articles ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY NOT NULL;' },
    { name: 'serial column has values', sql: 'ALTER TABLE articles ADD COLUMN n bigserial NOT NULL;' },
    { name: 'stored generated column has values', sql: 'ALTER TABLE articles ADD COLUMN slug text GENERATED ALWAYS AS (lower(title)) STORED NOT NULL;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;' },
    { name: 'IF NOT EXISTS on a column that exists is a no-op', sql: 'ALTER TABLE articles ADD COLUMN IF NOT EXISTS title text NOT NULL;' },
    { name: 'SET NOT NULL is another rule\'s', sql: 'ALTER TABLE articles ALTER COLUMN title SET NOT NULL;' },
  ],
  invalid: [
    {
      name: 'NOT NULL without default',
      sql: 'ALTER TABLE articles ADD COLUMN author_id bigint NOT NULL;',
      errors: [{ messageId: 'missingDefault', line: 1, column: 33, message: 'ADD COLUMN author_id … NOT NULL without a DEFAULT fails on public.articles' }],
    },
    {
      name: 'quoted, schema-qualified, mixed case',
      sql: 'Alter Table "Billing"."Invoices" Add "DueOn" date Not Null;',
      errors: [{ messageId: 'missingDefault', message: 'ADD COLUMN "DueOn" … NOT NULL without a DEFAULT fails on "Billing"."Invoices"' }],
    },
    {
      name: 'DEFAULT NULL is no default',
      sql: 'ALTER TABLE articles ADD COLUMN author_id bigint DEFAULT NULL NOT NULL;',
      errors: [{ messageId: 'missingDefault', line: 1 }],
    },
    {
      name: 'a PRIMARY KEY column is NOT NULL too',
      sql: 'ALTER TABLE articles ADD COLUMN uid uuid PRIMARY KEY;',
      errors: [{ messageId: 'missingDefault', message: '… PRIMARY KEY without a DEFAULT' }],
    },
    {
      name: 'explicit transaction, comments, IF EXISTS, two columns',
      sql: 'BEGIN;\n-- new required fields\nALTER TABLE IF EXISTS articles\n  ADD COLUMN a int NOT NULL DEFAULT 1,\n  ADD COLUMN b int NOT NULL; -- oops\nCOMMIT;',
      errors: [{ messageId: 'missingDefault', line: 5, column: 14, message: 'ADD COLUMN b ' }],
    },
    {
      name: 'table unknown to the schema model still warns',
      sql: 'ALTER TABLE users ADD COLUMN email text NOT NULL;',
      errors: [{ messageId: 'missingDefault', message: 'public.users' }],
    },
    {
      name: 'applies on every version', pgVersion: 13,
      sql: 'CREATE TABLE t (a int);\nALTER TABLE articles ADD COLUMN b int NOT NULL;',
      errors: [{ messageId: 'missingDefault', line: 2 }],
    },
  ],
});
