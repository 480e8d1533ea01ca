import { defineRule, type RuleContext } from '../rule.js';
import { rangeVarName } from '../names.js';
import { alterTable, clauseEnd, defaultPartitionOf, findIn, isNewRelation, rangeBetween } from './utils/group-a.js';

/**
 * A heuristic: any validated CHECK constraint on the table, other than a bare `col IS NOT NULL`, is taken to prove the
 * partition bound (PostgreSQL then skips the scan). The schema model does not know the partition key to do better.
 */
function probablyProven(ctx: RuleContext<any>, relation: string): boolean {
  return ctx.schema.get(relation)?.constraints.some((c) => c.type === 'check' && c.validated && !c.provesNotNull) ?? false;
}

export default defineRule({
  id: 'require-check-before-attach-partition',
  summary: 'Require a validated CHECK matching the bound before ATTACH PARTITION',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    scansPartition: 'ATTACH PARTITION scans {{partition}} under ACCESS EXCLUSIVE to check that every row fits the bound: reads and writes on {{partition}} wait until the scan ends ({{table}} itself gets {{parentLock}}).',
    scansDefaultPartition: 'ATTACH PARTITION also scans the default partition {{default}} of {{table}} under ACCESS EXCLUSIVE for rows of the new bound: reads and writes on {{default}} wait until the scan ends.',
  },
  help: {
    scansPartition: 'Before attaching, add a CHECK constraint matching the bound to {{partition}} with NOT VALID and VALIDATE CONSTRAINT it in a separate transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on); ATTACH PARTITION then skips the scan, and the CHECK can be dropped afterwards. For FOR VALUES FROM (a) TO (b) on key k: CHECK (k IS NOT NULL AND k >= a AND k < b).',
    scansDefaultPartition: 'Give {{default}} a validated CHECK that excludes the new bound (ADD … NOT VALID, then VALIDATE CONSTRAINT in a separate transaction), e.g. CHECK (NOT (k IS NOT NULL AND k >= a AND k < b)), so PostgreSQL skips the scan; or move the default partition\'s rows of that range out first.',
  },
  check(ctx) {
    const at = alterTable(ctx);
    if (!at) return;
    for (const cmd of at.cmds) {
      if (cmd.subtype !== 'AT_AttachPartition') continue;
      const pc = cmd.def?.PartitionCmd;
      const partition = rangeVarName(pc?.name);
      if (!partition) continue;
      const span = findIn(ctx, '\\battach\\s+partition\\b');
      const range = span ? rangeBetween(ctx, span[0], clauseEnd(ctx.stmt.text, span[0])) : ctx.stmt.range;
      const parentLock = ctx.pgVersion >= 12 ? 'SHARE UPDATE EXCLUSIVE, which blocks no reads or writes' : 'ACCESS EXCLUSIVE as well';
      if (!isNewRelation(ctx, partition) && !probablyProven(ctx, partition)) {
        ctx.report('scansPartition', { partition, table: at.table, parentLock }, { range });
      }
      if ((pc.bound?.PartitionBoundSpec ?? pc.bound)?.is_default) continue;
      const def = defaultPartitionOf(ctx, at.table);
      if (def && def !== partition && !isNewRelation(ctx, def) && !probablyProven(ctx, def)) {
        ctx.report('scansDefaultPartition', { default: def, table: at.table }, { range });
      }
    }
  },
});
