import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import { rangeVarName } from '../names.js';
import { concurrentlyFixTitle, offsetAfter, runnerHint } from './utils/group-b.js';

function concurrentOption(node: Node): { present: boolean; on: boolean } {
  const p = (node.params ?? []).find((x: Node) => String(x.DefElem?.defname).toLowerCase() === 'concurrently');
  if (!p) return { present: false, on: false };
  const arg = p.DefElem.arg;
  const v = String(arg?.String?.sval ?? arg?.Integer?.ival ?? arg?.Boolean?.boolval ?? 'true').toLowerCase();
  return { present: true, on: !['false', 'off', '0', 'no'].includes(v) };
}

export default defineRule({
  id: 'require-concurrent-reindex',
  summary: 'Require REINDEX CONCURRENTLY for indexes of existing tables',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['ReindexStmt'],
  minVersion: 12,
  messages: {
    reindexIndex: 'REINDEX INDEX {{index}} takes a SHARE lock on {{table}} (writes wait) and an ACCESS EXCLUSIVE lock on the index, which blocks virtually every query on {{table}} (the planner opens every index of the table) until the index is rebuilt.',
    reindexIndexUnknownTable: 'REINDEX INDEX {{index}} takes a SHARE lock on its table (writes wait; the schema model does not know the index or its table) and an ACCESS EXCLUSIVE lock on the index, which blocks virtually every query on that table (the planner opens every index of the table) until the index is rebuilt.',
    reindexTable: 'REINDEX TABLE {{table}} takes a SHARE lock on it (writes wait) and an ACCESS EXCLUSIVE lock on each of its indexes{{indexes}}, which blocks virtually every query on {{table}} (the planner opens every index of the table) until all of them are rebuilt.',
    reindexMany: 'REINDEX {{what}} rebuilds every index of every table in it: each table is locked SHARE (writes wait) and its indexes ACCESS EXCLUSIVE (virtually every query on it waits) while its indexes are rebuilt.',
  },
  help: 'Use REINDEX … CONCURRENTLY (PostgreSQL 12+): it builds a new copy of each index next to the old one under SHARE UPDATE EXCLUSIVE, so reads and writes go on, then swaps them. It cannot run inside a transaction block ({{hint}}); if it fails it leaves an invalid "_ccnew" index to drop.',
  check(ctx) {
    if (ctx.kind !== 'ReindexStmt') return;
    const opt = concurrentOption(ctx.node);
    if (opt.on) return;
    const kind: string = ctx.node.kind;
    const hint = runnerHint(ctx.file);
    const range = ctx.rangeOf(/^reindex\b/i) ?? ctx.stmt.range;
    const at = opt.present ? -1 : offsetAfter(ctx.stmt.text, /^reindex\s*(?:\([^)]*\)\s*)?(?:index|table|schema|database)\b/i);
    const fix = at > 0 ? { title: concurrentlyFixTitle(ctx.stmt.inTransaction), edits: [ctx.edit(at, at, ' CONCURRENTLY')], isPreferred: false } : undefined;

    if (kind === 'REINDEX_OBJECT_INDEX') {
      const index = rangeVarName(ctx.node.relation);
      if (!index) return;
      const idx = ctx.schema.get(index);
      if (idx?.createdInMigration || (idx?.table && ctx.schema.get(idx.table)?.createdInMigration)) return;
      if (idx?.table) ctx.report('reindexIndex', { index, table: idx.table, hint }, { range, fix });
      else ctx.report('reindexIndexUnknownTable', { index, hint }, { range, fix });
    } else if (kind === 'REINDEX_OBJECT_TABLE') {
      const table = rangeVarName(ctx.node.relation);
      if (!table) return;
      const rel = ctx.schema.get(table);
      if (rel?.createdInMigration) return;
      const idxs = ctx.schema.indexesOf(table).map((i) => i.name);
      const indexes = !rel ? ' (the schema model does not know the table)' : idxs.length ? ` (${idxs.join(', ')})` : '';
      ctx.report('reindexTable', { table, indexes, hint }, { range, fix });
    } else if (kind === 'REINDEX_OBJECT_SCHEMA' || kind === 'REINDEX_OBJECT_DATABASE') {
      const what = `${kind === 'REINDEX_OBJECT_SCHEMA' ? 'SCHEMA' : 'DATABASE'}${ctx.node.name ? ' ' + ctx.node.name : ''}`;
      ctx.report('reindexMany', { what, hint }, { range, fix });
    }
  },
});
