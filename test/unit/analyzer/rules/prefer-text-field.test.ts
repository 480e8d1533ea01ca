import rule from '../../../../src/analyzer/rules/prefer-text-field.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text, slug varchar(100)); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'text with a CHECK', sql: 'CREATE TABLE t (code text CHECK (char_length(code) <= 10));' },
    { name: 'varchar without a length is text', sql: 'CREATE TABLE t (a varchar, b character varying);' },
    { name: 'ADD COLUMN IF NOT EXISTS text', sql: 'ALTER TABLE articles ADD COLUMN IF NOT EXISTS summary text;' },
    { name: 'a cast to varchar(n) is not a column', sql: "UPDATE articles SET title = title::varchar(10) WHERE id = 1;" },
    { name: 'PostgreSQL 13: varchar(n) to text', pgVersion: 13, sql: 'ALTER TABLE articles ALTER COLUMN slug TYPE text;' },
  ],
  invalid: [
    {
      name: 'CREATE TABLE: the fix adds the CHECK on the new column',
      sql: 'CREATE TABLE t (id bigint, name varchar(50) NOT NULL);',
      errors: [{ messageId: 'varcharColumn', line: 1, column: 33, message: 'public.t.name is varchar(50)', output: 'CREATE TABLE t (id bigint, name text CHECK (char_length(name) <= 50) NOT NULL);' }],
    },
    {
      name: 'quoted column, character varying(n), several statements (PostgreSQL 18)',
      pgVersion: 18,
      sql: 'CREATE TABLE "Tags" ("Label" character varying (20));\nCREATE TABLE x (y varchar(3)[]);',
      errors: [
        { messageId: 'varcharColumn', line: 1, message: 'public."Tags"."Label" is character varying (20)', output: 'CREATE TABLE "Tags" ("Label" text CHECK (char_length("Label") <= 20));\nCREATE TABLE x (y varchar(3)[]);' },
        { messageId: 'varcharColumn', line: 2, message: 'varchar(3)[]', output: 'CREATE TABLE "Tags" ("Label" character varying (20));\nCREATE TABLE x (y text[]);' },
      ],
    },
    {
      name: 'ADD COLUMN on an existing quoted schema-qualified table: type only, CHECK in the help',
      sql: 'BEGIN;\n-- email\nALTER TABLE app."Users" ADD COLUMN email VARCHAR(255);\nCOMMIT;',
      errors: [{ messageId: 'varcharColumn', line: 3, column: 42, message: 'lowering it rewrites app."Users"', output: 'BEGIN;\n-- email\nALTER TABLE app."Users" ADD COLUMN email text;\nCOMMIT;' }],
    },
    {
      name: 'ALTER COLUMN TYPE varchar(n), mixed case table',
      sql: 'ALTER TABLE Public.Articles ALTER COLUMN title TYPE varchar(200);',
      errors: [{ messageId: 'varcharColumn', line: 1, output: 'ALTER TABLE Public.Articles ALTER COLUMN title TYPE text;' }],
    },
  ],
});
