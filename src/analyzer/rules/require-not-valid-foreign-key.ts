import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import { rangeVarName } from '../names.js';
import { typeOf } from '../schema.js';
import { alterTable, clauseEnd, clauseRange, columnConstraints, ident, isNewRelation, isNoOpAddColumn, offsetOf, rangeBetween } from './utils/group-a.js';

export default defineRule({
  id: 'require-not-valid-foreign-key',
  summary: 'Require NOT VALID when adding a foreign key to an existing table',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    validatesRows: 'ADD FOREIGN KEY {{name}}checks every row of {{table}} against {{referenced}} while holding SHARE ROW EXCLUSIVE on both tables: writes to both wait until the check ends (reads still run).',
    columnValidatesRows: 'ADD COLUMN {{column}} … REFERENCES {{referenced}} checks every row of {{table}} because {{why}}, while holding ACCESS EXCLUSIVE on {{table}} (reads and writes wait) and SHARE ROW EXCLUSIVE on {{referenced}} (writes wait).',
  },
  help: {
    validatesRows: 'Add it with NOT VALID (brief locks, no scan; new rows are checked at once), then run ALTER TABLE {{table}} VALIDATE CONSTRAINT {{validate}} in a separate transaction: it takes SHARE UPDATE EXCLUSIVE on {{table}} and ROW SHARE on {{referenced}}, so reads and writes go on.',
    columnValidatesRows: 'Add the column without a default and with no other foreign key in the same ALTER TABLE: PostgreSQL then skips the check (every value is NULL). Set the default and backfill afterwards; or add the column plainly and ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT in a separate transaction.',
  },
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    // PostgreSQL skips validating column-level REFERENCES of new columns unless one of the statement's new columns
    // has a default (or is generated / serial) or the statement also adds a table-level foreign key
    // (transformAlterTableStmt's skipValidation is one flag for the whole statement).
    const fillsRows = (def: Node) => /serial$/.test(typeOf(def.typeName).name) || columnConstraints(def).some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_GENERATED');
    let statementWhy: string | undefined;
    for (const cmd of at.cmds) {
      if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.contype === 'CONSTR_FOREIGN') statementWhy ??= 'the same ALTER TABLE adds a table-level foreign key';
      const def = cmd.subtype === 'AT_AddColumn' ? cmd.def?.ColumnDef : undefined;
      if (def && fillsRows(def)) statementWhy ??= 'another new column of the same ALTER TABLE has a default';
    }
    const partitionedBefore18 = ctx.schema.get(at.table)?.kind === 'partitioned table' && ctx.pgVersion < 18;
    for (const cmd of at.cmds) {
      if (cmd.subtype === 'AT_AddConstraint') {
        const con = cmd.def?.Constraint;
        // NOT VALID and NOT ENFORCED (PostgreSQL 18) both arrive as skip_validation.
        if (con?.contype !== 'CONSTR_FOREIGN' || con.skip_validation) continue;
        const referenced = rangeVarName(con.pktable) ?? 'the referenced table';
        const from = offsetOf(ctx, con.location);
        const end = clauseEnd(ctx.stmt.text, from);
        const data = {
          table: at.table, referenced, version: ctx.pgVersion,
          name: con.conname ? `${ident(con.conname)} ` : '',
          validate: con.conname ? ident(con.conname) : '<name> (name the constraint so you can validate it)',
        };
        ctx.report('validatesRows', data, {
          range: rangeBetween(ctx, from, end),
          help: partitionedBefore18
            ? 'PostgreSQL {{version}} cannot add a NOT VALID foreign key to a partitioned table (18 can). Add it to each partition with NOT VALID and VALIDATE CONSTRAINT there, in separate transactions; adding it to {{table}} afterwards reuses the validated constraints of the partitions without a scan.'
            : undefined,
          fix: partitionedBefore18 ? undefined : {
            title: 'Add NOT VALID (then VALIDATE CONSTRAINT in a separate transaction)',
            edits: [ctx.edit(end, end, ' NOT VALID')],
            isPreferred: false,
          },
        });
      } else if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef && !isNoOpAddColumn(ctx, at.table, cmd)) {
        const def = cmd.def.ColumnDef;
        const why = fillsRows(def) ? 'the new column has a default' : statementWhy;
        if (!why) continue;
        for (const fk of columnConstraints(def).filter((c) => c.contype === 'CONSTR_FOREIGN')) {
          ctx.report('columnValidatesRows', { column: ident(def.colname), table: at.table, referenced: rangeVarName(fk.pktable) ?? 'the referenced table', why }, {
            range: clauseRange(ctx, fk.location),
          });
        }
      }
    }
  },
});
