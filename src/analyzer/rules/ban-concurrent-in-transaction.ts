import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import { RUNNERS } from '../runners.js';
import type { FileInfo } from '../analyze.js';
import type { SchemaModel } from '../schema.js';
import { rangeVarName } from '../names.js';

/** How to name the statement, and the name PostgreSQL's error uses ("… cannot run inside a transaction block"). */
function describe(kind: string, node: Node): { what: string; error: string } {
  const same = (w: string) => ({ what: w, error: w });
  switch (kind) {
    case 'IndexStmt': return same('CREATE INDEX CONCURRENTLY');
    case 'DropStmt': return same('DROP INDEX CONCURRENTLY');
    case 'ReindexStmt': {
      const what = String(node.kind ?? '').replace('REINDEX_OBJECT_', '');
      const conc = (node.params ?? []).some((p: Node) => String(p.DefElem?.defname).toLowerCase() === 'concurrently');
      return conc ? { what: `REINDEX ${what} CONCURRENTLY`, error: 'REINDEX CONCURRENTLY' } : same(`REINDEX ${what}`);
    }
    case 'AlterTableStmt': return { what: 'DETACH PARTITION CONCURRENTLY', error: 'ALTER TABLE ... DETACH CONCURRENTLY' };
    case 'VacuumStmt': return same('VACUUM');
    case 'AlterEnumStmt': return { what: 'ALTER TYPE … ADD VALUE (before PostgreSQL 12)', error: 'ALTER TYPE ... ADD' };
    case 'CreatedbStmt': return same('CREATE DATABASE');
    case 'DropdbStmt': return same('DROP DATABASE');
    case 'AlterSystemStmt': return same('ALTER SYSTEM');
    case 'CreateTableSpaceStmt': return same('CREATE TABLESPACE');
    case 'DropTableSpaceStmt': return same('DROP TABLESPACE');
    case 'CreateSubscriptionStmt': return same('CREATE SUBSCRIPTION ... WITH (create_slot = true)');
    case 'TransactionStmt': return same(node.kind === 'TRANS_STMT_COMMIT_PREPARED' ? 'COMMIT PREPARED' : 'ROLLBACK PREPARED');
    default: return same(kind.replace(/Stmt$/, ''));
  }
}

/**
 * Non-transactional statements the lock model does not mark (yet): DROP INDEX CONCURRENTLY of an index it does not
 * know, and REINDEX of a partitioned table or index, which PostgreSQL 14+ runs one partition per transaction
 * (PostgreSQL 13 skips partitioned tables with a warning).
 */
function missedByLockModel(kind: string, node: Node, schema: SchemaModel, pgVersion: number): boolean {
  if (kind === 'DropStmt') return node.removeType === 'OBJECT_INDEX' && !!node.concurrent;
  if (kind === 'ReindexStmt' && pgVersion >= 14 && (node.kind === 'REINDEX_OBJECT_TABLE' || node.kind === 'REINDEX_OBJECT_INDEX')) {
    const k = schema.get(rangeVarName(node.relation) ?? '')?.kind;
    return k === 'partitioned table' || k === 'partitioned index';
  }
  return false;
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
    explicitTransaction: '{{what}} cannot run inside a transaction block, and this one runs between BEGIN and COMMIT: it fails with "{{error}} cannot run inside a transaction block" and the whole transaction rolls back.',
    implicitTransaction: '{{what}} cannot run inside a transaction block, and {{opener}}: the statement fails with "{{error}} cannot run inside a transaction block" and the migration rolls back.',
  },
  help: {
    explicitTransaction: 'Move the statement after COMMIT (or before BEGIN) so it runs on its own; {{hint}}.',
    implicitTransaction: 'Run the statement outside the migration\'s transaction: {{hint}}.',
  },
  check(ctx) {
    const st = ctx.stmt;
    if (!st.inTransaction || !(st.effects.nonTransactional || missedByLockModel(ctx.kind, ctx.node, ctx.schema, ctx.pgVersion))) return;
    const { what, error } = describe(ctx.kind, ctx.node);
    const range = ctx.rangeOf(/\bconcurrently\b/i) ?? st.range;
    if (st.implicitTransaction) {
      const hint = ctx.file.runner ? RUNNERS[ctx.file.runner].nonTransactionalHint : 'disable the transaction for this migration and put the statement in a migration of its own';
      ctx.report('implicitTransaction', { what, error, opener: implicitOpener(ctx.file), hint }, { range });
    } else {
      const hint = ctx.file.runner && ctx.file.implicitTransaction !== 'none'
        ? `the runner also wraps the file in a transaction: ${RUNNERS[ctx.file.runner].nonTransactionalHint}`
        : 'keep it alone outside BEGIN … COMMIT';
      ctx.report('explicitTransaction', { what, error, hint }, { range });
    }
  },
});
