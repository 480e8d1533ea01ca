import rule from '../../../../src/analyzer/rules/ban-truncate.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: [
    'CREATE TABLE users (id bigint PRIMARY KEY);',
    'CREATE TABLE articles (id bigint PRIMARY KEY, author_id bigint REFERENCES users);',
    'CREATE TABLE audit (id bigint);',
    'CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int);',
  ].join('\n'),
  valid: [
    { name: 'table created in the same migration', sql: 'CREATE TABLE staging (a int);\nTRUNCATE staging;' },
    { name: 'DELETE is another matter', sql: 'DELETE FROM audit WHERE id < 100;' },
  ],
  invalid: [
    {
      name: 'TRUNCATE of an existing table',
      sql: 'TRUNCATE audit;',
      errors: [{ messageId: 'truncate', line: 1, column: 1, message: 'ACCESS EXCLUSIVE lock on public.audit' }],
    },
    {
      name: 'several tables, quoted, schema-qualified, mixed case, after a comment',
      sql: '-- reset\ntruncate table ONLY App."Jobs", Audit RESTART IDENTITY;',
      errors: [{ messageId: 'truncate', line: 2, message: 'app."Jobs" and public.audit' }],
    },
    {
      name: 'CASCADE names the referencing tables from the lock model',
      sql: 'BEGIN;\nTRUNCATE users CASCADE;\nCOMMIT;', pgVersion: 13,
      errors: [{ messageId: 'truncateCascade', line: 2, message: '(public.articles)' }],
    },
    {
      name: 'CASCADE with no known referencing table, several statements',
      sql: 'SELECT 1;\nTRUNCATE TABLE audit CASCADE;', pgVersion: 18,
      errors: [{ messageId: 'truncateCascade', line: 2, message: 'the schema model knows none' }],
    },
    {
      name: 'table unknown to the schema model still flagged',
      sql: 'TRUNCATE IF_NOT_THERE;',
      errors: [{ messageId: 'truncate', line: 1, message: 'public.if_not_there' }],
    },
  ],
});
