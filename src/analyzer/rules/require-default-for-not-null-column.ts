import { defineRule } from '../rule.js';
import { addColumnAnalysis } from '../lockmodel.js';
import { alterTable, clauseRange, columnConstraints, ident, isNewRelation, isNoOpAddColumn } from './utils/group-a.js';

export default defineRule({
  id: 'require-default-for-not-null-column',
  summary: 'Require a DEFAULT when adding a NOT NULL column to an existing table',
  category: 'robustness',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    missingDefault: 'ADD COLUMN {{column}} … {{constraint}} without a DEFAULT fails on {{table}} as soon as the table has a row ("column contains null values"), after queuing for ACCESS EXCLUSIVE, which blocks reads and writes meanwhile; and inserts from application versions that do not know the column start failing.',
  },
  help: 'Give the column a constant DEFAULT (metadata-only since PostgreSQL 11: no rewrite, no scan), or add it nullable, backfill it in batches, and make it NOT NULL later: ADD CONSTRAINT … CHECK ({{column}} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL.',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    for (const cmd of at.cmds) {
      if (cmd.subtype !== 'AT_AddColumn' || !cmd.def?.ColumnDef || isNoOpAddColumn(ctx, at.table, cmd)) continue;
      const def = cmd.def.ColumnDef;
      const a = addColumnAnalysis(def, ctx);
      if (!a.notNull || a.serial || a.identity || a.generated) continue;
      const cons = columnConstraints(def);
      const dflt = cons.find((c) => c.contype === 'CONSTR_DEFAULT');
      // DEFAULT NULL fills every row with NULL: it fails exactly like no default.
      if (dflt && !dflt.raw_expr?.A_Const?.isnull) continue;
      const pk = cons.find((c) => c.contype === 'CONSTR_PRIMARY');
      const nn = cons.find((c) => c.contype === 'CONSTR_NOTNULL');
      ctx.report('missingDefault', { column: ident(def.colname), table: at.table, constraint: nn || !pk ? 'NOT NULL' : 'PRIMARY KEY' }, {
        range: clauseRange(ctx, def.location),
      });
    }
  },
});
