import { defineRule } from '../rule.js';
import { alterTable, clauseRange, columnConstraints, ident, isNewRelation, isNoOpAddColumn, usingIndexFix } from './utils/group-a.js';

const PARTITIONED_HELP = 'A partitioned table has no concurrent path and no USING INDEX: on each partition, CREATE UNIQUE INDEX CONCURRENTLY and ALTER TABLE <partition> ADD CONSTRAINT … UNIQUE USING INDEX; then ADD CONSTRAINT … UNIQUE on {{table}} attaches the partitions\' constraints instead of building new indexes.';

export default defineRule({
  id: 'prefer-unique-index-for-unique-constraint',
  summary: 'Prefer CREATE UNIQUE INDEX CONCURRENTLY and ADD CONSTRAINT … UNIQUE USING INDEX over ADD UNIQUE',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    buildsIndex: '{{clause}} builds a unique index on {{table}} while holding ACCESS EXCLUSIVE: reads and writes on it wait for the whole build (a full scan and sort).',
  },
  help: 'Build the index first without blocking: CREATE UNIQUE INDEX CONCURRENTLY {{index}} ON {{table}} ({{columns}}), outside a transaction block; check that it is valid; then ALTER TABLE {{table}} ADD CONSTRAINT {{index}} UNIQUE USING INDEX {{index}} (a brief ACCESS EXCLUSIVE, no build).',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    const partitioned = ctx.schema.get(at.table)?.kind === 'partitioned table';
    const help = partitioned ? PARTITIONED_HELP : undefined;
    const relname = at.node.relation?.relname ?? 'table';
    for (const cmd of at.cmds) {
      if (cmd.subtype === 'AT_AddConstraint') {
        const con = cmd.def?.Constraint;
        if (con?.contype !== 'CONSTR_UNIQUE' || con.indexname) continue;
        const keys: string[] = (con.keys ?? []).map((k: any) => k?.String?.sval).filter(Boolean);
        const index = con.conname ?? `${relname}_${keys.join('_')}_key`;
        ctx.report('buildsIndex', {
          clause: con.conname ? `ADD CONSTRAINT ${ident(con.conname)} UNIQUE` : 'ADD UNIQUE',
          table: at.table, index: ident(index), columns: keys.map(ident).join(', '),
        }, { range: clauseRange(ctx, con.location), help, fix: partitioned ? undefined : usingIndexFix(ctx, at, con) });
      } else if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef && !isNoOpAddColumn(ctx, at.table, cmd)) {
        const def = cmd.def.ColumnDef;
        const con = columnConstraints(def).find((c) => c.contype === 'CONSTR_UNIQUE');
        if (!con) continue;
        ctx.report('buildsIndex', {
          clause: `ADD COLUMN ${ident(def.colname)} … UNIQUE`,
          table: at.table, index: ident(con.conname ?? `${relname}_${def.colname}_key`), columns: ident(def.colname),
        }, { range: clauseRange(ctx, con.location), help: help ?? 'Add the column without UNIQUE, then CREATE UNIQUE INDEX CONCURRENTLY {{index}} ON {{table}} ({{columns}}) outside a transaction block, and ALTER TABLE {{table}} ADD CONSTRAINT {{index}} UNIQUE USING INDEX {{index}}.' });
      }
    }
  },
});
