import { defineRule } from '../rule.js';
import { rangeVarName } from '../names.js';
import { RUNNERS } from '../runners.js';
import { alterTable, clauseEnd, defaultPartitionOf, findIn, isNewRelation, offsetOf, rangeBetween } from './utils/group-a.js';

export default defineRule({
  id: 'require-concurrent-partition-detach',
  summary: 'Require DETACH PARTITION CONCURRENTLY on existing partitioned tables',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  minVersion: 14,
  messages: {
    blocksParent: 'DETACH PARTITION {{partition}} takes ACCESS EXCLUSIVE on the partitioned table {{table}}: every read and write on {{table}} and all its partitions waits until {{until}}.',
  },
  help: 'Use DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+): it takes SHARE UPDATE EXCLUSIVE on {{table}}, so queries go on. It cannot run inside a transaction block ({{hint}}); if it is interrupted, finish it with ALTER TABLE {{table}} DETACH PARTITION {{partition}} FINALIZE.',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    for (const cmd of at.cmds) {
      if (cmd.subtype !== 'AT_DetachPartition' || cmd.def?.PartitionCmd?.concurrent) continue;
      const name = cmd.def?.PartitionCmd?.name;
      const partition = rangeVarName(name) ?? 'the partition';
      const hint = ctx.file.runner ? RUNNERS[ctx.file.runner].nonTransactionalHint : RUNNERS.psql.nonTransactionalHint;
      const data = { table: at.table, partition, hint, until: ctx.stmt.inTransaction ? 'the transaction commits' : 'the detach finishes' };
      const span = findIn(ctx, '\\bdetach\\s+partition\\b');
      const end = clauseEnd(ctx.stmt.text, offsetOf(ctx, name?.location));
      const range = span ? rangeBetween(ctx, span[0], end) : ctx.stmt.range;
      // CONCURRENTLY is refused while the table has a default partition.
      const def = defaultPartitionOf(ctx, at.table);
      if (def) {
        ctx.report('blocksParent', data, {
          range,
          help: `DETACH … CONCURRENTLY is refused while ${at.table} has a default partition (${def}). Keep the detach short: run it with a short lock_timeout and retries, alone in its transaction.`,
        });
        continue;
      }
      ctx.report('blocksParent', data, {
        range,
        fix: name?.location !== undefined ? {
          title: 'Add CONCURRENTLY (the statement must then leave the transaction: it cannot run inside a transaction block)',
          edits: [ctx.edit(end, end, ' CONCURRENTLY')],
          isPreferred: false,
        } : undefined,
      });
    }
  },
});
