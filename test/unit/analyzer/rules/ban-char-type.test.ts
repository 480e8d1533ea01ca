import rule from '../../../../src/analyzer/rules/ban-char-type.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, lang text); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'text and varchar', sql: 'CREATE TABLE t (a text, b varchar(2));' },
    { name: 'the internal one-byte "char" type', sql: 'CREATE TABLE t (flag "char");' },
    { name: 'ADD COLUMN IF NOT EXISTS text', sql: 'ALTER TABLE articles ADD COLUMN IF NOT EXISTS country text;' },
    { name: 'a cast to char(n) is not a column', sql: "SELECT 'a'::char(3);" },
    { name: 'PostgreSQL 13: from char to text', pgVersion: 13, sql: 'ALTER TABLE articles ALTER COLUMN lang TYPE text;' },
  ],
  invalid: [
    {
      name: 'char(n) in CREATE TABLE',
      sql: 'CREATE TABLE t (code char(3) NOT NULL);',
      errors: [{ messageId: 'charColumn', line: 1, column: 22, message: 'public.t.code is char(3)', output: 'CREATE TABLE t (code text NOT NULL);' }],
    },
    {
      name: 'character, CHARACTER(2), quoted names, several statements, explicit BEGIN',
      sql: 'BEGIN;\nCREATE TABLE "Flags" ("On" character);\n-- language\nALTER TABLE app."Users" ADD COLUMN lang CHARACTER(2);\nCOMMIT;',
      errors: [
        { messageId: 'charColumn', line: 2, message: 'public."Flags"."On" is character', output: 'BEGIN;\nCREATE TABLE "Flags" ("On" text);\n-- language\nALTER TABLE app."Users" ADD COLUMN lang CHARACTER(2);\nCOMMIT;' },
        { messageId: 'charColumn', line: 4, message: 'app."Users".lang is CHARACTER(2)', output: 'BEGIN;\nCREATE TABLE "Flags" ("On" character);\n-- language\nALTER TABLE app."Users" ADD COLUMN lang text;\nCOMMIT;' },
      ],
    },
    {
      name: 'ALTER COLUMN TYPE char(n), mixed case, PostgreSQL 18',
      pgVersion: 18,
      sql: 'ALTER TABLE Public.Articles ALTER COLUMN lang TYPE Char(2);',
      errors: [{ messageId: 'charColumn', line: 1, column: 52, output: 'ALTER TABLE Public.Articles ALTER COLUMN lang TYPE text;' }],
    },
  ],
});
