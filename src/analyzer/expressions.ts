// What the analyzer can tell about an expression without a database: is it a constant, is it volatile?
// PostgreSQL evaluates a non-volatile ADD COLUMN default once and stores it in the catalog (11+); a volatile one is
// evaluated per row, which rewrites the table.
import type { Node } from './parse.js';
import { stringList, regclassLiteral } from './names.js';

// Built-in functions that are volatile (provolatile = 'v'), the ones migrations actually use as defaults.
const VOLATILE = new Set([
  'random', 'random_normal', 'clock_timestamp', 'timeofday', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc',
  'uuid_generate_v4', 'uuidv4', 'uuidv7', 'nextval', 'setval', 'currval', 'lastval', 'txid_current', 'pg_current_xact_id',
  'now_volatile', 'gen_random_bytes', 'pg_backend_pid', 'statement_timestamp_volatile', 'set_config', 'nanoid', 'ulid',
  'generate_ulid', 'uuid_generate_v7', 'gen_ulid', 'uuid_generate_v6',
]);

// Built-in non-volatile functions commonly used in defaults and generated expressions (stable or immutable).
const NON_VOLATILE = new Set([
  'now', 'transaction_timestamp', 'statement_timestamp', 'current_date', 'current_time', 'current_timestamp',
  'localtime', 'localtimestamp', 'lower', 'upper', 'coalesce', 'nullif', 'greatest', 'least', 'concat', 'concat_ws',
  'length', 'char_length', 'substr', 'substring', 'trim', 'btrim', 'ltrim', 'rtrim', 'replace', 'md5', 'to_char',
  'to_timestamp', 'to_date', 'to_number', 'date_trunc', 'date_part', 'extract', 'age', 'abs', 'round', 'floor', 'ceil',
  'jsonb_build_object', 'json_build_object', 'jsonb_build_array', 'json_build_array', 'to_jsonb', 'to_json',
  'array_length', 'cardinality', 'make_interval', 'make_date', 'make_timestamp', 'make_timestamptz', 'timezone',
  'current_user', 'session_user', 'current_schema', 'current_setting', 'encode', 'decode', 'sha256', 'digest',
  'format', 'left', 'right', 'split_part', 'regexp_replace', 'position', 'strpos', 'array_to_string', 'string_to_array',
  'jsonb_typeof', 'int4', 'int8', 'text', 'numeric', 'bool', 'to_tsvector', 'setweight', 'array_remove', 'array_append',
]);

export type Volatility = 'constant' | 'non-volatile' | 'volatile' | 'unknown';

/** Classifies an expression: a literal (or cast of one), non-volatile, volatile, or unknown (a user function). */
export function volatility(expr: Node | undefined, depth = 0): Volatility {
  if (!expr || depth > 100) return 'constant';
  const [kind, node] = Object.entries(expr)[0] ?? [];
  switch (kind) {
    case 'A_Const':
      return 'constant';
    case 'TypeCast':
      return volatility(node.arg, depth + 1);
    case 'SQLValueFunction':
      return 'non-volatile';
    case 'FuncCall': {
      const names = stringList(node.funcname);
      const name = (names[names.length - 1] ?? '').toLowerCase();
      let v: Volatility = VOLATILE.has(name) ? 'volatile' : NON_VOLATILE.has(name) ? 'non-volatile' : 'unknown';
      for (const a of node.args ?? []) v = worst(v, volatility(a, depth + 1), true);
      return v;
    }
    case 'A_ArrayExpr':
      return (node.elements ?? []).reduce((v: Volatility, e: Node) => worst(v, volatility(e, depth + 1)), 'constant');
    case 'A_Expr':
      return worst(volatility(node.lexpr, depth + 1), volatility(node.rexpr, depth + 1), true);
    case 'BoolExpr':
    case 'CoalesceExpr':
    case 'MinMaxExpr':
      return (node.args ?? []).reduce((v: Volatility, e: Node) => worst(v, volatility(e, depth + 1), true), 'constant');
    case 'List':
      return (node.items ?? []).reduce((v: Volatility, e: Node) => worst(v, volatility(e, depth + 1)), 'constant');
    case 'CaseExpr': {
      let v: Volatility = volatility(node.arg, depth + 1);
      for (const w of node.args ?? []) v = worst(v, worst(volatility(w.CaseWhen?.expr, depth + 1), volatility(w.CaseWhen?.result, depth + 1)), true);
      return worst(v, volatility(node.defresult, depth + 1), true);
    }
    case 'NullTest':
    case 'BooleanTest':
      return worst('non-volatile', volatility(node.arg, depth + 1));
    case 'ColumnRef':
      return 'non-volatile';
    case 'SubLink':
      return 'unknown';
    default:
      return 'unknown';
  }
}

const ORDER: Volatility[] = ['constant', 'non-volatile', 'unknown', 'volatile'];
function worst(a: Volatility, b: Volatility, combined = false): Volatility {
  const w = ORDER[Math.max(ORDER.indexOf(a), ORDER.indexOf(b))];
  // An operator or function over constants is no longer a literal, but it is still evaluated once.
  return combined && w === 'constant' ? 'non-volatile' : w;
}

/** The function names called anywhere in an expression, lower case. */
export function calledFunctions(expr: unknown, out: string[] = [], depth = 0): string[] {
  if (!expr || typeof expr !== 'object' || depth > 200) return out;
  if (Array.isArray(expr)) { for (const e of expr) calledFunctions(e, out, depth + 1); return out; }
  const n = expr as Node;
  if (n.FuncCall) {
    const names = stringList(n.FuncCall.funcname);
    out.push((names[names.length - 1] ?? '').toLowerCase());
  }
  for (const v of Object.values(n)) if (v && typeof v === 'object') calledFunctions(v, out, depth + 1);
  return out;
}

// Sequence functions: each opens its sequence with RowExclusiveLock (lock_and_open_sequence() in
// src/backend/commands/sequence.c), held to the end of the transaction.
const SEQUENCE_FUNCTIONS = new Set(['nextval', 'setval', 'currval']);

/**
 * The sequences an expression (or any statement subtree) calls nextval / setval / currval on, when the sequence is
 * named by a literal ('seq' or 'seq'::regclass). Qualified, as names.ts prints them.
 */
export function sequenceCalls(expr: unknown, out: string[] = [], depth = 0): string[] {
  if (!expr || typeof expr !== 'object' || depth > 200) return out;
  if (Array.isArray(expr)) { for (const e of expr) sequenceCalls(e, out, depth + 1); return out; }
  const n = expr as Node;
  if (n.FuncCall) {
    const names = stringList(n.FuncCall.funcname);
    const fn = (names[names.length - 1] ?? '').toLowerCase();
    if (SEQUENCE_FUNCTIONS.has(fn) && (names.length === 1 || names[0] === 'pg_catalog')) {
      let arg = n.FuncCall.args?.[0];
      while (arg?.TypeCast) arg = arg.TypeCast.arg;
      const lit = arg?.A_Const?.sval?.sval;
      const seq = typeof lit === 'string' ? regclassLiteral(lit) : undefined;
      if (seq && !out.includes(seq)) out.push(seq);
    }
  }
  for (const v of Object.values(n)) if (v && typeof v === 'object') sequenceCalls(v, out, depth + 1);
  return out;
}

/** The column names an expression refers to (the last field of each ColumnRef), without duplicates. */
export function columnRefs(expr: unknown, out: string[] = [], depth = 0): string[] {
  if (!expr || typeof expr !== 'object' || depth > 200) return out;
  if (Array.isArray(expr)) { for (const e of expr) columnRefs(e, out, depth + 1); return out; }
  const n = expr as Node;
  if (n.ColumnRef) {
    const f = stringList(n.ColumnRef.fields);
    const col = f[f.length - 1];
    if (col && !out.includes(col)) out.push(col);
    return out;
  }
  for (const v of Object.values(n)) if (v && typeof v === 'object') columnRefs(v, out, depth + 1);
  return out;
}

/**
 * FigureColnameInternal() of src/backend/parser/parse_target.c, for the expressions of an index: the name
 * PostgreSQL derives from an expression (a column's, a function's, a cast's type …), undefined where it has none
 * (an index then calls the column "expr").
 */
export function figureColname(expr: Node | undefined, depth = 0): string | undefined {
  return figure(expr, depth)?.name;
}
function figure(expr: Node | undefined, depth: number): { name: string; strength: number } | undefined {
  if (!expr || depth > 100) return undefined;
  const [kind, node] = Object.entries(expr)[0] ?? [];
  switch (kind) {
    case 'ColumnRef': {
      const f = stringList(node.fields);
      return f.length ? { name: f[f.length - 1], strength: 2 } : undefined;
    }
    case 'A_Indirection': {
      const ind: Node[] = node.indirection ?? [];
      const last = ind[ind.length - 1];
      if (last?.String?.sval) return { name: last.String.sval, strength: 2 };
      return figure(node.arg, depth + 1);
    }
    case 'FuncCall': {
      const names = stringList(node.funcname);
      return names.length ? { name: names[names.length - 1], strength: 2 } : undefined;
    }
    case 'A_Expr':
      return node.kind === 'AEXPR_NULLIF' ? { name: 'nullif', strength: 2 } : undefined;
    case 'TypeCast': {
      const inner = figure(node.arg, depth + 1);
      if (inner && inner.strength > 1) return inner;
      const names = stringList(node.typeName?.names);
      return names.length ? { name: names[names.length - 1], strength: 1 } : inner;
    }
    case 'CollateClause': return figure(node.arg, depth + 1);
    case 'CaseExpr': {
      const inner = figure(node.defresult, depth + 1);
      return inner && inner.strength > 1 ? inner : { name: 'case', strength: 1 };
    }
    case 'A_ArrayExpr': return { name: 'array', strength: 2 };
    case 'RowExpr': return { name: 'row', strength: 2 };
    case 'CoalesceExpr': return { name: 'coalesce', strength: 2 };
    case 'MinMaxExpr': return { name: node.op === 'IS_LEAST' ? 'least' : 'greatest', strength: 2 };
    default: return undefined;
  }
}
