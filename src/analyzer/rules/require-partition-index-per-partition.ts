import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import { qualify, quoteIdent, rangeVarName } from '../names.js';
import { relName, schemaOf } from '../schema.js';
import { shortListOf } from './utils/group-b.js';

/** The per-partition recipe, with the real names when the partitions are known. */
function recipe(node: Node, table: string, partitions: string[]): string {
  const raw: string[] = (node.indexParams ?? []).map((p: Node) => p.IndexElem?.name ?? '');
  const colList = raw.length ? raw.map((c) => (c ? quoteIdent(c) : '(…)')).join(', ') : '…';
  const suffix = raw.filter(Boolean).join('_') || 'expr';
  const unique = node.unique ? 'UNIQUE ' : '';
  const parentName: string = node.idxname ?? `${relName(table)}_${suffix}_idx`;
  const parentIdx = qualify(schemaOf(table), parentName);
  const lines = [`CREATE ${unique}INDEX ${quoteIdent(parentName)} ON ONLY ${table} (${colList});`];
  const shown = partitions.slice(0, 3);
  for (const p of shown) {
    const pName = `${relName(p)}_${suffix}_idx`;
    lines.push(`CREATE ${unique}INDEX CONCURRENTLY ${quoteIdent(pName)} ON ${p} (${colList});`);
    lines.push(`ALTER INDEX ${parentIdx} ATTACH PARTITION ${qualify(schemaOf(p), pName)};`);
  }
  if (!shown.length) {
    lines.push(`CREATE ${unique}INDEX CONCURRENTLY <partition>_${suffix}_idx ON <each partition> (${colList});`, `ALTER INDEX ${parentIdx} ATTACH PARTITION <partition>_${suffix}_idx;`);
  } else if (partitions.length > shown.length) {
    lines.push(`… and the same for the other ${partitions.length - shown.length} partitions.`);
  }
  return lines.join(' ');
}

export default defineRule({
  id: 'require-partition-index-per-partition',
  summary: 'Require indexes on partitioned tables to be built per partition and attached',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['IndexStmt'],
  messages: {
    blocksWritesOnAllPartitions: 'CREATE INDEX on the partitioned table {{table}} takes a SHARE lock on it and on each of its partitions{{partitions}} for the whole build: every INSERT, UPDATE and DELETE on any of them waits until the last partition is indexed.',
    concurrentNotSupported: 'CREATE INDEX CONCURRENTLY fails on the partitioned table {{table}} ("cannot create index on partitioned table concurrently"), and without CONCURRENTLY it would take a SHARE lock on {{table}} and each of its partitions{{partitions}}, blocking every write for the whole build.',
  },
  help: 'Build the index per partition, each without blocking writes, then attach: {{recipe}} Once every partition\'s index is attached, the parent index becomes valid. The CONCURRENTLY statements cannot run inside a transaction block.',
  check(ctx) {
    if (ctx.kind !== 'IndexStmt') return;
    const table = rangeVarName(ctx.node.relation);
    if (!table) return;
    const rel = ctx.schema.get(table);
    if (rel?.kind !== 'partitioned table' || rel.createdInMigration) return;
    // ON ONLY: the parent gets an invalid index and no partition is touched. libpg_query omits `inh` when ONLY is written.
    if (!ctx.node.relation.inh) return;
    const parts = ctx.schema.descendants(table).filter((p) => ctx.schema.get(p)?.kind !== 'partitioned table');
    const range = ctx.rangeOf(/^create\s+(unique\s+)?index(\s+concurrently)?/i) ?? ctx.stmt.range;
    const partitions = parts.length ? ` (${shortListOf(parts)})` : ' (the schema model knows none)';
    const recipeText = recipe(ctx.node, table, parts);
    ctx.report(ctx.node.concurrent ? 'concurrentNotSupported' : 'blocksWritesOnAllPartitions', { table, partitions, recipe: recipeText }, { range });
  },
});
