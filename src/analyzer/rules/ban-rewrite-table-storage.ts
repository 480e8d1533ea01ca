import { defineRule } from '../rule.js';
import { alterTable, clauseEnd, findIn, isNewRelation, rangeBetween } from './utils/group-a.js';

const CLAUSES: Record<string, { clause: string; pattern: string }> = {
  AT_SetTableSpace: { clause: 'SET TABLESPACE', pattern: '\\bset\\s+tablespace\\b' },
  AT_SetLogged: { clause: 'SET LOGGED', pattern: '\\bset\\s+logged\\b' },
  AT_SetUnLogged: { clause: 'SET UNLOGGED', pattern: '\\bset\\s+unlogged\\b' },
  AT_SetAccessMethod: { clause: 'SET ACCESS METHOD', pattern: '\\bset\\s+access\\s+method\\b' },
};

export default defineRule({
  id: 'ban-rewrite-table-storage',
  summary: 'Ban SET TABLESPACE, SET LOGGED, SET UNLOGGED and SET ACCESS METHOD on existing tables, which rewrite them',
  category: 'rewrite',
  defaultSeverity: 'error',
  kinds: ['AlterTableMoveAllStmt', 'AlterTableStmt'],
  messages: {
    rewritesTable: '{{clause}} {{effect}} under ACCESS EXCLUSIVE: reads and writes on {{table}} wait until it is done.',
    movesAllRelations: 'ALTER {{kind}} ALL IN TABLESPACE {{from}} SET TABLESPACE copies every {{what}} in {{from}}, each under ACCESS EXCLUSIVE: reads and writes on each wait while it is copied.',
  },
  help: 'To move or convert a busy table without a long lock, create a new table with the storage you want, copy the rows in batches while a trigger keeps it in sync, and swap the names in a short transaction (pg_repack --tablespace does this for tablespaces). For a small table, run it with a short lock_timeout in a quiet window.',
  check(ctx) {
    if (ctx.kind === 'AlterTableMoveAllStmt') {
      const objtype: string = ctx.node.objtype ?? 'OBJECT_TABLE';
      const kind = objtype === 'OBJECT_INDEX' ? 'INDEX' : objtype === 'OBJECT_MATVIEW' ? 'MATERIALIZED VIEW' : 'TABLE';
      const what = objtype === 'OBJECT_INDEX' ? 'index' : objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
      ctx.report('movesAllRelations', { kind, what, from: ctx.node.orig_tablespacename ?? 'the tablespace' });
      return;
    }
    const at = alterTable(ctx, ['OBJECT_TABLE', 'OBJECT_MATVIEW']);
    if (!at || isNewRelation(ctx, at.table)) return;
    const rel = ctx.schema.get(at.table);
    for (const cmd of at.cmds) {
      const c = CLAUSES[cmd.subtype];
      if (!c) continue;
      // On a partitioned table these only set the default for future partitions (or are refused).
      if (rel?.kind === 'partitioned table') continue;
      // SET LOGGED on a logged table (or UNLOGGED on an unlogged one) does nothing.
      if (rel && cmd.subtype === 'AT_SetLogged' && !rel.unlogged) continue;
      if (rel && cmd.subtype === 'AT_SetUnLogged' && rel.unlogged) continue;
      const effect = cmd.subtype === 'AT_SetTableSpace'
        ? `copies ${at.table} to tablespace ${cmd.name}`
        : cmd.subtype === 'AT_SetLogged'
          ? `rewrites ${at.table} and its indexes, writing all of it to the WAL,`
          : `rewrites ${at.table} and rebuilds its indexes`;
      const span = findIn(ctx, c.pattern);
      ctx.report('rewritesTable', { clause: c.clause, effect, table: at.table }, {
        range: span ? rangeBetween(ctx, span[0], clauseEnd(ctx.stmt.text, span[0])) : ctx.stmt.range,
      });
    }
  },
});
