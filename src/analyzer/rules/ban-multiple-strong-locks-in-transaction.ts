import { defineRule } from '../rule.js';
import type { StatementInfo } from '../analyze.js';
import type { LockEffect } from '../types.js';
import { blockingLocks, isTableLike, lineOf, sqlModeName, statementLabel } from './utils/group-c.js';
import { endsTransaction, firstInTransactionBefore, relationsLockedBefore } from './utils/transaction.js';

// GitLab's RequireDisableDdlTransactionForMultipleLocks: a transaction that holds locks blocking reads or writes on
// several busy tables queues traffic on all of them at once, and deadlocks with application transactions that touch
// the same tables in another order.
export default defineRule({
  id: 'ban-multiple-strong-locks-in-transaction',
  summary: 'Ban transactions that take locks blocking reads or writes on more than one existing table',
  category: 'transactions',
  defaultSeverity: 'warning',
  messages: {
    multipleStrongLocks:
      '{{what}} takes {{mode}} on {{table}} while this transaction already holds {{otherMode}} on {{other}} (line {{line}}): both stay locked until COMMIT, so traffic on either table queues behind the whole transaction, and application transactions that lock them in the other order can deadlock with it.',
  },
  help:
    "Change one table per transaction: split the migration (or commit between the statements). If the changes must be atomic, take the locks up front in a fixed order (LOCK TABLE a, b IN … MODE) with a short lock_timeout, and retry on failure.",
  check(ctx) {
    const stmt = ctx.stmt;
    if (stmt.transactionId < 0 || endsTransaction(stmt)) return;
    const locks = blockingLocks(stmt).filter(isTableLike);
    if (locks.length === 0) return;
    // The first lock the transaction took before this statement (with the statement that took it), and which
    // relations it locked: each asked about only as far as needed.
    const first = firstInTransactionBefore(FIRST, ctx.file, stmt, firstStrongLock);
    if (!first) return;
    const held = relationsLockedBefore(HELD, ctx.file, stmt, strongLocks);
    const fresh = locks.filter((l) => !held.has(l.relation));
    if (fresh.length === 0) return;
    const lock = fresh.find((l) => !l.implicit) ?? fresh[0];
    ctx.report('multipleStrongLocks', {
      what: statementLabel(stmt),
      mode: sqlModeName(lock.mode),
      table: lock.relation,
      otherMode: sqlModeName(first.value.mode),
      other: first.value.relation,
      line: lineOf(first.stmt),
    });
  },
});

function strongLocks(stmt: StatementInfo): LockEffect[] {
  return blockingLocks(stmt).filter(isTableLike);
}
function firstStrongLock(stmt: StatementInfo): LockEffect | undefined {
  return blockingLocks(stmt).find(isTableLike);
}
const FIRST = {};
const HELD = {};
