import { defineRule } from '../rule.js';
import { qualifyList, stringList } from '../names.js';
import { listOf } from './utils/group-b.js';

export default defineRule({
  id: 'ban-drop-table',
  summary: 'Ban dropping a table that running application versions may still use',
  category: 'compatibility',
  defaultSeverity: 'error',
  kinds: ['DropStmt'],
  messages: {
    dropTable: 'DROP TABLE {{table}} deletes its data for good, and every running application version that still queries {{table}} fails. It takes an ACCESS EXCLUSIVE lock on {{table}}: reads and writes wait.',
    dropTableReferenced: 'DROP TABLE {{table}} deletes its data for good, and every running application version that still queries {{table}} fails. It takes an ACCESS EXCLUSIVE lock on {{table}} and also on {{referenced}}, which it references by foreign key (the key\'s triggers are dropped there): reads and writes of all of them wait.',
    dropTableUnknown: 'DROP TABLE {{table}} deletes its data for good, and every running application version that still queries it fails. It takes an ACCESS EXCLUSIVE lock on {{table}}; the schema model does not know the table, so the tables it references by foreign key, which get the same lock, are unknown.',
  },
  help: 'First deploy code that no longer uses the table (check pg_stat_user_tables for recent scans), keep a backup or rename it and drop it in a later migration. Drop it in a migration of its own, with a short lock_timeout (SET lock_timeout = \'2s\') and retries, since the lock on referenced tables queues their traffic.',
  check(ctx) {
    if (ctx.kind !== 'DropStmt' || ctx.node.removeType !== 'OBJECT_TABLE') return;
    const names: string[] = (ctx.node.objects ?? []).map((o: any) => qualifyList(o.List ? stringList(o.List.items) : stringList([o])));
    const range = ctx.rangeOf(/^drop\s+table\b/i) ?? ctx.stmt.range;
    const strong = new Set(ctx.stmt.locks.filter((l) => l.mode === 'AccessExclusiveLock').map((l) => l.relation));
    for (const table of names) {
      const rel = ctx.schema.get(table);
      if (!rel) { ctx.report('dropTableUnknown', { table }, { range }); continue; }
      if (rel.createdInMigration) continue;
      const referenced = [...new Set(rel.constraints.filter((c) => c.type === 'foreign key' && c.references && !names.includes(c.references) && strong.has(c.references)).map((c) => c.references!))];
      if (referenced.length) ctx.report('dropTableReferenced', { table, referenced: listOf(referenced) }, { range });
      else ctx.report('dropTable', { table }, { range });
    }
  },
});
