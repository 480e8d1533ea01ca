import rule from '../../../../src/analyzer/rules/require-concurrent-partition-detach.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: `CREATE TABLE events (id bigint, kind text) PARTITION BY LIST (kind);
    CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('a');
    CREATE TABLE events_b PARTITION OF events FOR VALUES IN ('b');
    CREATE TABLE events_old (id bigint, kind text);
    CREATE SCHEMA "Log"; CREATE TABLE "Log"."Hits" ("At" date) PARTITION BY RANGE ("At");
    CREATE TABLE "Log"."Hits2023" PARTITION OF "Log"."Hits" FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');`,
  valid: [
    { name: 'CONCURRENTLY', sql: 'ALTER TABLE events DETACH PARTITION events_a CONCURRENTLY;' },
    { name: 'FINALIZE', sql: 'ALTER TABLE events DETACH PARTITION events_a FINALIZE;' },
    { name: 'partitioned table created in the same migration', sql: "CREATE TABLE t (a int) PARTITION BY LIST (a);\nCREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);\nALTER TABLE t DETACH PARTITION t1;" },
    { name: 'before PostgreSQL 14 there is no concurrent form', sql: 'ALTER TABLE events DETACH PARTITION events_a;', pgVersion: 13 },
    { name: 'ATTACH is another rule\'s', sql: "ALTER TABLE events ATTACH PARTITION events_old FOR VALUES IN ('o');" },
  ],
  invalid: [
    {
      name: 'plain detach, autocommit',
      sql: 'ALTER TABLE events DETACH PARTITION events_a;',
      errors: [{
        messageId: 'blocksParent', line: 1, column: 20,
        message: 'DETACH PARTITION public.events_a takes ACCESS EXCLUSIVE on the partitioned table public.events: every read and write on public.events and all its partitions waits until the detach finishes.',
        output: 'ALTER TABLE events DETACH PARTITION events_a CONCURRENTLY;',
      }],
    },
    {
      name: 'quoted, schema-qualified, mixed case, explicit transaction, comments, IF EXISTS',
      sql: 'BEGIN;\n-- archive 2023\nalter table if exists "Log"."Hits" detach partition "Log"."Hits2023" /* old */;\nCOMMIT;',
      errors: [{
        messageId: 'blocksParent', line: 3, column: 36, message: 'on the partitioned table "Log"."Hits": every read and write on "Log"."Hits" and all its partitions waits until the transaction commits',
        output: 'BEGIN;\n-- archive 2023\nalter table if exists "Log"."Hits" detach partition "Log"."Hits2023" CONCURRENTLY /* old */;\nCOMMIT;',
      }],
    },
    {
      name: 'a runner transaction', options: { runner: 'flyway' },
      sql: 'ALTER TABLE events DETACH PARTITION events_b;',
      errors: [{ messageId: 'blocksParent', message: 'until the transaction commits', output: 'ALTER TABLE events DETACH PARTITION events_b CONCURRENTLY;' }],
    },
    {
      name: 'with a default partition CONCURRENTLY is refused: no fix',
      sql: 'ALTER TABLE events ATTACH PARTITION events_old DEFAULT;\nCOMMIT;\nALTER TABLE events DETACH PARTITION events_b;',
      errors: [{ messageId: 'blocksParent', line: 3, output: null }],
    },
    {
      name: 'table unknown to the schema model still warns', pgVersion: 18,
      sql: 'ALTER TABLE metrics DETACH PARTITION metrics_2020;',
      errors: [{ messageId: 'blocksParent', message: 'public.metrics', output: 'ALTER TABLE metrics DETACH PARTITION metrics_2020 CONCURRENTLY;' }],
    },
  ],
});
