// The preflight's one catalog question beyond the snapshot: for the migration's relations ONLY (bound as a text[]
// parameter and resolved with to_regclass(), never spliced into the SQL), their size estimates (relpages, reltuples;
// never pg_relation_size() and friends), freeze age, indexes, and every lock on them, granted or waiting, with the
// session behind it. Runs on the inspector's own read-only connection, so it inherits its safe session settings
// (lock_timeout 1s, statement_timeout 5s, read-only). Bounded rows.
import { describeError } from '../inspector/connection.js';
import type { InspectorSession } from '../inspector/inspector.js';
import { fail, ok, type InspectorClient, type Result } from '../inspector/types.js';
import { int, num, obj, rows, str } from '../inspector/queries/sql.js';

export const MAX_RELATIONS = 500;
export const MAX_LOCK_ROWS = 1000;

export interface LiveIndex {
  name: string;
  valid: boolean;
  ready: boolean;
  /** the key columns, in order ('(expression)' for expressions) */
  columns: string[];
  partial: boolean;
  unique: boolean;
  definition: string;
}

export interface LiveRelation {
  /** the name as asked */
  name: string;
  oid: number;
  /** schema-qualified */
  qualified: string;
  relkind: string;
  relpages: number;
  /** -1 on 14+ when never vacuumed/analyzed */
  reltuples: number;
  /** for indexes: the table; null otherwise */
  table: string | null;
  /** for tables: age(relfrozenxid) and the effective autovacuum_freeze_max_age */
  xidAge: number | null;
  freezeMaxAge: number | null;
  /** for tables: its indexes; for indexes: itself */
  indexes: LiveIndex[];
}

export interface LiveLock {
  relation: string;
  /** 0 = prepared transaction */
  pid: number;
  gid: string | null;
  mode: string;
  granted: boolean;
  application: string | null;
  backendType: string | null;
  state: string | null;
  query: string | null;
  xactSeconds: number | null;
  querySeconds: number | null;
  waitSeconds: number | null;
}

export interface LiveRelations {
  relations: Map<string, LiveRelation>;
  locks: LiveLock[];
  locksTruncated: boolean;
  blockSize: number;
  durationMs: number;
}

export const RELATIONS_SQL = `WITH req0 AS (
  SELECT DISTINCT n AS name, to_regclass(n) AS oid FROM unnest($1::text[]) AS n
), req AS (
  SELECT name, oid FROM req0
  UNION
  SELECT quote_ident(tn.nspname) || '.' || quote_ident(tc.relname), tc.oid
  FROM req0 JOIN pg_index i ON i.indexrelid = req0.oid JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
), rel AS (
  SELECT req.name, c.oid, c.relkind, c.relpages, c.reltuples, c.reloptions, c.relfrozenxid,
         quote_ident(ns.nspname) || '.' || quote_ident(c.relname) AS qname,
         (SELECT quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) FROM pg_index i JOIN pg_class tc ON tc.oid = i.indrelid
            JOIN pg_namespace tn ON tn.oid = tc.relnamespace WHERE i.indexrelid = c.oid) AS tbl,
         (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = c.oid) AS tbl_oid
  FROM req JOIN pg_class c ON c.oid = req.oid JOIN pg_namespace ns ON ns.oid = c.relnamespace
  LIMIT ${MAX_RELATIONS}
), lk AS (
  SELECT l.relation, coalesce(l.pid, 0) AS pid, l.mode, l.granted, l.virtualtransaction,
         CASE WHEN NOT l.granted THEN (to_jsonb(l) ->> 'waitstart')::timestamptz END AS waitstart
  FROM pg_locks l
  WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.relation IN (SELECT oid FROM rel UNION SELECT tbl_oid FROM rel WHERE tbl_oid IS NOT NULL)
    AND l.pid IS DISTINCT FROM pg_backend_pid()
  LIMIT ${MAX_LOCK_ROWS + 1}
)
SELECT json_build_object(
  'blockSize', current_setting('block_size')::int,
  'relations', (SELECT coalesce(json_agg(json_build_object(
     'name', rel.name, 'oid', rel.oid::bigint, 'qualified', rel.qname, 'relkind', rel.relkind, 'relpages', rel.relpages,
     'reltuples', rel.reltuples, 'table', rel.tbl,
     'xidAge', CASE WHEN rel.relkind IN ('r', 'm', 't') THEN age(rel.relfrozenxid) END,
     'freezeMaxAge', CASE WHEN rel.relkind IN ('r', 'm', 't') THEN least(current_setting('autovacuum_freeze_max_age')::bigint,
        coalesce((SELECT option_value FROM pg_options_to_table(rel.reloptions) WHERE option_name = 'autovacuum_freeze_max_age')::bigint,
                 current_setting('autovacuum_freeze_max_age')::bigint)) END,
     'indexes', (SELECT coalesce(json_agg(json_build_object(
         'name', quote_ident(xn.nspname) || '.' || quote_ident(xc.relname), 'valid', i.indisvalid, 'ready', i.indisready,
         'columns', ARRAY(SELECT coalesce(a.attname::text, '(expression)') FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
            LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0 WHERE k.ord <= i.indnkeyatts ORDER BY k.ord), 'partial', i.indpred IS NOT NULL, 'unique', i.indisunique,
         'definition', left(pg_get_indexdef(i.indexrelid), 300)) ORDER BY xc.relname), '[]')
       FROM pg_index i JOIN pg_class xc ON xc.oid = i.indexrelid JOIN pg_namespace xn ON xn.oid = xc.relnamespace
       WHERE i.indrelid = coalesce(rel.tbl_oid, rel.oid) AND (rel.tbl_oid IS NULL OR i.indexrelid = rel.oid))
  )), '[]') FROM rel),
  'lockCount', (SELECT count(*) FROM lk),
  'locks', (SELECT coalesce(json_agg(json_build_object(
     'relation', (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = x.relation),
     'pid', x.pid, 'mode', x.mode, 'granted', x.granted, 'application', a.application_name, 'backendType', a.backend_type,
     'state', a.state, 'query', CASE WHEN a.query IS NULL OR a.query = '<insufficient privilege>' THEN NULL ELSE left(regexp_replace(left(a.query, 800), '\\s+', ' ', 'g'), 200) END,
     'gid', CASE WHEN x.pid = 0 THEN (SELECT min(p.gid) FROM pg_locks pl JOIN pg_prepared_xacts p ON pl.locktype = 'transactionid' AND pl.transactionid = p.transaction
                                     WHERE pl.pid IS NULL AND pl.virtualtransaction = x.virtualtransaction) END,
     'xactSeconds', round(extract(epoch FROM now() - coalesce(a.xact_start, (SELECT min(p.prepared) FROM pg_locks pl JOIN pg_prepared_xacts p ON pl.locktype = 'transactionid' AND pl.transactionid = p.transaction WHERE x.pid = 0 AND pl.pid IS NULL AND pl.virtualtransaction = x.virtualtransaction)))::numeric, 1),
     'querySeconds', round(extract(epoch FROM now() - a.query_start)::numeric, 1),
     'waitSeconds', round(extract(epoch FROM now() - x.waitstart)::numeric, 1)
  ) ORDER BY x.granted DESC, x.pid), '[]') FROM (SELECT * FROM lk LIMIT ${MAX_LOCK_ROWS}) x LEFT JOIN pg_stat_activity a ON a.pid = x.pid AND x.pid <> 0)
) AS j`;

export function parseRelations(raw: unknown, durationMs = 0): LiveRelations {
  const o = obj(raw);
  const relations = new Map<string, LiveRelation>();
  for (const r of rows(o.relations)) {
    const rel: LiveRelation = {
      name: str(r.name) ?? '', oid: int(r.oid), qualified: str(r.qualified) ?? '', relkind: str(r.relkind) ?? '',
      relpages: int(r.relpages), reltuples: num(r.reltuples) ?? -1, table: str(r.table),
      xidAge: num(r.xidAge), freezeMaxAge: num(r.freezeMaxAge),
      indexes: rows(r.indexes).map((i) => ({
        name: str(i.name) ?? '', valid: i.valid === true, ready: i.ready === true,
        columns: Array.isArray(i.columns) ? (i.columns as unknown[]).map(String) : [], partial: i.partial === true, unique: i.unique === true,
        definition: str(i.definition) ?? '',
      })),
    };
    relations.set(rel.name, rel);
    relations.set(rel.qualified, rel);
  }
  const locks: LiveLock[] = rows(o.locks).map((l) => ({
    relation: str(l.relation) ?? '', pid: int(l.pid), gid: str(l.gid), mode: str(l.mode) ?? '', granted: l.granted === true,
    application: str(l.application), backendType: str(l.backendType), state: str(l.state), query: str(l.query),
    xactSeconds: num(l.xactSeconds), querySeconds: num(l.querySeconds), waitSeconds: num(l.waitSeconds),
  }));
  return { relations, locks, locksTruncated: int(o.lockCount) > MAX_LOCK_ROWS, blockSize: int(o.blockSize, 8192), durationMs };
}

/** Asks the relations question over any read-only client. */
export async function readRelations(client: InspectorClient, names: string[]): Promise<LiveRelations> {
  const t0 = performance.now();
  const list = [...new Set(names)].slice(0, MAX_RELATIONS);
  const res = await client.query<{ j: unknown }>(RELATIONS_SQL, [list]);
  return parseRelations(res.rows[0]?.j, Math.round((performance.now() - t0) * 10) / 10);
}

// ---------------------------------------------------------------------------------------------------------------------
// Running a question on an InspectorSession's own connection: one connection per target, serialised with its
// snapshots. The session has no public query method, so this reaches its (private) serialiser and connection.


export function onSession<T>(session: InspectorSession, fn: (client: InspectorClient) => Promise<T>): Promise<Result<T>> {
  return session.withClient(fn);
}
