import { defineRule } from '../rule.js';
import type { StatementInfo } from '../analyze.js';
import { RUNNERS } from '../runners.js';
import { lineOf } from './utils/group-c.js';

// PostgreSQL has no nested transactions: a BEGIN inside a transaction only warns ("there is already a transaction in
// progress"), and the first COMMIT ends the outer transaction. A runner that wraps the file in its own transaction
// loses its atomicity to a COMMIT in the file.
export default defineRule({
  id: 'ban-transaction-nesting',
  summary: 'Ban BEGIN inside an open transaction and COMMIT or ROLLBACK inside the runner\'s transaction',
  category: 'transactions',
  defaultSeverity: 'error',
  messages: {
    nestedBegin:
      'BEGIN inside the transaction opened on line {{line}}: PostgreSQL has no nested transactions, so it only warns "there is already a transaction in progress", and the first COMMIT ends the outer transaction.',
    beginInRunnerTransaction:
      'BEGIN inside the transaction {{runner}} already wraps this file in: it is ignored with a warning, and the COMMIT meant for it ends the runner\'s transaction early.',
    commitInRunnerTransaction:
      '{{verb}} inside the transaction {{runner}} wraps this file in: it ends the runner\'s transaction early ({{effect}}), so the statements after it run outside it, and a failure after this point leaves the migration half-applied.',
  },
  help: {
    nestedBegin: 'Remove the inner BEGIN (and its COMMIT); use SAVEPOINT … / RELEASE SAVEPOINT for a block that may fail on its own.',
    beginInRunnerTransaction: 'Remove BEGIN and COMMIT from the file and let the runner manage the transaction; if the migration must not run in a transaction, {{hint}}.',
    commitInRunnerTransaction: 'Remove {{verb}} and let the runner commit; to split the work in several transactions, write several migrations, or {{hint}} and manage BEGIN/COMMIT yourself.',
  },
  checkFile(ctx) {
    const { file } = ctx;
    const runnerName = file.runner ? file.runner : 'the runner';
    const hint = file.runner && RUNNERS[file.runner].implicitTransaction !== 'none'
      ? RUNNERS[file.runner].nonTransactionalHint
      : 'run the file without the wrapping transaction (for psql, without --single-transaction)';
    let implicitOpen = file.implicitTransaction === 'file' || (file.implicitTransaction === 'multi-statement' && file.statements.length > 1);
    let openedBy: StatementInfo | undefined;
    for (const stmt of file.statements) {
      const tc = stmt.effects.transaction;
      if (tc === 'begin') {
        if (openedBy) ctx.report('nestedBegin', stmt.index, { line: lineOf(openedBy) });
        else {
          if (implicitOpen) ctx.report('beginInRunnerTransaction', stmt.index, { runner: runnerName, hint });
          openedBy = stmt;
        }
      } else if (tc === 'commit' || tc === 'rollback') {
        if (implicitOpen) {
          const verb = tc === 'commit' ? 'COMMIT' : 'ROLLBACK';
          ctx.report('commitInRunnerTransaction', stmt.index, { verb, runner: runnerName, hint, effect: tc === 'commit' ? 'committing everything before it' : 'discarding everything before it while the rest still runs' });
          implicitOpen = false;
        }
        openedBy = undefined;
      } else if (tc === 'prepare') {
        openedBy = undefined;
        implicitOpen = false;
      }
    }
  },
});
