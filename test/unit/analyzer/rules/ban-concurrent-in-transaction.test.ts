import rule from '../../../../src/analyzer/rules/ban-concurrent-in-transaction.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text); CREATE INDEX articles_title_idx ON articles (title); CREATE TABLE app."Events" (ts timestamptz) PARTITION BY RANGE (ts); CREATE TABLE app.events_2024 PARTITION OF app."Events" FOR VALUES FROM (\'2024-01-01\') TO (\'2025-01-01\');',
  valid: [
    { name: 'concurrent build in autocommit', sql: 'CREATE INDEX CONCURRENTLY articles_title2_idx ON articles (title);' },
    { name: 'after COMMIT the statement runs on its own', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN body text;\nCOMMIT;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS articles_body_idx ON articles (body);' },
    { name: 'plain index build inside a transaction is fine', sql: 'BEGIN; CREATE INDEX i ON articles (title); COMMIT;' },
    { name: 'single-statement file with golang-migrate runs outside a transaction', sql: 'VACUUM articles;', options: { runner: 'golang-migrate' } },
    { name: 'ALTER TYPE … ADD VALUE in a transaction since PostgreSQL 12', sql: 'BEGIN; ALTER TYPE mood ADD VALUE \'meh\'; COMMIT;', pgVersion: 13 },
    { name: 'REFRESH MATERIALIZED VIEW CONCURRENTLY may run in a transaction', sql: 'BEGIN; REFRESH MATERIALIZED VIEW CONCURRENTLY mv; COMMIT;' },
    { name: 'REINDEX of a partitioned table in a transaction on PostgreSQL 13 (skipped there with a warning)', sql: 'BEGIN; REINDEX TABLE app."Events"; COMMIT;', pgVersion: 13 },
    { name: 'psql runner: autocommit', sql: 'ANALYZE articles;\nVACUUM articles;', options: { runner: 'psql' } },
  ],
  invalid: [
    {
      name: 'CREATE INDEX CONCURRENTLY between BEGIN and COMMIT',
      sql: 'BEGIN;\n-- build it\nCREATE INDEX CONCURRENTLY articles_title2_idx ON articles (title);\nCOMMIT;',
      errors: [{ messageId: 'explicitTransaction', line: 3, column: 14, message: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block' }],
    },
    {
      name: 'DROP INDEX CONCURRENTLY, quoted and schema-qualified, in Flyway\'s transaction',
      sql: 'ALTER TABLE articles ADD COLUMN body text;\ndrop index concurrently if exists app."Events_ts_idx";',
      options: { runner: 'flyway' },
      errors: [{ messageId: 'implicitTransaction', line: 2, message: 'flyway runs the whole migration in one transaction' }],
    },
    {
      name: 'multi-statement runner: the implicit transaction of a query string',
      sql: 'SELECT 1;\nVACUUM articles;',
      options: { runner: 'golang-migrate' },
      errors: [{ messageId: 'implicitTransaction', line: 2, message: 'one implicit transaction' }],
    },
    {
      name: 'assumeInTransaction without a runner',
      sql: 'REINDEX INDEX CONCURRENTLY articles_title_idx;',
      options: { assumeInTransaction: true },
      errors: [{ messageId: 'implicitTransaction', line: 1, message: '"REINDEX CONCURRENTLY cannot run inside a transaction block"' }],
    },
    {
      name: 'DETACH PARTITION CONCURRENTLY in an explicit transaction, Rails runner named in the help',
      sql: 'BEGIN;\nALTER TABLE app."Events" DETACH PARTITION app.events_2024 CONCURRENTLY;\nCOMMIT;',
      options: { runner: 'rails' },
      errors: [{ messageId: 'explicitTransaction', line: 2, message: 'ALTER TABLE ... DETACH CONCURRENTLY' }],
    },
    {
      name: 'REINDEX SCHEMA and CREATE DATABASE are non-transactional too',
      sql: 'START TRANSACTION;\nREINDEX SCHEMA public;\nCREATE DATABASE scratch;\nCOMMIT;',
      errors: [
        { messageId: 'explicitTransaction', line: 2, message: 'REINDEX SCHEMA' },
        { messageId: 'explicitTransaction', line: 3, message: 'CREATE DATABASE' },
      ],
    },
    {
      name: 'ALTER TYPE … ADD VALUE in a transaction before PostgreSQL 12',
      sql: 'BEGIN;\nALTER TYPE mood ADD VALUE \'meh\';\nCOMMIT;', pgVersion: 11,
      errors: [{ messageId: 'explicitTransaction', line: 2, message: '"ALTER TYPE ... ADD cannot run inside a transaction block"' }],
    },
    {
      name: 'REINDEX of a partitioned table runs one partition per transaction from PostgreSQL 14',
      sql: 'BEGIN;\nREINDEX TABLE app."Events";\nCOMMIT;', pgVersion: 14,
      errors: [{ messageId: 'explicitTransaction', line: 2, message: '"REINDEX TABLE cannot run inside a transaction block"' }],
    },
  ],
});

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser } from '../../../../src/analyzer/parse.js';
import { analyze } from '../../../../src/analyzer/analyze.js';

describe('ban-concurrent-in-transaction help', () => {
  before(async () => { await loadParser(); });
  it('uses the runner\'s way out of its transaction', () => {
    const f = analyze('SELECT 1;\nVACUUM t;', { runner: 'rails', ruleSet: [rule] }).findings[0];
    assert.match(f.help, /disable_ddl_transaction!/);
    const g = analyze('BEGIN; VACUUM t; COMMIT;', { ruleSet: [rule] }).findings[0];
    assert.match(g.help, /outside BEGIN … COMMIT/);
  });
});
