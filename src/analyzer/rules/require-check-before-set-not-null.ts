import { defineRule, type RuleContext } from '../rule.js';
import type { Node } from '../parse.js';
import { rangeVarName, stringList } from '../names.js';
import { relName } from '../schema.js';
import { alterColumnSpan, alterTable, clauseEnd, ident, isNewRelation, offsetOf, rangeBetween } from './utils/group-a.js';

const HELP_12 = 'Prove the column non-null first: ALTER TABLE {{table}} ADD CONSTRAINT {{name}} CHECK ({{column}} IS NOT NULL) NOT VALID; then, in a separate transaction, VALIDATE CONSTRAINT {{name}} (SHARE UPDATE EXCLUSIVE: reads and writes go on). SET NOT NULL then skips the scan (PostgreSQL 12+), and the CHECK can be dropped.';
const HELP_18 = HELP_12 + ' On PostgreSQL 18 you can instead ADD CONSTRAINT {{name}} NOT NULL {{column}} NOT VALID and VALIDATE CONSTRAINT {{name}} in a separate transaction.';
const HELP_OLD = 'Before PostgreSQL 12 SET NOT NULL always scans the table. Keep a validated CHECK ({{column}} IS NOT NULL) instead (ADD … NOT VALID, then VALIDATE CONSTRAINT in a separate transaction), or run SET NOT NULL in a quiet window.';

/**
 * The name of a NOT VALID not-null constraint on table.column added earlier in this file and not validated since
 * (PostgreSQL 18). The schema model marks the column NOT NULL as soon as such a constraint is added, but SET NOT NULL
 * then validates it with a full scan.
 */
function pendingNotValidNotNull(ctx: RuleContext<any>, table: string, column: string): string | undefined {
  let pending: string | undefined;
  const statements = ctx.file.statements;
  for (let i = 0; i < ctx.stmt.index; i++) {
    const st = statements[i];
    if (st.kind !== 'AlterTableStmt') continue;
    const node = st.node.AlterTableStmt;
    if (rangeVarName(node?.relation) !== table) continue;
    for (const c of node.cmds ?? []) {
      const cmd = c.AlterTableCmd;
      const con: Node | undefined = cmd?.def?.Constraint;
      if (cmd?.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_NOTNULL' && con.skip_validation && stringList(con.keys).includes(column)) {
        pending = con.conname ?? `${relName(table)}_${column}_not_null`;
      } else if (pending && cmd?.subtype === 'AT_ValidateConstraint' && cmd.name === pending) {
        pending = undefined;
      } else if (pending && (cmd?.subtype === 'AT_SetNotNull' && cmd.name === column)) {
        pending = undefined;
      }
    }
  }
  return pending;
}

export default defineRule({
  id: 'require-check-before-set-not-null',
  summary: 'Require a validated CHECK (col IS NOT NULL) before SET NOT NULL on an existing table',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    scansTable: '{{clause}} on {{table}}.{{column}} scans the whole table under ACCESS EXCLUSIVE: reads and writes on {{table}} wait until every row is checked.',
    validatesNotValidNotNull: 'SET NOT NULL on {{table}}.{{column}} validates the NOT VALID constraint {{name}} with a full scan under ACCESS EXCLUSIVE: reads and writes on {{table}} wait until every row is checked.',
  },
  help: {
    scansTable: HELP_12,
    validatesNotValidNotNull: 'Use ALTER TABLE {{table}} VALIDATE CONSTRAINT {{name}} instead, in a separate transaction: it scans under SHARE UPDATE EXCLUSIVE, so reads and writes go on, and makes the column NOT NULL.',
  },
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    const rel = ctx.schema.get(at.table);
    for (const cmd of at.cmds) {
      let column: string;
      let clause: string;
      let span: [number, number] | undefined;
      if (cmd.subtype === 'AT_SetNotNull') {
        column = cmd.name;
        clause = 'SET NOT NULL';
        span = alterColumnSpan(ctx, column, 'set\\s+not\\s+null\\b');
      } else if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.contype === 'CONSTR_NOTNULL' && !cmd.def.Constraint.skip_validation && ctx.pgVersion >= 18) {
        // PostgreSQL 18: ADD CONSTRAINT … NOT NULL col is SET NOT NULL with a name.
        column = stringList(cmd.def.Constraint.keys)[0];
        if (!column) continue;
        clause = 'ADD CONSTRAINT … NOT NULL';
        const from = offsetOf(ctx, cmd.def.Constraint.location);
        span = [from, clauseEnd(ctx.stmt.text, from)];
      } else {
        continue;
      }
      const range = span ? rangeBetween(ctx, span[0], span[1]) : ctx.stmt.range;
      const name = `${column}_not_null`;
      const data = { table: at.table, column: ident(column), name: ident(name), clause };
      const col = ctx.schema.column(at.table, column);
      // PostgreSQL 18: a NOT VALID not-null constraint (the schema model records it unvalidated) is validated by
      // SET NOT NULL with a full scan.
      const recorded = rel?.constraints.find((c) => c.type === 'not null' && !c.validated && c.columns.includes(column))?.name;
      const pendingNotNull = ctx.pgVersion >= 18 && cmd.subtype === 'AT_SetNotNull' ? (recorded ?? pendingNotValidNotNull(ctx, at.table, column)) : undefined;
      if (col?.notNull || pendingNotNull) {
        const pending = pendingNotNull;
        if (!pending) continue;
        ctx.report('validatesNotValidNotNull', { ...data, name: ident(pending) }, {
          range,
          fix: span ? {
            title: `Validate ${pending} instead (SHARE UPDATE EXCLUSIVE; best in its own transaction)`,
            edits: [ctx.edit(span[0], span[1], `VALIDATE CONSTRAINT ${ident(pending)}`)],
            isPreferred: false,
          } : undefined,
        });
        continue;
      }
      // PostgreSQL 12+ skips the scan when a validated CHECK (col IS NOT NULL) proves it (also one added earlier in
      // this file: the schema model applies every statement).
      const proven = ctx.pgVersion >= 12 && (rel?.constraints.some((c) => c.type === 'check' && c.validated && c.provesNotNull === column) ?? false);
      if (proven) continue;
      const help = ctx.pgVersion >= 18 ? HELP_18 : ctx.pgVersion < 12 ? HELP_OLD : undefined;
      ctx.report('scansTable', data, { range, help });
    }
  },
});
