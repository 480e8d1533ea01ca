import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import { rangeVarName } from '../names.js';
import { listOf } from './utils/group-b.js';

function fullOption(node: Node): boolean {
  const o = (node.options ?? []).find((x: Node) => String(x.DefElem?.defname).toLowerCase() === 'full');
  if (!o) return false;
  const arg = o.DefElem.arg;
  const v = String(arg?.String?.sval ?? arg?.Integer?.ival ?? arg?.Boolean?.boolval ?? 'true').toLowerCase();
  return !['false', 'off', '0', 'no'].includes(v);
}

export default defineRule({
  id: 'prefer-repack',
  summary: 'Prefer pg_repack to VACUUM FULL and CLUSTER, which rewrite tables under ACCESS EXCLUSIVE',
  category: 'rewrite',
  defaultSeverity: 'error',
  kinds: ['VacuumStmt', 'ClusterStmt'],
  messages: {
    vacuumFull: 'VACUUM FULL rewrites {{tables}} and rebuilds every index under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole rewrite, and it needs free disk space for a full copy.',
    cluster: 'CLUSTER rewrites {{tables}} in index order and rebuilds every index under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole rewrite, and it needs free disk space for a full copy.',
  },
  help: {
    vacuumFull: 'Use pg_repack outside the migration (pg_repack --no-order --table={{example}}): it rebuilds the table online and holds ACCESS EXCLUSIVE only for a moment at the start and at the end. PostgreSQL 19 adds REPACK (CONCURRENTLY). If plain space reuse is enough, a plain VACUUM takes only SHARE UPDATE EXCLUSIVE.',
    cluster: 'Use pg_repack outside the migration (pg_repack --table={{example}} orders by the clustered index, or --order-by=col): it rebuilds the table online and holds ACCESS EXCLUSIVE only for a moment at the start and at the end. PostgreSQL 19 adds REPACK (CONCURRENTLY) … USING INDEX.',
  },
  check(ctx) {
    let tables: string[];
    let id: 'vacuumFull' | 'cluster';
    if (ctx.kind === 'VacuumStmt') {
      if (ctx.node.is_vacuumcmd === false || !fullOption(ctx.node)) return;
      id = 'vacuumFull';
      const rels: Node[] = ctx.node.rels ?? [];
      tables = rels.map((r) => rangeVarName(r.VacuumRelation?.relation)).filter((x): x is string => !!x);
      if (!rels.length) tables = ['every table of the database'];
    } else if (ctx.kind === 'ClusterStmt') {
      id = 'cluster';
      const t = rangeVarName(ctx.node.relation);
      tables = t ? [t] : ['every table that was clustered before'];
    } else return;
    // A table created earlier in the migration holds no rows anyone is waiting for.
    const existing = tables.filter((t) => !ctx.schema.get(t)?.createdInMigration);
    if (!existing.length) return;
    const range = (id === 'vacuumFull' ? ctx.rangeOf(/\bfull\b/i) : ctx.rangeOf(/^cluster\b/i)) ?? ctx.stmt.range;
    const example = existing[0].startsWith('every ') ? '<schema.table>' : existing[0];
    ctx.report(id, { tables: listOf(existing), example }, { range });
  },
});
