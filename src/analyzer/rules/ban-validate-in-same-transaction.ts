import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import type { LockMode } from '../types.js';
import { rangeVarName } from '../names.js';
import { sqlModeName, describeBlocks } from '../locks.js';
import { alterTable, clauseEnd, earlierInTransaction, findIn, identSource, ident, isNewRelation, rangeBetween } from './utils/group-a.js';

function addsNotValid(cmd: Node | undefined, name: string): boolean {
  const con = cmd?.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
  return !!con && con.skip_validation === true && con.conname === name;
}

export default defineRule({
  id: 'ban-validate-in-same-transaction',
  summary: 'Ban VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID',
  category: 'transactions',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    addedInSameTransaction: 'VALIDATE CONSTRAINT {{name}} runs in the same transaction as the ADD … NOT VALID on line {{line}}: the {{lock}} lock it took on {{table}} is still held for the whole validation scan, blocking {{blocks}}. NOT VALID gained nothing.',
    lockHeld: 'VALIDATE CONSTRAINT {{name}} runs while this transaction already holds ACCESS EXCLUSIVE on {{table}} (line {{line}}): reads and writes on {{table}} wait for the whole validation scan.',
  },
  help: 'Validate in a separate transaction so that only SHARE UPDATE EXCLUSIVE is held while it scans (reads and writes go on): {{how}}.',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    const table = at.table;
    const how = ctx.stmt.implicitTransaction
      ? 'move VALIDATE CONSTRAINT to a later migration (the runner wraps the whole file in one transaction)'
      : 'COMMIT after the ADD … NOT VALID and run VALIDATE CONSTRAINT in its own transaction, or in a later migration';
    const lineOf = (offset: number) => ctx.file.lines.position(offset).line + 1;
    at.cmds.forEach((cmd, i) => {
      if (cmd.subtype !== 'AT_ValidateConstraint' || !cmd.name) return;
      const name: string = cmd.name;
      // Validating a constraint that is already valid does nothing.
      if (ctx.schema.get(table)?.constraints.find((c) => c.name === name)?.validated) return;
      const span = findIn(ctx, `\\bvalidate\\s+constraint\\s+${identSource(name)}`);
      const range = span ? rangeBetween(ctx, span[0], clauseEnd(ctx.stmt.text, span[0])) : ctx.stmt.range;
      const data = { name: ident(name), table, how };
      const report = (messageId: 'addedInSameTransaction' | 'lockHeld', line: number, mode: LockMode) =>
        ctx.report(messageId, { ...data, line, lock: sqlModeName(mode), blocks: describeBlocks(mode) }, { range });

      // The same statement: ALTER TABLE t ADD CONSTRAINT c … NOT VALID, VALIDATE CONSTRAINT c.
      const own = ctx.stmt.locks.find((l) => l.relation === table)?.mode ?? 'AccessExclusiveLock';
      if (at.cmds.slice(0, i).some((c) => addsNotValid(c, name))) return report('addedInSameTransaction', lineOf(ctx.stmt.start), own);
      if (own === 'AccessExclusiveLock') return report('lockHeld', lineOf(ctx.stmt.start), own);

      let strong: number | undefined;
      for (const st of earlierInTransaction(ctx)) {
        const lock = st.locks.find((l) => l.relation === table);
        if (!lock) continue;
        const node = st.node.AlterTableStmt;
        if (node && rangeVarName(node.relation) === table && (node.cmds ?? []).some((c: Node) => addsNotValid(c.AlterTableCmd, name))) {
          return report('addedInSameTransaction', lineOf(st.start), lock.mode);
        }
        if (lock.mode === 'AccessExclusiveLock') strong ??= st.start;
      }
      if (strong !== undefined) report('lockHeld', lineOf(strong), 'AccessExclusiveLock');
    });
  },
});
