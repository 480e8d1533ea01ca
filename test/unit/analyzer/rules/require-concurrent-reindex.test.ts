import rule from '../../../../src/analyzer/rules/require-concurrent-reindex.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text); CREATE INDEX articles_title_idx ON articles (title); CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int); CREATE INDEX "Jobs_id" ON app."Jobs" (id);',
  valid: [
    { name: 'REINDEX INDEX CONCURRENTLY', sql: 'REINDEX INDEX CONCURRENTLY articles_title_idx;' },
    { name: 'option-list form', sql: 'REINDEX (CONCURRENTLY, VERBOSE) TABLE articles;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nREINDEX TABLE t;\nREINDEX INDEX t_a;' },
    { name: 'REINDEX SYSTEM has no concurrent form', sql: 'REINDEX SYSTEM;' },
    { name: 'before PostgreSQL 12 there is no CONCURRENTLY to ask for', sql: 'REINDEX INDEX articles_title_idx;', pgVersion: 11 },
  ],
  invalid: [
    {
      name: 'REINDEX INDEX names the index and its table',
      sql: 'REINDEX INDEX articles_title_idx;',
      errors: [{ messageId: 'reindexIndex', line: 1, column: 1, message: 'SHARE lock on public.articles', output: 'REINDEX INDEX CONCURRENTLY articles_title_idx;' }],
    },
    {
      name: 'REINDEX TABLE with options, quoted, schema-qualified, mixed case, after a comment',
      sql: '-- bloat\nreindex (verbose) Table App."Jobs";',
      errors: [{ messageId: 'reindexTable', line: 2, message: 'app."Jobs_id"', output: '-- bloat\nreindex (verbose) Table CONCURRENTLY App."Jobs";' }],
    },
    {
      name: 'unknown index: the table is unknown, said so',
      sql: 'SELECT 1;\nREINDEX INDEX legacy_idx;',
      errors: [{ messageId: 'reindexIndexUnknownTable', line: 2, message: 'does not know the index', output: 'SELECT 1;\nREINDEX INDEX CONCURRENTLY legacy_idx;' }],
    },
    {
      name: 'REINDEX SCHEMA in an explicit transaction (the fix title says it must leave)',
      sql: 'BEGIN;\nREINDEX SCHEMA app;\nCOMMIT;', pgVersion: 13,
      errors: [{ messageId: 'reindexMany', line: 2, message: 'SCHEMA app', output: 'BEGIN;\nREINDEX SCHEMA CONCURRENTLY app;\nCOMMIT;' }],
    },
    {
      name: 'CONCURRENTLY false in the option list: no mechanical fix',
      sql: 'REINDEX (CONCURRENTLY false) DATABASE prod;', pgVersion: 18,
      errors: [{ messageId: 'reindexMany', line: 1, message: 'DATABASE prod', output: null }],
    },
  ],
});
