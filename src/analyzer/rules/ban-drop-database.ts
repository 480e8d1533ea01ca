import { defineRule } from '../rule.js';
import { quoteIdent, stringList } from '../names.js';
import { shortListOf } from './utils/group-b.js';

export default defineRule({
  id: 'ban-drop-database',
  summary: 'Ban DROP DATABASE and DROP SCHEMA … CASCADE in migrations',
  category: 'compatibility',
  defaultSeverity: 'error',
  kinds: ['DropdbStmt', 'DropStmt'],
  messages: {
    dropDatabase: 'DROP DATABASE {{database}} deletes the whole database: every table and all their data are gone, and every session of the application connected to it fails{{force}}.',
    dropSchemaCascade: 'DROP SCHEMA {{schema}} CASCADE drops every object in it{{relations}} with all their data, taking an ACCESS EXCLUSIVE lock on each one: reads and writes wait, then fail for good.',
  },
  help: 'Do not destroy databases or whole schemas from a migration. Drop the objects you mean one by one (each is checked by its own rule), or do it by hand after a backup. A DROP SCHEMA without CASCADE fails instead of dropping what is still in the schema.',
  check(ctx) {
    if (ctx.kind === 'DropdbStmt') {
      const force = (ctx.node.options ?? []).some((o: any) => String(o.DefElem?.defname).toLowerCase() === 'force');
      ctx.report('dropDatabase', {
        database: quoteIdent(String(ctx.node.dbname ?? '')),
        force: force ? ' (WITH (FORCE) terminates their connections first)' : '',
      }, { range: ctx.rangeOf(/^drop\s+database\b/i) ?? ctx.stmt.range });
      return;
    }
    if (ctx.kind !== 'DropStmt' || ctx.node.removeType !== 'OBJECT_SCHEMA' || ctx.node.behavior !== 'DROP_CASCADE') return;
    const schemas = stringList(ctx.node.objects);
    // A schema created earlier in this migration holds nothing anyone depends on.
    const created = new Set<string>();
    for (const st of ctx.file.statements) {
      if (st.index >= ctx.stmt.index) break;
      const name = st.node.CreateSchemaStmt?.schemaname;
      if (typeof name === 'string') created.add(name);
    }
    const range = ctx.rangeOf(/\bcascade\b/i) ?? ctx.stmt.range;
    for (const schema of schemas) {
      if (created.has(schema)) continue;
      const prefix = `${quoteIdent(schema)}.`;
      const rels = ctx.stmt.locks.filter((l) => l.relation.startsWith(prefix) && l.relkind !== 'index' && l.relkind !== 'partitioned index').map((l) => l.relation);
      const relations = rels.length ? `, among them ${shortListOf(rels)},` : ' (the schema model knows none of its tables)';
      ctx.report('dropSchemaCascade', { schema: quoteIdent(schema), relations }, { range });
    }
  },
});
