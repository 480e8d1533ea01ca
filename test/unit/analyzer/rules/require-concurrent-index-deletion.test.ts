import rule from '../../../../src/analyzer/rules/require-concurrent-index-deletion.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: [
    'CREATE TABLE articles (id bigint PRIMARY KEY, title text);',
    'CREATE INDEX articles_title_idx ON articles (title);',
    'CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int, state text);',
    'CREATE INDEX "Jobs_State_idx" ON app."Jobs" (state);',
    'CREATE TABLE events (ts timestamptz) PARTITION BY RANGE (ts);',
    'CREATE INDEX events_ts_idx ON events (ts);',
  ].join('\n'),
  valid: [
    { name: 'concurrent drop', sql: 'DROP INDEX CONCURRENTLY articles_title_idx;' },
    { name: 'concurrent drop with IF EXISTS, schema-qualified', sql: 'DROP INDEX CONCURRENTLY IF EXISTS app."Jobs_State_idx";' },
    { name: 'index created in the same migration', sql: 'CREATE INDEX CONCURRENTLY tmp_idx ON articles (title);\nDROP INDEX tmp_idx;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);\nDROP INDEX t_a_idx;' },
    { name: 'other DROP statements', sql: 'DROP TABLE IF EXISTS nothing_here; DROP VIEW IF EXISTS v;' },
  ],
  invalid: [
    {
      name: 'plain drop of an existing index',
      sql: 'DROP INDEX articles_title_idx;',
      errors: [{ messageId: 'blocksReadsAndWrites', line: 1, column: 1, message: 'ACCESS EXCLUSIVE lock on public.articles_title_idx and on the table public.articles', output: 'DROP INDEX CONCURRENTLY articles_title_idx;' }],
    },
    {
      name: 'quoted, schema-qualified, mixed case, IF EXISTS, after a comment',
      sql: '-- the old index\ndrop index if exists App."Jobs_State_idx";',
      errors: [{ messageId: 'blocksReadsAndWrites', line: 2, message: 'app."Jobs"', output: '-- the old index\ndrop index CONCURRENTLY if exists App."Jobs_State_idx";' }],
    },
    {
      name: 'inside an explicit transaction: the fix title says it must leave it',
      sql: 'BEGIN;\nDROP INDEX articles_title_idx;\nCOMMIT;',
      errors: [{ messageId: 'blocksReadsAndWrites', line: 2, output: 'BEGIN;\nDROP INDEX CONCURRENTLY articles_title_idx;\nCOMMIT;' }],
    },
    {
      name: 'index unknown to the schema model: says so',
      sql: 'SELECT 1;\nDROP INDEX IF EXISTS legacy_idx;',
      errors: [{ messageId: 'unknownTable', line: 2, message: 'which the schema model does not know', output: 'SELECT 1;\nDROP INDEX CONCURRENTLY IF EXISTS legacy_idx;' }],
    },
    {
      name: 'several indexes or CASCADE: CONCURRENTLY cannot be added mechanically',
      sql: 'DROP INDEX articles_title_idx, app."Jobs_State_idx";\nDROP INDEX articles_pkey CASCADE;',
      errors: [
        { messageId: 'blocksReadsAndWrites', line: 1, message: 'public.articles_title_idx and app."Jobs_State_idx"', output: null },
        { messageId: 'blocksReadsAndWrites', line: 2, message: 'public.articles_pkey', output: null },
      ],
    },
    {
      name: 'partitioned index: no concurrent form, no fix',
      sql: 'DROP INDEX events_ts_idx;',
      errors: [{ messageId: 'partitionedIndex', line: 1, message: 'public.events', output: null }],
    },
    {
      name: 'same finding on the oldest and newest supported versions',
      sql: 'DROP INDEX articles_title_idx;', pgVersion: 13,
      errors: [{ messageId: 'blocksReadsAndWrites', line: 1, output: 'DROP INDEX CONCURRENTLY articles_title_idx;' }],
    },
    {
      name: 'PostgreSQL 18',
      sql: 'DROP INDEX articles_title_idx;', pgVersion: 18,
      errors: [{ messageId: 'blocksReadsAndWrites', line: 1, output: 'DROP INDEX CONCURRENTLY articles_title_idx;' }],
    },
  ],
});

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser } from '../../../../src/analyzer/parse.js';
import { analyze } from '../../../../src/analyzer/analyze.js';

describe('require-concurrent-index-deletion fix titles', () => {
  before(async () => { await loadParser(); });
  const title = (sql: string) => analyze(sql, { schemaSql: 'CREATE TABLE a (x int); CREATE INDEX a_x ON a (x);', ruleSet: [rule] }).findings[0]?.fix?.title ?? '';
  it('says the statement must leave the transaction', () => {
    assert.match(title('BEGIN; DROP INDEX a_x; COMMIT;'), /out of the transaction/);
    assert.match(title('DROP INDEX a_x;'), /outside any transaction/);
  });
});
