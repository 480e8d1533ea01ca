// Helpers shared by the rules of group C: lock selection and wording, timeout values, column type clauses and
// text edits. Everything here works on one statement's text and parse tree: no re-parsing, no whole-file scans.
import type { LockEffect, LockMode, Range, TextEdit } from '../../types.js';
import type { Node } from '../../parse.js';
import type { FileInfo, StatementInfo } from '../../analyze.js';
import { blocks, sqlModeName, strength } from '../../locks.js';
import { ByteOffsets } from '../../text.js';
import { quoteIdent, rangeVarName, stringList } from '../../names.js';
import { typeOf } from '../../schema.js';

/** The inner node of a statement ({ AlterTableStmt: {…} } → {…}). */
export function innerNode(stmt: StatementInfo): Node {
  // The node has one key, its type, which is the statement's kind (this runs for every statement of every
  // whole-file rule: no Object.values()).
  return (stmt.node[stmt.kind] ?? EMPTY_NODE) as Node;
}
const EMPTY_NODE: Node = {};

/** A lock that makes reads or writes wait: SHARE and stronger. */
export function blocksReadsOrWrites(mode: LockMode): boolean {
  const b = blocks(mode);
  return b.reads || b.writes;
}

const INDEX_KINDS = new Set(['index', 'partitioned index']);
export function isIndexLock(l: LockEffect): boolean { return INDEX_KINDS.has(l.relkind); }
/** Tables and table-like relations (an unknown relation counts: it is most likely a table). */
export function isTableLike(l: LockEffect): boolean { return !INDEX_KINDS.has(l.relkind) && l.relkind !== 'sequence'; }

/** The locks of a statement that block reads or writes on relations that existed before the migration. */
export function blockingLocks(stmt: StatementInfo): LockEffect[] {
  return stmt.locks.filter((l) => !l.createdInMigration && blocksReadsOrWrites(l.mode));
}

/** The lock to name in a message: the strongest, a table over an index, a named relation over an implicit one. */
export function pickLock(locks: LockEffect[]): LockEffect | undefined {
  let best: LockEffect | undefined;
  const score = (l: LockEffect) => strength(l.mode) * 4 + (isIndexLock(l) ? 0 : 2) + (l.implicit ? 0 : 1);
  for (const l of locks) if (!best || score(l) > score(best)) best = l;
  return best;
}

/** "every query on public.articles — reads and writes —" / "every write to public.articles (reads still run)". */
export function queueDescription(mode: LockMode, table: string): string {
  const b = blocks(mode);
  if (b.reads) return `every query on ${table} — reads and writes —`;
  if (b.rowLocks) return `every write and SELECT … FOR UPDATE on ${table} (plain reads still run)`;
  if (b.writes) return `every INSERT, UPDATE and DELETE on ${table} (reads still run)`;
  return `other DDL and VACUUM on ${table}`;
}

export { sqlModeName };

const OBJECT_NAMES: Record<string, string> = {
  OBJECT_TABLE: 'TABLE', OBJECT_INDEX: 'INDEX', OBJECT_VIEW: 'VIEW', OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_SEQUENCE: 'SEQUENCE', OBJECT_FOREIGN_TABLE: 'FOREIGN TABLE', OBJECT_TRIGGER: 'TRIGGER', OBJECT_TYPE: 'TYPE',
  OBJECT_DOMAIN: 'DOMAIN', OBJECT_SCHEMA: 'SCHEMA', OBJECT_POLICY: 'POLICY', OBJECT_RULE: 'RULE', OBJECT_FUNCTION: 'FUNCTION',
  OBJECT_COLUMN: 'COLUMN', OBJECT_TABCONSTRAINT: 'CONSTRAINT', OBJECT_EXTENSION: 'EXTENSION',
};
export function objectName(objtype: string | undefined): string {
  return OBJECT_NAMES[objtype ?? ''] ?? String(objtype ?? '').replace(/^OBJECT_/, '').replace(/_/g, ' ');
}

/** A short name for the statement, as a DBA would say it: "ALTER TABLE", "DROP TRIGGER", "CREATE INDEX". */
export function statementLabel(stmt: StatementInfo): string {
  const n = innerNode(stmt);
  switch (stmt.kind) {
    case 'AlterTableStmt': return `ALTER ${objectName(n.objtype)}`;
    case 'IndexStmt': return n.unique ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX';
    case 'DropStmt': return `DROP ${objectName(n.removeType)}`;
    case 'RenameStmt': return `ALTER ${objectName(n.relationType ?? n.renameType)} … RENAME`;
    case 'CreateStmt': return 'CREATE TABLE';
    case 'CreateTrigStmt': return n.replace ? 'CREATE OR REPLACE TRIGGER' : 'CREATE TRIGGER';
    case 'TruncateStmt': return 'TRUNCATE';
    case 'VacuumStmt': {
      const full = (n.options ?? []).some((o: Node) => String(o.DefElem?.defname ?? '').toLowerCase() === 'full');
      return n.is_vacuumcmd === false ? 'ANALYZE' : full ? 'VACUUM FULL' : 'VACUUM';
    }
    case 'ClusterStmt': return 'CLUSTER';
    case 'ReindexStmt': return 'REINDEX';
    case 'RefreshMatViewStmt': return 'REFRESH MATERIALIZED VIEW';
    case 'LockStmt': return 'LOCK TABLE';
    case 'ViewStmt': return n.replace ? 'CREATE OR REPLACE VIEW' : 'CREATE VIEW';
    case 'AlterSeqStmt': return 'ALTER SEQUENCE';
    case 'CreatePolicyStmt': return 'CREATE POLICY';
    case 'AlterPolicyStmt': return 'ALTER POLICY';
    case 'RuleStmt': return 'CREATE RULE';
    case 'AlterDomainStmt': return 'ALTER DOMAIN';
    case 'CommentStmt': return 'COMMENT';
    case 'CreateStatsStmt': return 'CREATE STATISTICS';
    case 'InsertStmt': return 'INSERT';
    case 'UpdateStmt': return 'UPDATE';
    case 'DeleteStmt': return 'DELETE';
    case 'MergeStmt': return 'MERGE';
    case 'SelectStmt': return 'SELECT';
    case 'CopyStmt': return 'COPY';
    case 'DoStmt': return 'DO block';
    case 'CreateTableAsStmt': return n.objtype === 'OBJECT_MATVIEW' ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS';
    default: {
      const m = /^\s*([a-z]+)(?:\s+([a-z]+))?/i.exec(stmt.text);
      return m ? `${m[1]}${m[2] ? ' ' + m[2] : ''}`.toUpperCase() : stmt.kind;
    }
  }
}

/** True for a timeout value that disables the timeout: 0, '0', '0s', '0ms' … */
export function isDisabledTimeout(value: string | null): boolean {
  return value !== null && /^\s*0+(?:\.0*)?\s*(?:us|ms|s|min|h|d)?\s*$/i.test(value);
}

/** True when the statement is one of the CONCURRENTLY forms (they wait for other transactions by design). */
export function isConcurrentForm(stmt: StatementInfo): boolean {
  const n = innerNode(stmt);
  switch (stmt.kind) {
    case 'IndexStmt': case 'DropStmt': case 'RefreshMatViewStmt': return !!n.concurrent;
    case 'ReindexStmt': return !!n.concurrent || (n.params ?? []).some((p: Node) => String(p.DefElem?.defname ?? '').toLowerCase() === 'concurrently');
    case 'AlterTableStmt': return (n.cmds ?? []).some((c: Node) => c.AlterTableCmd?.def?.PartitionCmd?.concurrent);
    default: return false;
  }
}

/** 1-based line of a statement's first character, for messages ("line 3"). */
export function lineOf(stmt: StatementInfo): number { return stmt.range.start.line + 1; }

/** An insertion of `text` on its own line just before the statement (same indentation), or inline when the
 *  statement shares its line with an earlier one. */
export function insertBeforeStatement(file: FileInfo, stmt: StatementInfo, text: string): TextEdit {
  const lineStart = file.text.lastIndexOf('\n', stmt.start - 1) + 1;
  const prefix = file.text.slice(lineStart, stmt.start);
  const newText = /^[ \t]*$/.test(prefix) ? `${text}\n${prefix}` : `${text} `;
  return { range: file.lines.range(stmt.start, stmt.start), newText };
}

/** An edit of the statement's text, offsets in UTF-16 code units relative to the statement. */
export function statementEdit(file: FileInfo, stmt: StatementInfo, start: number, end: number, newText: string): TextEdit {
  return { range: file.lines.range(stmt.start + start, stmt.start + end), newText };
}

export function statementRange(file: FileInfo, stmt: StatementInfo, start: number, end: number): Range {
  return file.lines.range(stmt.start + start, stmt.start + end);
}

/** UTF-16 offset inside the statement text of a libpg_query byte location. */
export function utf16At(stmt: StatementInfo, byteLocation: number): number {
  return new ByteOffsets(stmt.text).toUtf16(byteLocation);
}

// ---- column types ----------------------------------------------------------------------------------------------

const IDENT = '(?:"(?:[^"]|"")*"|[A-Za-z_\\u0080-\\uffff][\\w$\\u0080-\\uffff]*)';
const TYPE_SPAN = new RegExp(
  `(?:national\\s+)?${IDENT}(?:\\s*\\.\\s*${IDENT})*(?:\\s+(?:varying|precision)\\b)?(?:\\s*\\([^()]*\\))?(?:\\s+with(?:out)?\\s+time\\s+zone\\b)?`,
  'iy',
);

/** The text span of a type name starting at `from` (without array brackets): `varchar(20)`, `timestamp(3) without time zone`. */
export function typeSpanAt(text: string, from: number): [number, number] | undefined {
  TYPE_SPAN.lastIndex = from;
  const m = TYPE_SPAN.exec(text);
  return m && m[0].length > 0 ? [from, from + m[0].length] : undefined;
}

export interface ColumnTypeUse {
  /** Qualified table name. */
  table: string;
  column: string;
  /** 'create': CREATE TABLE; 'add': ALTER TABLE … ADD COLUMN; 'alter': ALTER COLUMN … TYPE. */
  context: 'create' | 'add' | 'alter';
  typeName: Node;
  /** The type's name as written, lower-cased, last part only (int4, varchar, serial, bpchar, json …). */
  rawName: string;
  /** Normalised as the schema model stores it. */
  type: string;
  typmods: number[];
  isArray: boolean;
  /** True when the name is unqualified or pg_catalog-qualified (a built-in type rather than a user type). */
  builtin: boolean;
  /** UTF-16 span of the type inside the statement text, without array brackets; undefined when it cannot be found. */
  span?: [number, number];
  columnDef: Node;
}

// Six rules ask for the column types of every CREATE TABLE and ALTER TABLE: computed once per statement. The result
// depends only on the parse tree and the statement text, so it is kept with the tree (statements with the same text
// share one) and checked against the text.
const columnTypesCache = new WeakMap<object, { text: string; uses: ColumnTypeUse[] }>();

/** Every column whose type the statement chooses: CREATE TABLE columns, ADD COLUMN, ALTER COLUMN … TYPE. */
export function columnTypes(stmt: StatementInfo): ColumnTypeUse[] {
  if (stmt.kind !== 'CreateStmt' && stmt.kind !== 'AlterTableStmt') return [];
  const hit = columnTypesCache.get(stmt.node);
  if (hit && hit.text === stmt.text) return hit.uses;
  const uses = computeColumnTypes(stmt);
  columnTypesCache.set(stmt.node, { text: stmt.text, uses });
  return uses;
}

function computeColumnTypes(stmt: StatementInfo): ColumnTypeUse[] {
  const n = innerNode(stmt);
  const out: ColumnTypeUse[] = [];
  let bytes: ByteOffsets | undefined;
  const push = (table: string | undefined, column: string | undefined, def: Node | undefined, context: ColumnTypeUse['context']) => {
    const typeName = def?.typeName;
    if (!table || !column || !typeName) return;
    const names = stringList(typeName.names);
    const rawName = (names[names.length - 1] ?? '').toLowerCase();
    const t = typeOf(typeName);
    let span: [number, number] | undefined;
    if (typeof typeName.location === 'number' && typeName.location >= 0) {
      bytes ??= new ByteOffsets(stmt.text);
      span = typeSpanAt(stmt.text, bytes.toUtf16(typeName.location));
    }
    out.push({
      table, column, context, typeName, rawName, type: t.name, typmods: t.typmods, isArray: t.isArray,
      builtin: names.length === 1 || names[0] === 'pg_catalog', span, columnDef: def,
    });
  };
  if (stmt.kind === 'CreateStmt') {
    const table = rangeVarName(n.relation);
    for (const elt of n.tableElts ?? []) if (elt.ColumnDef) push(table, elt.ColumnDef.colname, elt.ColumnDef, 'create');
  } else if (stmt.kind === 'AlterTableStmt' && (n.objtype === 'OBJECT_TABLE' || n.objtype === 'OBJECT_FOREIGN_TABLE')) {
    const table = rangeVarName(n.relation);
    for (const c of n.cmds ?? []) {
      const cmd = c.AlterTableCmd;
      if (cmd?.subtype === 'AT_AddColumn') push(table, cmd.def?.ColumnDef?.colname, cmd.def?.ColumnDef, 'add');
      else if (cmd?.subtype === 'AT_AlterColumnType') push(table, cmd.name, cmd.def?.ColumnDef, 'alter');
    }
  }
  return out;
}

/** "public.articles.title" for messages. */
export function columnLabel(use: ColumnTypeUse): string {
  return `${use.table}.${quoteIdent(use.column)}`;
}

/** The type as written, for messages: "varchar(20)", "int4[]". */
export function typeLabel(stmt: StatementInfo, use: ColumnTypeUse): string {
  if (use.span) return stmt.text.slice(use.span[0], use.span[1]).replace(/\s+/g, ' ') + (use.isArray ? '[]' : '');
  return use.rawName + (use.typmods.length ? `(${use.typmods.join(',')})` : '') + (use.isArray ? '[]' : '');
}

/** The range of the type clause, or of the whole statement. */
export function typeRange(file: FileInfo, stmt: StatementInfo, use: ColumnTypeUse): Range {
  return use.span ? statementRange(file, stmt, use.span[0], use.span[1]) : stmt.range;
}

/** Byte length of a string in UTF-8 (PostgreSQL's NAMEDATALEN counts bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

// ---- identifiers in statement text ---------------------------------------------------------------------------

export interface IdentifierToken {
  /** UTF-16 offsets in the statement text, quotes included. */
  start: number;
  end: number;
  /** The identifier as PostgreSQL sees it (unquoted ones down-cased), before truncation. */
  value: string;
  quoted: boolean;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Identifier tokens of a statement longer than `maxBytes` in UTF-8. A small lexer: it skips comments, string
 * literals (standard, E'…', B'…', X'…', U&'…'), dollar-quoted bodies and numbers, so only real identifiers count.
 * libpg_query truncates long identifiers before we see the tree, so the text is the only place to find them.
 */
/** One linear pass: is there an identifier-like run (or a quoted identifier) longer than `maxBytes` UTF-8 bytes? */
function hasLongRun(text: string, maxBytes: number): boolean {
  let run = 0;
  const n = text.length;
  const w = (c: number) => (c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A quoted identifier: its content may hold any character.
      let bytes = 0;
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 34) bytes += w(text.charCodeAt(j++));
      if (bytes > maxBytes) return true;
      i = j; run = 0;
    } else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c >= 128) {
      run += w(c);
      if (run > maxBytes) return true;
    } else run = 0;
  }
  return false;
}

export function longIdentifiers(text: string, maxBytes: number): IdentifierToken[] {
  const out: IdentifierToken[] = [];
  // A UTF-16 code unit is at most 3 UTF-8 bytes: without a run of maxBytes / 3 identifier characters there is
  // nothing to find, and most statements end here.
  const minRun = Math.floor(maxBytes / 3) + 1;
  if (text.length < minRun) return out;
  if (!hasLongRun(text, maxBytes)) return out;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '-' && text[i + 1] === '-') { const nl = text.indexOf('\n', i); i = nl < 0 ? n : nl + 1; continue; }
    if (c === '/' && text[i + 1] === '*') {
      let depth = 1; i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') { depth++; i += 2; } else if (text[i] === '*' && text[i + 1] === '/') { depth--; i += 2; } else i++;
      }
      continue;
    }
    if (c === "'") { i = skipString(text, i, false); continue; }
    if (c === '"') {
      let j = i + 1; let value = '';
      while (j < n) {
        if (text[j] === '"') { if (text[j + 1] === '"') { value += '"'; j += 2; continue; } j++; break; }
        value += text[j++];
      }
      if (utf8Length(value) > maxBytes) out.push({ start: i, end: j, value, quoted: true });
      i = j; continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 130));
      if (m) { const close = text.indexOf(m[0], i + m[0].length); i = close < 0 ? n : close + m[0].length; continue; }
      i++; continue;
    }
    if (/[0-9]/.test(c)) { while (i < n && /[0-9A-Za-z_.]/.test(text[i])) i++; continue; }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(text[j])) j++;
      const word = text.slice(i, j);
      if (text[j] === "'" && /^(?:[eEbBxXnN])$/.test(word)) { i = skipString(text, j, word === 'e' || word === 'E'); continue; }
      if ((word === 'u' || word === 'U') && text[j] === '&' && (text[j + 1] === "'" || text[j + 1] === '"')) {
        if (text[j + 1] === "'") { i = skipString(text, j + 1, false); continue; }
        i = j + 1; continue; // U&"…": read as a quoted identifier next round (escapes left as written)
      }
      const value = word.replace(/[A-Z]+/g, (s) => s.toLowerCase());
      if (utf8Length(value) > maxBytes) out.push({ start: i, end: j, value, quoted: false });
      i = j; continue;
    }
    i++;
  }
  return out;
}

function skipString(text: string, quote: number, backslashEscapes: boolean): number {
  let j = quote + 1;
  while (j < text.length) {
    const ch = text[j];
    if (backslashEscapes && ch === '\\') { j += 2; continue; }
    if (ch === "'") { if (text[j + 1] === "'") { j += 2; continue; } return j + 1; }
    j++;
  }
  return text.length;
}

/** The longest prefix of `s` that fits in `maxBytes` UTF-8 bytes without splitting a character (pg_mbcliplen). */
export function clipUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    const w = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
    if (bytes + w > maxBytes) break;
    bytes += w;
    i += w === 4 ? 2 : 1;
  }
  return s.slice(0, i);
}

