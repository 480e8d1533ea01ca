import rule from '../../../../src/analyzer/rules/ban-create-index-concurrently-if-not-exists.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text); CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int, state text);',
  valid: [
    { name: 'concurrent build without IF NOT EXISTS', sql: 'CREATE INDEX CONCURRENTLY articles_title_idx ON articles (title);' },
    { name: 'plain build with IF NOT EXISTS (atomic: never leaves an invalid index)', sql: 'CREATE INDEX IF NOT EXISTS articles_title_idx ON articles (title);' },
    { name: 'the recommended pair', sql: 'DROP INDEX CONCURRENTLY IF EXISTS articles_title_idx;\nCREATE INDEX CONCURRENTLY articles_title_idx ON articles (title);' },
    { name: 'table created in the same migration: a rerun stops at CREATE TABLE', sql: 'CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON t (a);' },
  ],
  invalid: [
    {
      name: 'CIC IF NOT EXISTS on an existing table: fix drops a leftover first',
      sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS articles_title_idx ON articles (title);',
      errors: [{
        messageId: 'keepsInvalidIndex', line: 1, column: 27, message: 'INVALID index named public.articles_title_idx',
        output: 'DROP INDEX CONCURRENTLY IF EXISTS public.articles_title_idx;\nCREATE INDEX CONCURRENTLY articles_title_idx ON articles (title);',
      }],
    },
    {
      name: 'unique, quoted, schema-qualified, mixed case, after a comment and another statement',
      sql: 'SET lock_timeout = \'2s\';\n-- state lookups\ncreate unique index concurrently if not exists "Jobs_State" on App."Jobs" (state);',
      errors: [{
        messageId: 'keepsInvalidIndex', line: 3, message: 'app."Jobs_State" on app."Jobs"',
        output: 'SET lock_timeout = \'2s\';\n-- state lookups\nDROP INDEX CONCURRENTLY IF EXISTS app."Jobs_State";\ncreate unique index concurrently "Jobs_State" on App."Jobs" (state);',
      }],
    },
    {
      name: 'unknown table still warns',
      sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);', pgVersion: 13,
      errors: [{ messageId: 'keepsInvalidIndex', line: 1, message: 'public.users', output: 'DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);' }],
    },
    {
      name: 'inside an explicit transaction: no statement-adding fix',
      sql: 'BEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS articles_title_idx ON articles (title);\nCOMMIT;',
      errors: [{ messageId: 'keepsInvalidIndex', line: 2, output: null }],
    },
    {
      name: 'runner that wraps the file: no fix (two statements would share one transaction)',
      sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS articles_title_idx ON articles (title);', pgVersion: 18,
      options: { runner: 'golang-migrate' },
      errors: [{ messageId: 'keepsInvalidIndex', line: 1, output: null }],
    },
  ],
});
