// Helpers shared by the ALTER TABLE rules of group A: finding the subcommands, telling new tables from busy ones,
// and turning libpg_query's byte locations into ranges and edits that cover one subcommand ("clause").
import type { Node } from '../../parse.js';
import type { RuleContext } from '../../rule.js';
import type { StatementInfo } from '../../analyze.js';
import { transactionStatements } from '../../lookback.js';
import type { Fix, Range } from '../../types.js';
import { ByteOffsets, startsWithAsciiIgnoringCase } from '../../text.js';
import { rangeVarName, isTempRangeVar, quoteIdent, qualifyList, stringList } from '../../names.js';
import { typeOf, type ColumnInfo } from '../../schema.js';

export interface AlterTable {
  /** The target, schema-qualified as in stmt.locks[].relation. */
  table: string;
  node: Node;
  /** The AlterTableCmd nodes (unwrapped). */
  cmds: Node[];
}

/**
 * The target and subcommands of an ALTER TABLE (or ALTER MATERIALIZED VIEW when `objtypes` allows it); undefined for
 * other statements and temporary tables, which no other session can see.
 */
export function alterTable(ctx: RuleContext<any>, objtypes: readonly string[] = ['OBJECT_TABLE']): AlterTable | undefined {
  if (ctx.kind !== 'AlterTableStmt') return undefined;
  const node = ctx.node;
  if (!objtypes.includes(node.objtype) || isTempRangeVar(node.relation)) return undefined;
  const table = rangeVarName(node.relation);
  if (!table) return undefined;
  const cmds = (node.cmds ?? []).map((c: Node) => c.AlterTableCmd).filter(Boolean) as Node[];
  return { table, node, cmds };
}

/** True when the relation was created earlier in the migration being analysed: it is empty and nobody uses it yet. */
export function isNewRelation(ctx: RuleContext<any>, relation: string | undefined): boolean {
  if (!relation) return false;
  const lock = ctx.stmt.locks.find((l) => l.relation === relation);
  if (lock) return lock.createdInMigration;
  return ctx.schema.get(relation)?.createdInMigration ?? false;
}

/** ADD COLUMN IF NOT EXISTS on a column that already exists does nothing. */
export function isNoOpAddColumn(ctx: RuleContext<any>, table: string, cmd: Node): boolean {
  return !!cmd.missing_ok && !!cmd.def?.ColumnDef && !!ctx.schema.column(table, cmd.def.ColumnDef.colname);
}

/** The column's constraints (unwrapped Constraint nodes). */
export function columnConstraints(def: Node): Node[] {
  return (def.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
}

const byteMaps = new WeakMap<object, ByteOffsets>();

/** UTF-16 offset within the statement text of a libpg_query byte location. */
export function offsetOf(ctx: RuleContext<any>, location: number | undefined): number {
  if (location === undefined || location < 0) return 0;
  let map = byteMaps.get(ctx.stmt);
  if (!map) { map = new ByteOffsets(ctx.stmt.text); byteMaps.set(ctx.stmt, map); }
  return map.toUtf16(location);
}

/** Document range of [from, to) (UTF-16 offsets within the statement text). */
export function rangeBetween(ctx: RuleContext<any>, from: number, to: number): Range {
  return ctx.file.lines.range(ctx.stmt.start + from, ctx.stmt.start + Math.max(from, to));
}

/**
 * Where the subcommand that starts at `from` ends: just after its last token before a top-level comma or the end of
 * the statement. Quotes, dollar quotes, comments and parentheses are skipped, so a trailing comment is never included.
 */
export function clauseEnd(text: string, from: number): number {
  let depth = 0;
  let last = from;
  let i = from;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      let nest = 1;
      i += 2;
      while (i < n && nest > 0) {
        if (text[i] === '/' && text[i + 1] === '*') { nest++; i += 2; } else if (text[i] === '*' && text[i + 1] === '/') { nest--; i += 2; } else i++;
      }
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f') { i++; continue; }
    if (ch === ',' && depth === 0) break;
    if (ch === ')' && depth === 0) break;
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === "'") {
      const escapes = i > 0 && /[eE]/.test(text[i - 1]) && (i < 2 || !/[\w$]/.test(text[i - 2]));
      i++;
      while (i < n) {
        if (escapes && text[i] === '\\') { i += 2; continue; }
        if (text[i] === "'") { if (text[i + 1] === "'") { i += 2; continue; } break; }
        i++;
      }
      i++;
      last = Math.min(i, n);
      continue;
    }
    if (ch === '"') {
      i++;
      while (i < n) {
        if (text[i] === '"') { if (text[i + 1] === '"') { i += 2; continue; } break; }
        i++;
      }
      i++;
      last = Math.min(i, n);
      continue;
    }
    if (ch === '$' && (i === 0 || !/[\w$]/.test(text[i - 1]))) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (m) {
        const close = text.indexOf(m[0], i + m[0].length);
        i = close < 0 ? n : close + m[0].length;
        last = i;
        continue;
      }
    }
    i++;
    last = i;
  }
  return last;
}

/** The range of the subcommand that starts at the byte `location` (up to its end, see clauseEnd). */
export function clauseRange(ctx: RuleContext<any>, location: number | undefined): Range {
  if (location === undefined || location < 0) return ctx.stmt.range;
  const from = offsetOf(ctx, location);
  return rangeBetween(ctx, from, clauseEnd(ctx.stmt.text, from));
}

/** Regex source matching an identifier as it may be written: bare (any case) or double-quoted. */
export function identSource(name: string): string {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const quoted = '"' + esc(name.replace(/"/g, '""')) + '"';
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? `(?:${quoted}|${esc(name)}\\b)` : quoted;
}

/** First match of `source` (case-insensitive) in the statement text at or after `from`: [start, end) offsets. */
const FIND_CACHE = new Map<string, RegExp>();
export function findIn(ctx: RuleContext<any>, source: string, from = 0): [number, number] | undefined {
  let re = FIND_CACHE.get(source);
  if (!re) {
    if (FIND_CACHE.size > 500) FIND_CACHE.clear();
    FIND_CACHE.set(source, re = new RegExp(source, 'gi'));
  }
  re.lastIndex = from;
  const m = re.exec(ctx.stmt.text);
  return m ? [m.index, m.index + m[0].length] : undefined;
}

/** [start, end) of the subcommand `ALTER [COLUMN] <col> <rest>…` within the statement text. */
export function alterColumnSpan(ctx: RuleContext<any>, column: string, rest: string): [number, number] | undefined {
  const start = /^[\x20-\x7e]*$/.test(column) ? alterColumnStart(ctx.stmt.text, column, rest) : findIn(ctx, `\\balter\\s+(?:column\\s+)?${identSource(column)}\\s*${rest}`)?.[0];
  return start !== undefined ? [start, clauseEnd(ctx.stmt.text, start)] : undefined;
}

// alterColumnSpan without a pattern per column (each new RegExp costs a compilation, and migrations alter thousands
// of different columns): where findIn(`\balter\s+(?:column\s+)?${identSource(column)}\s*${rest}`) starts, found
// the way a backtracking matcher finds it: at each `\balter\s+` from the left, COLUMN taken and then not, the quoted
// and then the bare form of the name (case-insensitive), then `\s*rest` (sticky). For printable ASCII names.
const ALTER_AT = /\balter\s+/gi;
const COLUMN_AT = /column\s+/iy;
const REST_CACHE = new Map<string, RegExp>();
function alterColumnStart(text: string, column: string, rest: string): number | undefined {
  let restRe = REST_CACHE.get(rest);
  if (!restRe) { if (REST_CACHE.size > 100) REST_CACHE.clear(); REST_CACHE.set(rest, restRe = new RegExp(`\\s*${rest}`, 'iy')); }
  const quoted = '"' + column.replace(/"/g, '""') + '"';
  const bare = /^[a-z_][a-z0-9_$]*$/.test(column);
  const restAt = (at: number) => { restRe!.lastIndex = at; return restRe!.test(text); };
  ALTER_AT.lastIndex = 0;
  for (let m = ALTER_AT.exec(text); m; m = ALTER_AT.exec(text)) {
    const base = m.index + m[0].length;
    COLUMN_AT.lastIndex = base;
    const afterColumn = COLUMN_AT.test(text) ? COLUMN_AT.lastIndex : -1;
    for (const at of afterColumn >= 0 ? [afterColumn, base] : [base]) {
      if (startsWithAsciiIgnoringCase(text, at, quoted) && restAt(at + quoted.length)) return m.index;
      if (bare && startsWithAsciiIgnoringCase(text, at, column) && wordBoundary(text, at + column.length) && restAt(at + column.length)) return m.index;
    }
  }
  return undefined;
}


const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/** `\b` at `at` (ASCII word characters, as in a non-Unicode RegExp). */
function wordBoundary(text: string, at: number): boolean {
  const before = at > 0 && isWordChar(text.charCodeAt(at - 1));
  const after = at < text.length && isWordChar(text.charCodeAt(at));
  return before !== after;
}

/** The range of `ALTER [COLUMN] <col> <rest>…`, or the statement when it cannot be found. */
export function alterColumnRange(ctx: RuleContext<any>, column: string, rest: string): Range {
  const span = alterColumnSpan(ctx, column, rest);
  return span ? rangeBetween(ctx, span[0], span[1]) : ctx.stmt.range;
}

/** The relation name exactly as written at a RangeVar's location (`Public."Articles"`), for fixes that repeat it. */
export function writtenName(ctx: RuleContext<any>, location: number | undefined): string | undefined {
  if (location === undefined || location < 0) return undefined;
  const from = offsetOf(ctx, location);
  const re = /(?:"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*))*/y;
  re.lastIndex = from;
  return re.exec(ctx.stmt.text)?.[0];
}

/** A column's type the way a user writes it: varchar(50), numeric(10,2), int4[]. */
export function columnTypeText(col: ColumnInfo): string {
  return `${col.type}${col.typmods.length ? `(${col.typmods.join(',')})` : ''}${col.isArray ? '[]' : ''}`;
}

/** The new type of ALTER COLUMN … TYPE as written, without its USING / COLLATE clause. */
export function writtenType(ctx: RuleContext<any>, typeName: Node | undefined): string {
  if (typeName?.location !== undefined && typeName.location >= 0) {
    const from = offsetOf(ctx, typeName.location);
    const text = ctx.stmt.text.slice(from, clauseEnd(ctx.stmt.text, from));
    const cut = text.search(/\s(?:using|collate)\b/i);
    const t = (cut < 0 ? text : text.slice(0, cut)).trim().replace(/\s+/g, ' ');
    if (t) return t;
  }
  const t = typeOf(typeName);
  return `${t.name}${t.typmods.length ? `(${t.typmods.join(',')})` : ''}${t.isArray ? '[]' : ''}`;
}

/** `c` → `c`, `Name` → `"Name"`: a column name as SQL must spell it. */
export const ident = quoteIdent;

/** The name PostgreSQL gives an unnamed constraint's index (tablename_col_key / tablename_pkey), if it fits 63 bytes. */
export function defaultIndexName(table: string, keys: string[], primary: boolean): string | undefined {
  const name = primary ? `${table}_pkey` : `${table}_${keys.join('_')}_key`;
  return Buffer.byteLength(name, 'utf8') <= 63 ? name : undefined;
}

/** Walks the earlier statements of the same transaction, most recent first; stops at the transaction's start. */
export function* earlierInTransaction(ctx: RuleContext<any>): Generator<StatementInfo> {
  const id = ctx.stmt.transactionId;
  if (id < 0) return;
  const all = transactionStatements(ctx.file);
  for (let i = ctx.stmt.index - 1; i >= 0; i--) {
    const st = all[i];
    if (st.transactionId !== id) return;
    yield st;
  }
}

/**
 * The two-step replacement of ADD CONSTRAINT … UNIQUE / PRIMARY KEY (cols): build the index concurrently first, then
 * attach it with USING INDEX. Only for the plain form (one subcommand, key columns only), where the edit is mechanical.
 */
export function usingIndexFix(ctx: RuleContext<any>, at: AlterTable, con: Node): Fix | undefined {
  const primary = con.contype === 'CONSTR_PRIMARY';
  const keys: string[] = (con.keys ?? []).map((k: Node) => k?.String?.sval).filter(Boolean);
  if (at.cmds.length !== 1 || at.node.missing_ok || !keys.length) return undefined;
  if (con.including?.length || con.options?.length || con.indexspace || con.deferrable || con.initdeferred || con.nulls_not_distinct || con.without_overlaps) return undefined;
  const written = writtenName(ctx, at.node.relation?.location);
  const name = con.conname ?? defaultIndexName(at.node.relation?.relname ?? '', keys, primary);
  if (!written || !name) return undefined;
  const from = offsetOf(ctx, con.location);
  const end = clauseEnd(ctx.stmt.text, from);
  return {
    title: `Build the index with CREATE UNIQUE INDEX CONCURRENTLY first (it must run outside a transaction block), then ADD ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX`,
    edits: [
      ctx.edit(0, 0, `CREATE UNIQUE INDEX CONCURRENTLY ${ident(name)} ON ${written} (${keys.map(ident).join(', ')});\n`),
      ctx.edit(from, end, `CONSTRAINT ${ident(name)} ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${ident(name)}`),
    ],
    isPreferred: false,
  };
}

/**
 * The default partition of a partitioned table, if known. The schema model's `isDefaultPartition` is consulted first;
 * as a fallback the earlier statements of this file are read for `CREATE TABLE … PARTITION OF parent DEFAULT` and
 * `ATTACH PARTITION … DEFAULT` (the model reads the bound from a `PartitionBoundSpec` wrapper that libpg_query does
 * not emit, so it never marks one). Only called for ATTACH / DETACH, which are rare: the walk is cheap enough.
 */
export function defaultPartitionOf(ctx: RuleContext<any>, parent: string): string | undefined {
  const parts = ctx.schema.get(parent)?.partitions ?? [];
  const marked = parts.find((p) => ctx.schema.get(p)?.isDefaultPartition);
  if (marked) return marked;
  let found: string | undefined;
  const statements = ctx.file.statements;
  for (let i = 0; i < ctx.stmt.index; i++) {
    const node = statements[i].node;
    if (node.CreateStmt) {
      const cs = node.CreateStmt;
      const bound = cs.partbound?.PartitionBoundSpec ?? cs.partbound;
      if (bound?.is_default && rangeVarName(cs.inhRelations?.[0]?.RangeVar) === parent) found = rangeVarName(cs.relation);
    } else if (node.AlterTableStmt && rangeVarName(node.AlterTableStmt.relation) === parent) {
      for (const c of node.AlterTableStmt.cmds ?? []) {
        const pc = c.AlterTableCmd?.def?.PartitionCmd;
        if (!pc) continue;
        const child = rangeVarName(pc.name);
        const bound = pc.bound?.PartitionBoundSpec ?? pc.bound;
        if (c.AlterTableCmd.subtype === 'AT_AttachPartition' && bound?.is_default) found = child;
        else if (c.AlterTableCmd.subtype === 'AT_DetachPartition' && child === found) found = undefined;
      }
    } else if (node.DropStmt && found && node.DropStmt.removeType === 'OBJECT_TABLE') {
      for (const o of node.DropStmt.objects ?? []) {
        if (qualifyList(stringList(o.List?.items)) === found) found = undefined;
      }
    }
  }
  return found;
}
