import { defineRule } from '../rule.js';
import { quoteIdent } from '../names.js';
import { alterTable, isNewRelation } from './utils/group-a.js';
import { ClauseFinder, columnAddedInMigration } from './utils/group-b.js';

export default defineRule({
  id: 'ban-drop-column',
  summary: 'Ban dropping a column that running application versions may still use',
  category: 'compatibility',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    breaksClients: 'DROP COLUMN {{column}} of {{table}}: every running application version that still reads or writes {{column}} (SELECT *, INSERT with that column, an ORM that lists every column) fails as soon as it commits. The ACCESS EXCLUSIVE lock it takes blocks reads and writes of {{table}} only briefly.',
  },
  help: 'Stop using the column first and deploy that, then drop it in a later migration: in Rails add it to self.ignored_columns, in Django remove the field with SeparateDatabaseAndState (state only), elsewhere remove it from every query and model. Once no running version knows the column, DROP COLUMN is safe.',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    const table = at.table;
    let drops: ClauseFinder | undefined;
    for (const cmd of at.cmds) {
      if (cmd.subtype !== 'AT_DropColumn' || !cmd.name) continue;
      if (columnAddedInMigration(ctx.file, table, cmd.name)) continue;
      drops ??= new ClauseFinder(ctx.file, ctx.stmt, '\\bdrop\\s+');
      const range = drops.rangeOfColumnClause(cmd.name) ?? ctx.stmt.range;
      ctx.report('breaksClients', { column: quoteIdent(cmd.name), table }, { range });
    }
  },
});
