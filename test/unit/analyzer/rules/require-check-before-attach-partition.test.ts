import rule from '../../../../src/analyzer/rules/require-check-before-attach-partition.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: `CREATE TABLE events (id bigint, kind text) PARTITION BY LIST (kind);
    CREATE TABLE events_a (id bigint, kind text);
    CREATE TABLE events_b (id bigint, kind text, CONSTRAINT b_bound CHECK (kind IS NOT NULL AND kind = 'b'));
    CREATE TABLE events_c (id bigint, kind text, CONSTRAINT c_nn CHECK (kind IS NOT NULL));
    CREATE TABLE events_d (id bigint, kind text, CONSTRAINT d_bound CHECK (kind IS NOT NULL AND kind = 'd') NOT VALID);
    CREATE TABLE events_old (id bigint, kind text);
    CREATE SCHEMA "Log"; CREATE TABLE "Log"."Hits" ("At" date) PARTITION BY RANGE ("At"); CREATE TABLE "Log"."Hits2024" ("At" date);`,
  valid: [
    { name: 'a validated CHECK matching the bound', sql: "ALTER TABLE events ATTACH PARTITION events_b FOR VALUES IN ('b');" },
    { name: 'the CHECK added and validated earlier in the file', sql: "ALTER TABLE events_a ADD CONSTRAINT a_bound CHECK (kind IS NOT NULL AND kind = 'a') NOT VALID;\nALTER TABLE events_a VALIDATE CONSTRAINT a_bound;\nALTER TABLE events ATTACH PARTITION events_a FOR VALUES IN ('a');" },
    { name: 'partition created in the same migration', sql: "CREATE TABLE events_z (id bigint, kind text);\nALTER TABLE events ATTACH PARTITION events_z FOR VALUES IN ('z');" },
    { name: 'CREATE TABLE … PARTITION OF', sql: "CREATE TABLE events_y PARTITION OF events FOR VALUES IN ('y');" },
    { name: 'DETACH is another rule\'s', sql: 'ALTER TABLE events DETACH PARTITION events_b;' },
    { name: 'ALTER INDEX … ATTACH PARTITION', sql: 'ALTER INDEX events_kind_idx ATTACH PARTITION events_a_kind_idx;' },
  ],
  invalid: [
    {
      name: 'no CHECK',
      sql: "ALTER TABLE events ATTACH PARTITION events_a FOR VALUES IN ('a');",
      errors: [{ messageId: 'scansPartition', line: 1, column: 20, message: 'ATTACH PARTITION scans public.events_a under ACCESS EXCLUSIVE to check that every row fits the bound: reads and writes on public.events_a wait until the scan ends (public.events itself gets SHARE UPDATE EXCLUSIVE' }],
    },
    {
      name: 'a bare IS NOT NULL check does not prove a bound',
      sql: "ALTER TABLE events ATTACH PARTITION events_c FOR VALUES IN ('c');",
      errors: [{ messageId: 'scansPartition', message: 'public.events_c' }],
    },
    {
      name: 'a NOT VALID check proves nothing',
      sql: "ALTER TABLE events ATTACH PARTITION events_d FOR VALUES IN ('d');",
      errors: [{ messageId: 'scansPartition', message: 'public.events_d' }],
    },
    {
      name: 'quoted, schema-qualified, mixed case, explicit transaction, comments, IF EXISTS',
      sql: "BEGIN;\n-- last year\nalter table if exists \"Log\".\"Hits\" attach partition \"Log\".\"Hits2024\" for values from ('2024-01-01') to ('2025-01-01');\nCOMMIT;",
      errors: [{ messageId: 'scansPartition', line: 3, column: 36, message: 'scans "Log"."Hits2024"' }],
    },
    {
      name: 'before PostgreSQL 12 the parent is locked too', pgVersion: 11,
      sql: "ALTER TABLE events ATTACH PARTITION events_a FOR VALUES IN ('a');",
      errors: [{ messageId: 'scansPartition', message: 'public.events itself gets ACCESS EXCLUSIVE as well' }],
    },
    {
      name: 'a default partition is scanned too',
      sql: "ALTER TABLE events ATTACH PARTITION events_old DEFAULT;\nCOMMIT;\nALTER TABLE events ATTACH PARTITION events_b FOR VALUES IN ('b');",
      errors: [
        { messageId: 'scansPartition', line: 1, message: 'public.events_old' },
        { messageId: 'scansDefaultPartition', line: 3, column: 20, message: 'ATTACH PARTITION also scans the default partition public.events_old of public.events under ACCESS EXCLUSIVE' },
      ],
    },
    {
      name: 'partition unknown to the schema model still warns', pgVersion: 13,
      sql: "ALTER TABLE events ATTACH PARTITION events_q FOR VALUES IN ('q');",
      errors: [{ messageId: 'scansPartition', message: 'public.events_q' }],
    },
  ],
});
