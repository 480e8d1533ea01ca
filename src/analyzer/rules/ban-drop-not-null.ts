import { defineRule } from '../rule.js';
import { quoteIdent } from '../names.js';
import { alterTable, isNewRelation } from './utils/group-a.js';
import { ClauseFinder, columnAddedInMigration, identSource } from './utils/group-b.js';

export default defineRule({
  id: 'ban-drop-not-null',
  summary: 'Ban dropping NOT NULL from a column that clients assume is never NULL',
  category: 'compatibility',
  defaultSeverity: 'warning',
  kinds: ['AlterTableStmt'],
  messages: {
    breaksClients: 'ALTER COLUMN {{column}} DROP NOT NULL on {{table}}: code that assumes {{column}} is never NULL (non-nullable model fields, typed clients, reports and downstream consumers) may break once NULLs are written. It takes an ACCESS EXCLUSIVE lock on {{table}} that blocks reads and writes only briefly.',
  },
  help: 'Make every reader handle NULL first (nullable model field, generated client types, COALESCE in reports) and deploy that; then drop NOT NULL. If the goal is only to stop writing the column, keep it NOT NULL with a DEFAULT instead.',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    const table = at.table;
    let alters: ClauseFinder | undefined;
    for (const cmd of at.cmds) {
      if (cmd.subtype !== 'AT_DropNotNull' || !cmd.name) continue;
      if (columnAddedInMigration(ctx.file, table, cmd.name)) continue;
      alters ??= new ClauseFinder(ctx.file, ctx.stmt, '\\balter\\s+');
      const range = alters.rangeOf(`(?:column\\s+)?${identSource(cmd.name)}\\s+drop\\s+not\\s+null`) ?? ctx.stmt.range;
      ctx.report('breaksClients', { column: quoteIdent(cmd.name), table }, { range });
    }
  },
});
