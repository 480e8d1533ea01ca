import { defineRule } from '../rule.js';
import {
  blockingLocks, pickLock, queueDescription, sqlModeName, statementLabel, isDisabledTimeout, insertBeforeStatement,
  innerNode,
} from './utils/group-c.js';
import { locksHeldBefore } from './utils/transaction.js';
import { strength } from '../locks.js';

// A lock request waits in a queue, and every later request that conflicts with it queues behind it, even those that
// would not conflict with the lock actually held (incidents 01 and 03: a pg_dump and an anti-wraparound autovacuum
// held weak locks; the migration's ACCESS EXCLUSIVE request queued behind them and every query queued behind it).
export default defineRule({
  id: 'require-lock-timeout',
  summary: 'Require a lock_timeout before statements that take locks blocking reads or writes',
  category: 'timeouts',
  defaultSeverity: 'error',
  messages: {
    missingLockTimeout:
      '{{what}} takes {{mode}} on {{table}} without a lock_timeout: if any transaction holds a lock on it (a pg_dump, a long SELECT, an autovacuum to prevent wraparound), this statement waits, and {{queue}} queues behind it until it gets the lock.',
    lockTimeoutDisabled:
      '{{what}} takes {{mode}} on {{table}} with lock_timeout disabled ({{value}}): if any transaction holds a lock on it (a pg_dump, a long SELECT, an autovacuum to prevent wraparound), this statement waits forever, and {{queue}} queues behind it until it gets the lock.',
  },
  help: {
    missingLockTimeout:
      "Run `SET lock_timeout = '2s';` before it, and retry the migration when it fails with \"canceling statement due to lock timeout\" (inside a transaction, `SET LOCAL lock_timeout = '2s';` after BEGIN). Behind a PgBouncer transaction pool a session SET does not stick: set it inside the migration's transaction, or on the migration role (ALTER ROLE … SET lock_timeout = '2s').",
    lockTimeoutDisabled:
      "Set a short lock_timeout instead of 0: `SET lock_timeout = '2s';` before it, and retry the migration when it times out (inside a transaction, `SET LOCAL lock_timeout = '2s';`). Behind a PgBouncer transaction pool, set it in the same transaction or on the migration role.",
  },
  check(ctx) {
    const { stmt } = ctx;
    if (stmt.lockTimeout !== null && !isDisabledTimeout(stmt.lockTimeout)) return;
    // DROP INDEX CONCURRENTLY takes its ACCESS EXCLUSIVE on the index only after waiting for every transaction
    // that could use it; the table itself gets SHARE UPDATE EXCLUSIVE.
    if (stmt.kind === 'DropStmt' && innerNode(stmt).concurrent) return;
    // A lock the transaction already holds is granted at once: no queue can form behind it.
    const held = locksHeldBefore(ctx.file, stmt);
    const lock = pickLock(blockingLocks(stmt).filter((l) => {
      const had = held.get(l.relation);
      return !had || strength(had) < strength(l.mode);
    }));
    if (!lock) return;
    // An index lock queues with the index's table's lock queue (the lock model named the table from the schema).
    const queueTable = lock.table ?? lock.relation;
    const data = {
      what: statementLabel(stmt),
      mode: sqlModeName(lock.mode),
      table: lock.relation,
      queue: queueDescription(lock.mode, queueTable),
      value: stmt.lockTimeout ?? '',
    };
    ctx.report(stmt.lockTimeout === null ? 'missingLockTimeout' : 'lockTimeoutDisabled', data, {
      fix: {
        title: "Add SET lock_timeout = '2s' before the statement (retry the migration when it times out)",
        edits: [insertBeforeStatement(ctx.file, stmt, "SET lock_timeout = '2s';")],
        isPreferred: false,
      },
    });
  },
});
