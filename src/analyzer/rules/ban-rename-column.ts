import { defineRule } from '../rule.js';
import { quoteIdent, rangeVarName } from '../names.js';
import { columnAddedInMigration, identSource } from './utils/group-b.js';

export default defineRule({
  id: 'ban-rename-column',
  summary: 'Ban renaming a column that running application versions still use',
  category: 'compatibility',
  defaultSeverity: 'error',
  kinds: ['RenameStmt'],
  messages: {
    breaksClients: 'RENAME COLUMN {{column}} TO {{newName}} on {{table}}: every running application version that still uses {{column}} fails from the moment the migration commits. The ACCESS EXCLUSIVE lock it takes blocks reads and writes of {{table}} only briefly.',
  },
  help: 'Rename in steps (expand/contract): add the new column, write to both, backfill the new one in batches, switch reads to it and deploy, then stop writing the old one and drop it later. If only the code name matters, map it in the ORM instead (Rails alias_attribute, Django db_column).',
  check(ctx) {
    if (ctx.kind !== 'RenameStmt' || ctx.node.renameType !== 'OBJECT_COLUMN') return;
    if (ctx.node.relationType !== 'OBJECT_TABLE' && ctx.node.relationType !== 'OBJECT_FOREIGN_TABLE') return;
    const table = rangeVarName(ctx.node.relation);
    const column: string | undefined = ctx.node.subname;
    if (!table || !column || ctx.schema.get(table)?.createdInMigration) return;
    if (columnAddedInMigration(ctx.file, table, column)) return;
    const range = ctx.rangeOf(new RegExp(`\\brename\\s+(?:column\\s+)?${identSource(column)}`, 'i')) ?? ctx.stmt.range;
    ctx.report('breaksClients', { column: quoteIdent(column), newName: quoteIdent(String(ctx.node.newname)), table }, { range });
  },
});
