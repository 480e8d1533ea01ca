import rule from '../../../../src/analyzer/rules/require-concurrent-matview-refresh.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: [
    'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric, day date);',
    'CREATE MATERIALIZED VIEW daily_totals AS SELECT day, sum(total) FROM orders GROUP BY day;',
    'CREATE UNIQUE INDEX daily_totals_day ON daily_totals (day);',
    'CREATE SCHEMA reports;',
    'CREATE MATERIALIZED VIEW reports."Top" AS SELECT id FROM orders;',
    'CREATE MATERIALIZED VIEW reports.partial AS SELECT id FROM orders;',
    'CREATE UNIQUE INDEX partial_id ON reports.partial (id) WHERE id > 0;',
  ].join('\n'),
  valid: [
    { name: 'CONCURRENTLY', sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;' },
    { name: 'WITH NO DATA empties the view without running its query', sql: 'REFRESH MATERIALIZED VIEW daily_totals WITH NO DATA;' },
    { name: 'view created in the same migration', sql: 'CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x WITH NO DATA;\nREFRESH MATERIALIZED VIEW mv;' },
  ],
  invalid: [
    {
      name: 'view with a unique index: suggestion adds CONCURRENTLY',
      sql: 'REFRESH MATERIALIZED VIEW daily_totals;',
      errors: [{ messageId: 'blocksReads', line: 1, column: 1, message: 'ACCESS EXCLUSIVE lock on public.daily_totals', output: 'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;' }],
    },
    {
      name: 'inside an explicit transaction, mixed case, after a comment (REFRESH CONCURRENTLY may stay in it)',
      sql: 'BEGIN;\n-- nightly\nrefresh materialized view Daily_Totals WITH DATA;\nCOMMIT;', pgVersion: 13,
      errors: [{ messageId: 'blocksReads', line: 3, output: 'BEGIN;\n-- nightly\nrefresh materialized view CONCURRENTLY Daily_Totals WITH DATA;\nCOMMIT;' }],
    },
    {
      name: 'quoted, schema-qualified view without a unique index: no fix, help says create one',
      sql: 'REFRESH MATERIALIZED VIEW reports."Top";',
      errors: [{ messageId: 'blocksReadsNoUniqueIndex', line: 1, message: 'reports."Top" has no unique index' }],
    },
    {
      name: 'a partial unique index does not qualify',
      sql: 'SELECT 1;\nREFRESH MATERIALIZED VIEW reports.partial;', pgVersion: 18,
      errors: [{ messageId: 'blocksReadsNoUniqueIndex', line: 2 }],
    },
    {
      name: 'view unknown to the schema model: says so, no fix',
      sql: 'REFRESH MATERIALIZED VIEW stats;',
      errors: [{ messageId: 'blocksReadsUnknownView', line: 1, message: 'does not know public.stats' }],
    },
  ],
});
