import { defineRule } from '../rule.js';
import { rangeVarName } from '../names.js';
import { offsetAfter } from './utils/group-b.js';

export default defineRule({
  id: 'require-concurrent-matview-refresh',
  summary: 'Require REFRESH MATERIALIZED VIEW CONCURRENTLY for views that are read',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['RefreshMatViewStmt'],
  messages: {
    blocksReads: 'REFRESH MATERIALIZED VIEW takes an ACCESS EXCLUSIVE lock on {{view}}: every read of it waits until the view\'s query has run again and the result is written.',
    blocksReadsNoUniqueIndex: 'REFRESH MATERIALIZED VIEW takes an ACCESS EXCLUSIVE lock on {{view}}: every read of it waits until the view\'s query has run again. {{view}} has no unique index, so it cannot be refreshed CONCURRENTLY yet.',
    blocksReadsUnknownView: 'REFRESH MATERIALIZED VIEW takes an ACCESS EXCLUSIVE lock on {{view}}: every read of it waits until the view\'s query has run again. The schema model does not know {{view}}, so whether it has the unique index CONCURRENTLY needs is unknown.',
  },
  help: {
    blocksReads: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY {{view}}: it takes EXCLUSIVE, which lets reads go on, and applies only the differences (it is slower and needs a populated view).',
    blocksReadsNoUniqueIndex: 'First create a unique index on column names only, without WHERE (CREATE UNIQUE INDEX CONCURRENTLY … ON {{view}} (key columns)), then use REFRESH MATERIALIZED VIEW CONCURRENTLY {{view}}, which takes EXCLUSIVE and lets reads go on.',
    blocksReadsUnknownView: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY {{view}}, which takes EXCLUSIVE and lets reads go on. It needs a unique index on column names only, without WHERE, on the view; create one first if there is none.',
  },
  check(ctx) {
    if (ctx.kind !== 'RefreshMatViewStmt' || ctx.node.concurrent || ctx.node.skipData) return;
    const view = rangeVarName(ctx.node.relation);
    if (!view) return;
    const mv = ctx.schema.get(view);
    if (mv?.createdInMigration) return;
    const range = ctx.rangeOf(/^refresh\s+materialized\s+view\b/i) ?? ctx.stmt.range;
    if (!mv) { ctx.report('blocksReadsUnknownView', { view }, { range }); return; }
    const usable = ctx.schema.indexesOf(view).some((i) => i.unique && !i.partial && !(i.keyColumns ?? []).includes('(expr)'));
    if (!usable) { ctx.report('blocksReadsNoUniqueIndex', { view }, { range }); return; }
    const at = offsetAfter(ctx.stmt.text, /^refresh\s+materialized\s+view\b/i);
    ctx.report('blocksReads', { view }, {
      range,
      // REFRESH … CONCURRENTLY may run inside a transaction block, unlike the index commands.
      fix: at > 0 ? { title: 'Add CONCURRENTLY (slower; needs a populated view)', edits: [ctx.edit(at, at, ' CONCURRENTLY')], isPreferred: false } : undefined,
    });
  },
});
