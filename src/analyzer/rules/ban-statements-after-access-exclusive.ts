import { defineRule } from '../rule.js';
import type { StatementInfo } from '../analyze.js';
import type { LockEffect } from '../types.js';
import { isTableLike, lineOf, statementLabel } from './utils/group-c.js';
import { endsTransaction, firstInTransactionBefore } from './utils/transaction.js';

// Locks are held until the transaction ends. Once a statement has ACCESS EXCLUSIVE on a busy table, every later
// statement of the same transaction adds its run time to the time that table is unusable (eugene E4).
const IGNORED_KINDS = new Set(['TransactionStmt', 'VariableSetStmt', 'VariableShowStmt', 'DiscardStmt']);
// Statements that lock nothing the model knows of but may run for long: their bodies are opaque.
const OPAQUE_KINDS = new Set(['DoStmt', 'CallStmt', 'SelectStmt']);

function accessExclusiveOnExisting(stmt: StatementInfo): LockEffect | undefined {
  const ae = stmt.locks.filter((l) => l.mode === 'AccessExclusiveLock' && !l.createdInMigration && isTableLike(l));
  return ae.find((l) => !l.implicit) ?? ae[0];
}

/** True when the statement only touches relations created by this migration (or nothing at all, quickly). */
function touchesOnlyNewRelations(stmt: StatementInfo): boolean {
  if (stmt.locks.length === 0) return !OPAQUE_KINDS.has(stmt.kind);
  return stmt.locks.every((l) => l.createdInMigration);
}

export default defineRule({
  id: 'ban-statements-after-access-exclusive',
  summary: 'Ban further statements in a transaction after one takes ACCESS EXCLUSIVE on an existing table',
  category: 'transactions',
  defaultSeverity: 'warning',
  messages: {
    statementAfterAccessExclusive:
      '{{what}} runs while this transaction still holds ACCESS EXCLUSIVE on {{table}} (taken by {{holder}} on line {{line}}): every query on {{table}} — reads and writes — stays queued until COMMIT, for as long as this statement adds.',
  },
  help:
    'Commit right after the statement that takes ACCESS EXCLUSIVE: move this statement into its own transaction (or its own migration), or fold several ALTER TABLE actions on the same table into one ALTER TABLE statement.',
  check(ctx) {
    const stmt = ctx.stmt;
    if (stmt.transactionId < 0 || endsTransaction(stmt)) return;
    // The first statement of the transaction (since its start, or its last COMMIT … AND CHAIN) that took ACCESS
    // EXCLUSIVE on an existing table.
    if (IGNORED_KINDS.has(stmt.kind) || touchesOnlyNewRelations(stmt)) return;
    const holder = firstInTransactionBefore(HOLDER, ctx.file, stmt, accessExclusiveOnExisting);
    if (!holder) return;
    ctx.report('statementAfterAccessExclusive', {
      what: statementLabel(stmt),
      table: holder.value.relation,
      holder: statementLabel(holder.stmt),
      line: lineOf(holder.stmt),
    });
  },
});

const HOLDER = {};
