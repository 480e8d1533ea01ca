import { defineRule } from '../rule.js';
import {
  blockingLocks, pickLock, queueDescription, sqlModeName, statementLabel, isDisabledTimeout, insertBeforeStatement,
  isConcurrentForm,
} from './utils/group-c.js';

// statement_timeout counts the wait for the lock and the work done while holding it: it is the one bound on how long
// a migration statement can keep a busy table locked. The CONCURRENTLY forms and VACUUM are exempt: they do not block
// reads or writes and should run with statement_timeout = 0.
export default defineRule({
  id: 'require-statement-timeout',
  summary: 'Require a statement_timeout before statements that hold locks blocking reads or writes',
  category: 'timeouts',
  defaultSeverity: 'warning',
  messages: {
    rewriteWithoutTimeout:
      '{{what}} rewrites {{table}} under {{mode}} with {{setting}}: {{queue}} waits for as long as the rewrite runs, and nothing cancels it if that takes hours.',
    scanWithoutTimeout:
      '{{what}} reads all of {{table}} under {{mode}} with {{setting}}: {{queue}} waits for as long as the scan runs, and nothing cancels it if that takes hours.',
    lockWithoutTimeout:
      '{{what}} takes {{mode}} on {{table}} with {{setting}}: nothing bounds how long it waits for and then holds the lock, and {{queue}} waits meanwhile.',
  },
  help:
    "Run `SET statement_timeout = '5s';` (the longest the application can tolerate {{table}} being blocked) before it, so the statement is cancelled and rolled back instead of blocking traffic indefinitely. If the table is too large to rewrite or scan within that, use the online recipe instead (new column + batched backfill, NOT VALID + VALIDATE, CREATE INDEX CONCURRENTLY). Run CONCURRENTLY statements and VALIDATE CONSTRAINT with statement_timeout = 0.",
  check(ctx) {
    const { stmt } = ctx;
    if (stmt.statementTimeout !== null && !isDisabledTimeout(stmt.statementTimeout)) return;
    if (isConcurrentForm(stmt)) return;
    if (stmt.kind === 'VacuumStmt' && !/\bfull\b/i.test(statementLabel(stmt))) return;
    const locks = blockingLocks(stmt);
    if (locks.length === 0) return;
    const existing = (rel: string) => locks.find((l) => l.relation === rel && l.relkind !== 'index' && l.relkind !== 'partitioned index');
    const rewritten = stmt.rewrites.map(existing).find((l) => l);
    const scanned = rewritten ? undefined : stmt.scans.map(existing).find((l) => l);
    const lock = rewritten ?? scanned ?? pickLock(locks)!;
    const data = {
      what: statementLabel(stmt),
      mode: sqlModeName(lock.mode),
      table: lock.relation,
      queue: queueDescription(lock.mode, lock.table ?? lock.relation),
      setting: stmt.statementTimeout === null ? 'no statement_timeout' : `statement_timeout disabled (${stmt.statementTimeout})`,
    };
    ctx.report(rewritten ? 'rewriteWithoutTimeout' : scanned ? 'scanWithoutTimeout' : 'lockWithoutTimeout', data, {
      fix: {
        title: "Add SET statement_timeout = '5s' before the statement",
        edits: [insertBeforeStatement(ctx.file, stmt, "SET statement_timeout = '5s';")],
        isPreferred: false,
      },
    });
  },
});
