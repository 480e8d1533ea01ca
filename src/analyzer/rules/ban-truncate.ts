import { defineRule } from '../rule.js';
import { rangeVarName } from '../names.js';
import { listOf, shortListOf } from './utils/group-b.js';

export default defineRule({
  id: 'ban-truncate',
  summary: 'Ban TRUNCATE of existing tables in migrations',
  category: 'compatibility',
  defaultSeverity: 'error',
  kinds: ['TruncateStmt'],
  messages: {
    truncate: 'TRUNCATE {{tables}} deletes every row for good (it is not MVCC-safe: concurrent transactions see the tables empty) and takes an ACCESS EXCLUSIVE lock on {{tables}}: reads and writes wait until its transaction commits.',
    truncateCascade: 'TRUNCATE {{tables}} CASCADE deletes every row of {{tables}} and also of every table that references them by foreign key{{referencing}}, taking an ACCESS EXCLUSIVE lock on each: reads and writes of all of them wait, and their data is gone.',
  },
  help: {
    truncate: 'Do not empty production tables from a migration. If the data really must go, delete it in batches (DELETE … WHERE id IN (SELECT … LIMIT 1000)) from a background job, or truncate by hand after a backup.',
    truncateCascade: 'Do not empty production tables from a migration, least of all with CASCADE, which reaches tables the statement does not name. Name each table explicitly (without CASCADE, TRUNCATE fails when another table references it), or delete in batches from a background job.',
  },
  check(ctx) {
    if (ctx.kind !== 'TruncateStmt') return;
    const named = (ctx.node.relations ?? []).map((r: any) => rangeVarName(r.RangeVar)).filter((x: string | undefined): x is string => !!x);
    const tables = named.filter((t: string) => !ctx.schema.get(t)?.createdInMigration);
    if (!tables.length) return;
    const range = ctx.rangeOf(/^truncate\b/i) ?? ctx.stmt.range;
    if (ctx.node.behavior === 'DROP_CASCADE') {
      const others = ctx.stmt.locks.filter((l) => l.implicit && l.reason.startsWith('TRUNCATE … CASCADE') && !l.createdInMigration && l.relkind !== 'index' && l.relkind !== 'partitioned index').map((l) => l.relation);
      const referencing = others.length ? ` (${shortListOf(others)})` : ' (the schema model knows none; any added later are truncated too)';
      ctx.report('truncateCascade', { tables: listOf(tables), referencing }, { range });
    } else {
      ctx.report('truncate', { tables: listOf(tables) }, { range });
    }
  },
});
