import { defineRule } from '../rule.js';
import type { StatementInfo } from '../analyze.js';
import type { LockEffect } from '../types.js';
import { blockingLocks, isTableLike, lineOf, sqlModeName, statementLabel } from './utils/group-c.js';

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
  checkFile(ctx) {
    let txn = -1;
    let held = new Map<string, { stmt: StatementInfo; lock: LockEffect }>();
    for (const stmt of ctx.file.statements) {
      if (stmt.transactionId !== txn) { txn = stmt.transactionId; held = new Map(); }
      if (txn < 0) continue;
      const tc = stmt.effects.transaction;
      if (tc === 'commit' || tc === 'rollback' || tc === 'prepare') { held = new Map(); continue; }
      const locks = blockingLocks(stmt).filter(isTableLike);
      const fresh = locks.filter((l) => !held.has(l.relation));
      if (fresh.length > 0 && held.size > 0) {
        const lock = fresh.find((l) => !l.implicit) ?? fresh[0];
        const first = held.values().next().value!;
        ctx.report('multipleStrongLocks', stmt.index, {
          what: statementLabel(stmt),
          mode: sqlModeName(lock.mode),
          table: lock.relation,
          otherMode: sqlModeName(first.lock.mode),
          other: first.lock.relation,
          line: lineOf(first.stmt),
        });
      }
      for (const l of locks) if (!held.has(l.relation)) held.set(l.relation, { stmt, lock: l });
    }
  },
});
