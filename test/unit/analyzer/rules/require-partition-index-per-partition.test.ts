import rule from '../../../../src/analyzer/rules/require-partition-index-per-partition.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: [
    'CREATE TABLE events (ts timestamptz, account_id bigint) PARTITION BY RANGE (ts);',
    "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
    'CREATE SCHEMA app; CREATE TABLE app."Logs" (at date, msg text) PARTITION BY LIST (at);',
    'CREATE TABLE articles (id bigint PRIMARY KEY, title text);',
  ].join('\n'),
  valid: [
    { name: 'ON ONLY the parent', sql: 'CREATE INDEX events_account_idx ON ONLY events (account_id);' },
    {
      name: 'the whole recipe',
      sql: [
        'CREATE INDEX events_account_idx ON ONLY events (account_id);',
        'CREATE INDEX CONCURRENTLY events_2024_account_idx ON events_2024 (account_id);',
        'ALTER INDEX events_account_idx ATTACH PARTITION events_2024_account_idx;',
      ].join('\n'),
    },
    { name: 'a plain table (require-concurrent-index-creation covers it)', sql: 'CREATE INDEX articles_title_idx ON articles (title);' },
    { name: 'partitioned table created in the same migration', sql: 'CREATE TABLE m (a int) PARTITION BY RANGE (a);\nCREATE INDEX m_a_idx ON m (a);' },
  ],
  invalid: [
    {
      name: 'CREATE INDEX on the parent locks every partition',
      sql: 'CREATE INDEX events_account_idx ON events (account_id);',
      errors: [{ messageId: 'blocksWritesOnAllPartitions', line: 1, column: 1, message: 'public.events_2024 and public.events_2025' }],
    },
    {
      name: 'CONCURRENTLY fails on a partitioned table',
      sql: '-- try concurrently\nCREATE UNIQUE INDEX CONCURRENTLY events_uniq ON events (ts, account_id);',
      errors: [{ messageId: 'concurrentNotSupported', line: 2, message: 'cannot create index on partitioned table concurrently' }],
    },
    {
      name: 'quoted, schema-qualified, mixed case, partitions unknown, in a transaction',
      sql: 'BEGIN;\ncreate index on App."Logs" (at);\nCOMMIT;', pgVersion: 13,
      errors: [{ messageId: 'blocksWritesOnAllPartitions', line: 2, message: 'the schema model knows none' }],
    },
    {
      name: 'IF NOT EXISTS of a new index, PostgreSQL 18',
      sql: 'SELECT 1;\nCREATE INDEX IF NOT EXISTS events_ts_idx ON public.events USING btree (ts);', pgVersion: 18,
      errors: [{ messageId: 'blocksWritesOnAllPartitions', line: 2 }],
    },
  ],
});

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser } from '../../../../src/analyzer/parse.js';
import { analyze } from '../../../../src/analyzer/analyze.js';

describe('require-partition-index-per-partition help', () => {
  before(async () => { await loadParser(); });
  it('spells out the recipe with the real partitions', () => {
    const schemaSql = "CREATE TABLE events (ts timestamptz, account_id bigint) PARTITION BY RANGE (ts); CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');";
    const f = analyze('CREATE INDEX events_account_idx ON events (account_id);', { schemaSql, ruleSet: [rule] }).findings[0];
    assert.match(f.help, /CREATE INDEX events_account_idx ON ONLY public\.events \(account_id\);/);
    assert.match(f.help, /CREATE INDEX CONCURRENTLY events_2024_account_id_idx ON public\.events_2024 \(account_id\);/);
    assert.match(f.help, /ALTER INDEX public\.events_account_idx ATTACH PARTITION public\.events_2024_account_id_idx;/);
  });
});
