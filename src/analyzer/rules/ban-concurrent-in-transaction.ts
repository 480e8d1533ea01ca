import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import { RUNNERS } from '../runners.js';
import type { FileInfo } from '../analyze.js';

/** How to name the statement in the message. */
function describe(kind: string, node: Node): string {
  switch (kind) {
    case 'IndexStmt': return 'CREATE INDEX CONCURRENTLY';
    case 'DropStmt': return 'DROP INDEX CONCURRENTLY';
    case 'ReindexStmt': {
      const what = String(node.kind ?? '').replace('REINDEX_OBJECT_', '');
      const conc = (node.params ?? []).some((p: Node) => String(p.DefElem?.defname).toLowerCase() === 'concurrently');
      return conc ? `REINDEX ${what} CONCURRENTLY` : `REINDEX ${what}`;
    }
    case 'AlterTableStmt': return 'DETACH PARTITION CONCURRENTLY';
    case 'VacuumStmt': return 'VACUUM';
    case 'AlterEnumStmt': return 'ALTER TYPE … ADD VALUE (before PostgreSQL 12)';
    case 'CreatedbStmt': return 'CREATE DATABASE';
    case 'DropdbStmt': return 'DROP DATABASE';
    case 'AlterSystemStmt': return 'ALTER SYSTEM';
    case 'CreateTableSpaceStmt': return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt': return 'DROP TABLESPACE';
    case 'CreateSubscriptionStmt': return 'CREATE SUBSCRIPTION';
    case 'TransactionStmt': return node.kind === 'TRANS_STMT_COMMIT_PREPARED' ? 'COMMIT PREPARED' : 'ROLLBACK PREPARED';
    default: return kind.replace(/Stmt$/, '');
  }
}

/** Who opened the implicit transaction, for the message. */
function implicitOpener(file: FileInfo): string {
  if (file.runner) {
    const r = RUNNERS[file.runner];
    return r.implicitTransaction === 'multi-statement'
      ? `${r.name} sends the file as one multi-statement query, which PostgreSQL runs as one implicit transaction`
      : `${r.name} runs the whole migration in one transaction`;
  }
  return 'the migration is configured to run in one transaction (assumeInTransaction)';
}

export default defineRule({
  id: 'ban-concurrent-in-transaction',
  summary: 'Ban statements that cannot run inside a transaction block from running in one',
  category: 'transactions',
  defaultSeverity: 'error',
  messages: {
    explicitTransaction: '{{what}} cannot run inside a transaction block, and this one runs between BEGIN and COMMIT: it fails with "{{what}} cannot run inside a transaction block" and the whole transaction rolls back.',
    implicitTransaction: '{{what}} cannot run inside a transaction block, and {{opener}}: the statement fails with "{{what}} cannot run inside a transaction block" and the migration rolls back.',
  },
  help: {
    explicitTransaction: 'Move the statement after COMMIT (or before BEGIN) so it runs on its own; {{hint}}.',
    implicitTransaction: 'Run the statement outside the migration\'s transaction: {{hint}}.',
  },
  check(ctx) {
    const st = ctx.stmt;
    if (!st.effects.nonTransactional || !st.inTransaction) return;
    const what = describe(ctx.kind, ctx.node);
    const range = ctx.rangeOf(/\bconcurrently\b/i) ?? st.range;
    if (st.implicitTransaction) {
      const hint = ctx.file.runner ? RUNNERS[ctx.file.runner].nonTransactionalHint : 'disable the transaction for this migration and put the statement in a migration of its own';
      ctx.report('implicitTransaction', { what, opener: implicitOpener(ctx.file), hint }, { range });
    } else {
      const hint = ctx.file.runner && ctx.file.implicitTransaction !== 'none'
        ? `the runner also wraps the file in a transaction: ${RUNNERS[ctx.file.runner].nonTransactionalHint}`
        : 'keep it alone outside BEGIN … COMMIT';
      ctx.report('explicitTransaction', { what, hint }, { range });
    }
  },
});
