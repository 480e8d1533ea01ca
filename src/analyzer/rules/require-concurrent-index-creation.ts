import { defineRule } from '../rule.js';
import { RUNNERS } from '../runners.js';

export default defineRule({
  id: 'require-concurrent-index-creation',
  summary: 'Require CREATE INDEX CONCURRENTLY on existing tables',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['IndexStmt'],
  messages: {
    blocksWrites: 'CREATE INDEX takes a SHARE lock on {{table}}: every INSERT, UPDATE and DELETE on it waits until the index is built ({{size}}).',
  },
  help: 'Use CREATE INDEX CONCURRENTLY: it takes SHARE UPDATE EXCLUSIVE, so reads and writes go on while the index is built. It cannot run inside a transaction block, so it must be alone or in a migration without a transaction ({{hint}}).',
  check(ctx) {
    if (ctx.kind !== 'IndexStmt' || ctx.node.concurrent) return;
    const table = ctx.stmt.locks.find((l) => l.mode === 'ShareLock' && !l.implicit);
    if (!table || table.createdInMigration) return;
    const rel = ctx.schema.get(table.relation);
    // An index on a partitioned table cannot be built concurrently: require-concurrent-index-creation says how.
    if (rel?.kind === 'partitioned table') return;
    const at = ctx.rangeOf(/\bindex\b/i);
    const insertAt = at ? ctx.file.lines.offset(at.end) - ctx.stmt.start : -1;
    const hint = ctx.file.runner ? RUNNERS[ctx.file.runner].nonTransactionalHint : RUNNERS.psql.nonTransactionalHint;
    ctx.report('blocksWrites', { table: table.relation, size: 'for as long as a full scan and sort take', hint }, {
      range: ctx.rangeOf(/^create\s+(unique\s+)?index/i) ?? ctx.stmt.range,
      fix: insertAt > 0 ? {
        title: ctx.stmt.inTransaction ? 'Add CONCURRENTLY (then move the statement out of the transaction)' : 'Add CONCURRENTLY',
        edits: [ctx.edit(insertAt, insertAt, ' CONCURRENTLY')],
        isPreferred: false,
      } : undefined,
    });
  },
});
