import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import type { TextEdit } from '../types.js';
import type { FileInfo } from '../analyze.js';
import { quoteIdent, DEFAULT_SCHEMA } from '../names.js';
import { ByteOffsets } from '../text.js';
import { statementEdit, statementRange, utf8Length } from './utils/group-c.js';

// An unqualified name resolves through search_path, which differs between roles, connection poolers and tools: the
// same migration can create or alter a table in another schema than intended (squawk's require-table-schema, opt-in).

interface Occurrence { name: string; location: number }

function isRangeVar(obj: Node): boolean {
  return typeof obj.relname === 'string' && typeof obj.relpersistence === 'string';
}

/** Unqualified relation names of the statement (RangeVars, wrapped or bare), except CTE names and temporary relations
 *  (`skip` starts with the temporary tables of the file and collects the CTE names). */
function unqualified(node: unknown, skip: Set<string>, out: Occurrence[], depth = 0): void {
  if (!node || typeof node !== 'object' || depth > 200) return;
  if (Array.isArray(node)) { for (const x of node) unqualified(x, skip, out, depth + 1); return; }
  const obj = node as Node;
  for (const cte of obj.withClause?.ctes ?? []) if (cte.CommonTableExpr?.ctename) skip.add(cte.CommonTableExpr.ctename);
  if (isRangeVar(obj)) {
    if (!obj.schemaname && obj.relpersistence !== 't' && !skip.has(obj.relname) && typeof obj.location === 'number') {
      out.push({ name: obj.relname, location: obj.location });
    }
    return;
  }
  for (const v of Object.values(obj)) if (v && typeof v === 'object') unqualified(v, skip, out, depth + 1);
}

const DROPPED_RELATIONS = new Set(['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);
const DROPPED_ON_TABLE = new Set(['OBJECT_TRIGGER', 'OBJECT_RULE', 'OBJECT_POLICY']);

/** DROP TABLE x / DROP TRIGGER t ON x: the names carry no location, so they are found in the text after DROP. */
function droppedNames(node: Node, text: string, bytesOf: (utf16: number) => number, out: Occurrence[]): void {
  const type: string = node.removeType;
  const onTable = DROPPED_ON_TABLE.has(type);
  if (!onTable && !DROPPED_RELATIONS.has(type)) return;
  for (const obj of node.objects ?? []) {
    const parts: string[] = (obj.List?.items ?? []).map((x: Node) => x.String?.sval ?? '');
    if (parts.length !== (onTable ? 2 : 1)) continue;
    const name = parts[0];
    const re = new RegExp(`(?:"${escapeRe(name.replace(/"/g, '""'))}"|\\b${escapeRe(name)}\\b)(?!\\s*\\.)`, /^[a-z_][a-z0-9_$]*$/.test(name) ? 'gi' : 'g');
    const head = onTable ? /\bon\b/i.exec(text) : /^drop\s+(?:materialized\s+view|foreign\s+table|\w+)(?:\s+concurrently)?(?:\s+if\s+exists)?/i.exec(text);
    re.lastIndex = head ? head.index + head[0].length : 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      if (text[m.index - 1] === '.' || text[m.index - 1] === '"' && m[0][0] !== '"') continue;
      out.push({ name, location: bytesOf(m.index) });
      break;
    }
  }
}

// Temporary tables created earlier in the file: they live in pg_temp, which is searched first, and are meant to be
// named without a schema. Kept per file and extended as statements are checked, in order.
const tempTables = new WeakMap<FileInfo, { next: number; names: Set<string> }>();
function tempTablesBefore(file: FileInfo, index: number): Set<string> {
  let state = tempTables.get(file);
  if (!state || state.next > index) { state = { next: 0, names: new Set() }; tempTables.set(file, state); }
  for (; state.next < index; state.next++) {
    const st = file.statements[state.next];
    const rv = st?.kind === 'CreateStmt' ? st.node.CreateStmt?.relation : st?.kind === 'CreateTableAsStmt' ? st.node.CreateTableAsStmt?.into?.rel : undefined;
    if (rv?.relpersistence === 't' && !rv.schemaname) state.names.add(rv.relname);
  }
  return state.names;
}

function escapeRe(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

export default defineRule({
  id: 'require-table-schema',
  summary: 'Require schema-qualified relation names',
  category: 'robustness',
  defaultSeverity: 'info',
  optIn: true,
  messages: {
    unqualifiedName:
      '{{name}} is not schema-qualified: it resolves through search_path, which differs between roles, poolers and tools, so this statement may act on a relation in another schema than {{schema}}.',
  },
  help: 'Qualify the name ({{schema}}.{{name}}), or set search_path explicitly at the top of the migration.',
  check(ctx) {
    const occurrences: Occurrence[] = [];
    unqualified(ctx.node, new Set(tempTablesBefore(ctx.file, ctx.stmt.index)), occurrences);
    if (ctx.kind === 'DropStmt') droppedNames(ctx.node, ctx.stmt.text, (at) => utf8Length(ctx.stmt.text.slice(0, at)), occurrences);
    if (occurrences.length === 0) return;
    const bytes = new ByteOffsets(ctx.stmt.text);
    const seen = new Set<string>();
    for (const occ of occurrences) {
      if (seen.has(occ.name)) continue;
      seen.add(occ.name);
      const edits: TextEdit[] = occurrences.filter((o) => o.name === occ.name).map((o) => {
        const at = bytes.toUtf16(o.location);
        return statementEdit(ctx.file, ctx.stmt, at, at, `${DEFAULT_SCHEMA}.`);
      });
      const at = bytes.toUtf16(occ.location);
      ctx.report('unqualifiedName', { name: quoteIdent(occ.name), schema: DEFAULT_SCHEMA }, {
        range: statementRange(ctx.file, ctx.stmt, at, at + identifierLength(ctx.stmt.text, at)),
        fix: { title: `Qualify with ${DEFAULT_SCHEMA}.`, edits, isPreferred: false },
      });
    }
  },
});

function identifierLength(text: string, at: number): number {
  const m = /"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/y;
  m.lastIndex = at;
  const r = m.exec(text);
  return r ? r[0].length : 1;
}
