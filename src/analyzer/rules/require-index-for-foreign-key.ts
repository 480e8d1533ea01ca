import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import { isTempRangeVar, quoteIdent, rangeVarName, stringList } from '../names.js';
import { relName, type SchemaModel } from '../schema.js';
import { ByteOffsets } from '../text.js';

interface ForeignKey { columns: string[]; references: string; name?: string; location?: number }

// Cached on the parse tree (a symbol-keyed property: cheaper than a WeakMap lookup, and whole-file rules run on
// every keystroke over every statement).
const FKS = Symbol('foreignKeys');
function foreignKeysOf(kind: string, node: Node): { table?: string; fks: ForeignKey[] } {
  return (node as { [FKS]?: { table?: string; fks: ForeignKey[] } })[FKS] ??= computeForeignKeys(kind, node);
}

function computeForeignKeys(kind: string, node: Node): { table?: string; fks: ForeignKey[] } {
  const fks: ForeignKey[] = [];
  const fromConstraint = (con: Node | undefined, column?: string) => {
    if (con?.contype !== 'CONSTR_FOREIGN') return;
    const columns = stringList(con.fk_attrs);
    const references = rangeVarName(con.pktable);
    if (!references) return;
    fks.push({ columns: columns.length ? columns : column ? [column] : [], references, name: con.conname, location: con.location });
  };
  const fromColumn = (def: Node | undefined) => {
    for (const c of def?.constraints ?? []) fromConstraint(c.Constraint, def!.colname);
  };
  if (kind === 'AlterTableStmt') {
    if (node.objtype !== 'OBJECT_TABLE' || isTempRangeVar(node.relation)) return { fks };
    for (const c of node.cmds ?? []) {
      const cmd = c.AlterTableCmd;
      if (cmd?.subtype === 'AT_AddConstraint') fromConstraint(cmd.def?.Constraint);
      else if (cmd?.subtype === 'AT_AddColumn') fromColumn(cmd.def?.ColumnDef);
    }
  } else if (kind === 'CreateStmt') {
    if (isTempRangeVar(node.relation)) return { fks };
    for (const elt of node.tableElts ?? []) {
      if (elt.Constraint) fromConstraint(elt.Constraint);
      else if (elt.ColumnDef) fromColumn(elt.ColumnDef);
    }
  }
  return { table: rangeVarName(node.relation), fks };
}

/** An index whose leading key columns are exactly the foreign key's columns (in any order), without WHERE. */
function covered(schema: SchemaModel, table: string, columns: string[]): boolean {
  return schema.indexesOf(table).some((idx) => {
    const keys = idx.keyColumns ?? [];
    if (idx.partial || keys.length < columns.length) return false;
    const lead = keys.slice(0, columns.length);
    return columns.every((c) => lead.includes(c));
  });
}

export default defineRule({
  id: 'require-index-for-foreign-key',
  summary: 'Require an index on the referencing columns of every foreign key',
  category: 'robustness',
  defaultSeverity: 'warning',
  messages: {
    unindexedForeignKey: 'The foreign key {{fk}} from {{table}} ({{columns}}) to {{references}} has no index on {{table}} that starts with ({{columns}}): every DELETE from {{references}}, and every UPDATE of its key, scans {{table}} for referencing rows (SELECT … FOR KEY SHARE, ROW SHARE lock), so it holds its locks for the length of a full scan, and ON DELETE CASCADE / SET NULL grow slower with {{table}}.',
  },
  help: 'Index the referencing columns: {{indexStatement}} An index that starts with these columns, in any order and without WHERE, is enough.',
  kinds: ['AlterTableStmt', 'CreateStmt'],
  // Indexes created before or after the foreign key in this migration count: the check is about the schema the
  // migration leaves behind (ctx.schema, in checkEnd).
  checkEnd(ctx) {
    const { file, stmt: st } = ctx;
    const end = ctx.schema;
    const { table, fks } = foreignKeysOf(st.kind, ctx.node);
    if (!table || !fks.length) return;
    // A table the model does not know is skipped: its indexes are unknown.
    const rel = end.get(table);
    if (!rel) return;
    let bytes: ByteOffsets | undefined;
    for (const fk of fks) {
      if (!fk.columns.length || covered(end, table, fk.columns)) continue;
      let range = st.range;
      if (fk.location !== undefined) {
        bytes ??= new ByteOffsets(st.text);
        const from = bytes.toUtf16(fk.location);
        const m = /^(?:constraint\s+(?:"(?:[^"]|"")*"|\S+)\s+)?(?:foreign\s+key|references)\b/i.exec(st.text.slice(from));
        range = file.lines.range(st.start + from, st.start + from + (m ? m[0].length : 1));
      }
      const columns = fk.columns.map(quoteIdent).join(', ');
      ctx.report('unindexedForeignKey', {
        fk: quoteIdent(fk.name ?? `${relName(table)}_${fk.columns.join('_')}_fkey`), table, columns, references: fk.references,
        indexStatement: rel.createdInMigration
          ? `CREATE INDEX ON ${table} (${columns}); right after the table is created (it is new and empty, so a plain build is fine).`
          : `CREATE INDEX CONCURRENTLY ON ${table} (${columns}); outside a transaction block, ideally before the foreign key is added.`,
      }, { range });
    }
  },
});
