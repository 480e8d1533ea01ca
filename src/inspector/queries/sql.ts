// Shared pieces of the catalog SQL. Every query returns one row with one json column `j`: the shape is built by the
// server, a refresh transfers one row per question, and bigint/xid values arrive as JSON numbers.
//
// Rules every query follows (postgres-facts.md §3): the same text on 13–18 (columns that only some versions have are
// read through to_jsonb(row) ->> 'col'), never pg_relation_size() and friends (they queue behind a waiting
// AccessExclusiveLock; relpages × block_size instead), always exclude pg_backend_pid(), and a LIMIT on every list.
import { conflictingModes } from '../../analyzer/locks.js';
import { LOCK_MODES } from '../../analyzer/types.js';
import type { InspectorClient, SectionName } from '../types.js';

export interface Limits {
  sessions: number;
  applications: number;
  blockingNodes: number;
  /** waiting sessions whose pg_blocking_pids() is asked (each call takes every lock-manager partition lock) */
  waiters: number;
  lockQueues: number;
  holdersPerQueue: number;
  waitersPerQueue: number;
  backups: number;
  relationsPerBackup: number;
  vacuums: number;
  indexBuilds: number;
  wraparoundTables: number;
  databases: number;
  xminHolders: number;
  deadTuples: number;
  invalidIndexes: number;
  prepared: number;
}

export const DEFAULT_LIMITS: Limits = {
  sessions: 25,
  applications: 10,
  blockingNodes: 100,
  waiters: 500,
  lockQueues: 20,
  holdersPerQueue: 20,
  waitersPerQueue: 50,
  backups: 20,
  relationsPerBackup: 10,
  vacuums: 20,
  indexBuilds: 20,
  wraparoundTables: 10,
  databases: 5,
  xminHolders: 10,
  deadTuples: 10,
  invalidIndexes: 50,
  prepared: 20,
};

export interface QueryContext {
  versionNum: number;
  limits: Limits;
  /** Set once the blocking question is answered: false = nobody waits for a relation lock. */
  relationWaits?: boolean;
}

/** One catalog question: its SQL (undefined = not asked on this server) and how to type the answer. */
export interface Query<T> {
  section: SectionName;
  sql(ctx: QueryContext): string | undefined;
  parse(raw: unknown, ctx: QueryContext): T;
}

export async function runQuery<T>(client: InspectorClient, q: Query<T>, ctx: QueryContext): Promise<T | undefined> {
  const text = q.sql(ctx);
  if (text === undefined) return undefined;
  const res = await client.query<{ j: unknown }>(text);
  return q.parse(res.rows[0]?.j, ctx);
}

/** Schema-qualified, quoted like regclass output, but always qualified (regclass omits schemas on the search_path). */
export function relName(oidExpr: string): string {
  return `(SELECT quote_ident(rn.nspname) || '.' || quote_ident(rc.relname) FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = ${oidExpr})`;
}

/** The current database's oid, for filtering pg_locks and progress views (an oid is only meaningful in its database). */
export const CURRENT_DB_OID = `(SELECT oid FROM pg_database WHERE datname = current_database())`;

/** Query text, whitespace collapsed and cut; NULL when hidden by privileges. */
export function queryText(expr: string, len = 200): string {
  return `CASE WHEN ${expr} IS NULL OR ${expr} = '<insufficient privilege>' THEN NULL ELSE left(regexp_replace(left(${expr}, ${len * 4}), '\\s+', ' ', 'g'), ${len}) END`;
}

export function queryHidden(expr: string): string {
  return `(${expr} = '<insufficient privilege>')`;
}

/** Seconds since a timestamp, one decimal. */
export function secondsSince(expr: string): string {
  return `round(extract(epoch FROM now() - ${expr})::numeric, 1)`;
}

/** xid / xid8 / text to a JSON number. */
export function xidNum(expr: string): string {
  return `(${expr})::text::bigint`;
}

/** The table-level lock conflict matrix as a VALUES list (mode, modes it conflicts with). */
export const CONFLICTS_CTE = `conflicts(mode, conflicts_with) AS (VALUES ${LOCK_MODES.map((m, i) =>
  `('${m}'${i === 0 ? '::text' : ''}, '{${conflictingModes(m).join(',')}}'${i === 0 ? '::text[]' : ''})`).join(', ')})`;

// ---------------------------------------------------------------------------------------------------------------------
// typing helpers for parse(): the server built the JSON, these only guard against surprises.

export type Row = Record<string, unknown>;

export function rows(raw: unknown): Row[] {
  return Array.isArray(raw) ? (raw as Row[]) : [];
}

export function obj(raw: unknown): Row {
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Row) : {};
}

export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

export function int(v: unknown, fallback = 0): number {
  return num(v) ?? fallback;
}

export function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export function bool(v: unknown): boolean | null {
  return v === null || v === undefined ? null : v === true || v === 't' || v === 'true';
}

export function nums(v: unknown): number[] {
  return Array.isArray(v) ? v.map((x) => Number(x)).filter((x) => Number.isFinite(x)) : [];
}

export function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x) => x !== null && x !== undefined).map(String) : [];
}
