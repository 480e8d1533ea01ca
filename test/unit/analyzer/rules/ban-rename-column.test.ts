import rule from '../../../../src/analyzer/rules/ban-rename-column.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text, "Body" text); CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int, state text);',
  valid: [
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;' },
    { name: 'column added earlier in the same migration', sql: 'ALTER TABLE articles ADD COLUMN tmp int;\nALTER TABLE articles RENAME COLUMN tmp TO summary_len;' },
    { name: 'renaming a constraint', sql: 'ALTER TABLE articles RENAME CONSTRAINT articles_pkey TO articles_pk;' },
    { name: 'renaming a column of a view is out of scope', sql: 'ALTER VIEW v RENAME COLUMN a TO b;' },
  ],
  invalid: [
    {
      name: 'RENAME COLUMN of an existing column',
      sql: 'ALTER TABLE articles RENAME COLUMN title TO headline;',
      errors: [{ messageId: 'breaksClients', line: 1, column: 22, message: 'RENAME COLUMN title TO headline on public.articles' }],
    },
    {
      name: 'quoted and mixed case, without COLUMN, after a comment',
      sql: '-- tidy\nalter table Articles rename "Body" TO body;',
      errors: [{ messageId: 'breaksClients', line: 2, column: 22, message: '"Body" TO body' }],
    },
    {
      name: 'schema-qualified, IF EXISTS, in an explicit transaction',
      sql: 'BEGIN;\nALTER TABLE IF EXISTS app."Jobs" RENAME COLUMN state TO status;\nCOMMIT;', pgVersion: 13,
      errors: [{ messageId: 'breaksClients', line: 2, message: 'app."Jobs"' }],
    },
    {
      name: 'table unknown to the schema model still flagged',
      sql: 'SELECT 1;\nALTER TABLE users RENAME COLUMN email TO email_address;', pgVersion: 18,
      errors: [{ messageId: 'breaksClients', line: 2, message: 'public.users' }],
    },
  ],
});
