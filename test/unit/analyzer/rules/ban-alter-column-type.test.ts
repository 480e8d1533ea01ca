import rule from '../../../../src/analyzer/rules/ban-alter-column-type.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: `CREATE TABLE articles (id bigint PRIMARY KEY, title varchar(50), slug varchar(100), price numeric(10,2), view_count bigint, body text);
    CREATE INDEX articles_title_idx ON articles (title);
    CREATE SCHEMA "Shop"; CREATE TABLE "Shop"."Orders" ("Total" numeric(10,2), note varchar(20));`,
  valid: [
    { name: 'varchar grows', sql: 'ALTER TABLE articles ALTER COLUMN title TYPE varchar(80);' },
    { name: 'varchar to text', sql: 'ALTER TABLE articles ALTER COLUMN title TYPE text;' },
    { name: 'varchar loses its limit', sql: 'ALTER TABLE articles ALTER COLUMN slug SET DATA TYPE varchar;' },
    { name: 'numeric precision grows, same scale', sql: 'ALTER TABLE "Shop"."Orders" ALTER COLUMN "Total" TYPE numeric(12,2);' },
    { name: 'same type under another name', sql: 'ALTER TABLE articles ALTER view_count TYPE int8;' },
    { name: 'USING the column itself', sql: 'ALTER TABLE articles ALTER COLUMN title TYPE text USING title;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;' },
    { name: 'other subcommands', sql: 'ALTER TABLE articles ALTER COLUMN title SET DEFAULT \'x\';' },
  ],
  invalid: [
    {
      name: 'the incident: bigint to integer',
      sql: 'ALTER TABLE "articles" ALTER COLUMN "view_count" TYPE integer;',
      errors: [{ messageId: 'rewritesTable', line: 1, column: 24, message: 'ALTER COLUMN view_count TYPE integer (from int8) rewrites public.articles under ACCESS EXCLUSIVE: reads and writes on it block for the whole rewrite, and every index on it is rebuilt' }],
    },
    {
      name: 'varchar shrinks; quoted, schema-qualified, SET DATA TYPE, mixed case',
      sql: 'alter table "Shop"."Orders" Alter Column Note Set Data Type varchar(10);',
      errors: [{ messageId: 'rewritesTable', line: 1, column: 29, message: 'TYPE varchar(10) (from varchar(20)) rewrites "Shop"."Orders"' }],
    },
    {
      name: 'numeric scale changes',
      sql: 'ALTER TABLE articles ALTER COLUMN price TYPE numeric(12,4);',
      errors: [{ messageId: 'rewritesTable', message: '(from numeric(10,2))' }],
    },
    {
      name: 'USING an expression always rewrites',
      sql: 'ALTER TABLE articles ALTER COLUMN body TYPE jsonb USING body::jsonb;',
      errors: [{ messageId: 'rewritesTable', message: 'TYPE jsonb (from text)' }],
    },
    {
      name: 'explicit transaction, comments, IF EXISTS, two subcommands of which one is binary-coercible',
      sql: 'BEGIN;\n-- widen\nALTER TABLE IF EXISTS articles\n  ALTER COLUMN title TYPE text,\n  ALTER COLUMN id TYPE numeric; -- why?\nCOMMIT;',
      errors: [{ messageId: 'rewritesTable', line: 5, column: 3, message: 'ALTER COLUMN id TYPE numeric (from int8)' }],
    },
    {
      name: 'a column added earlier in the migration to an existing table: the table is still busy',
      sql: 'ALTER TABLE articles ADD COLUMN n int;\nALTER TABLE articles ALTER COLUMN n TYPE bigint;',
      errors: [{ messageId: 'rewritesTable', line: 2, message: '(from int4)' }],
    },
    {
      name: 'unknown table: the current type is unknown', pgVersion: 13,
      sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(320);',
      errors: [{ messageId: 'mayRewriteTable', line: 1, message: 'ALTER COLUMN email TYPE varchar(320) may rewrite public.users' }],
    },
    {
      name: 'unknown table with a USING expression: certainly rewrites',
      sql: 'ALTER TABLE users ALTER COLUMN age TYPE int USING age::int;',
      errors: [{ messageId: 'rewritesTable', message: 'ALTER COLUMN age TYPE int rewrites public.users' }],
    },
  ],
});
