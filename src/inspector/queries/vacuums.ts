// Running VACUUMs (pg_stat_progress_vacuum) and VACUUM FULL / CLUSTER (pg_stat_progress_cluster). An autovacuum
// "(to prevent wraparound)" does not yield to lock requests the way a regular one does (incident 3), and one that is
// cancelled comes back within a naptime.
import type { Vacuum } from '../types.js';
import { CURRENT_DB_OID, bool, int, num, obj, queryText, relName, rows, secondsSince, str, type Query } from './sql.js';

export interface VacuumsResult {
  vacuums: Vacuum[];
  omitted: number;
}

export const vacuumsQuery: Query<VacuumsResult> = {
  section: 'vacuums',
  sql: ({ limits }) => `WITH v AS (
  SELECT p.pid, p.datid, p.datname, p.relid, p.phase, p.heap_blks_total, p.heap_blks_scanned, p.heap_blks_vacuumed,
         p.index_vacuum_count, false AS full
  FROM pg_stat_progress_vacuum p
  UNION ALL
  SELECT c.pid, c.datid, c.datname, c.relid, c.phase, c.heap_blks_total, c.heap_blks_scanned, NULL, NULL, true
  FROM pg_stat_progress_cluster c
), x AS (
  SELECT v.*, a.query, a.backend_type, a.usesysid, a.xact_start, a.wait_event_type, a.wait_event
  FROM v LEFT JOIN pg_stat_activity a USING (pid)
  WHERE v.pid <> pg_backend_pid()
)
SELECT json_build_object(
  'total', (SELECT count(*) FROM x),
  'vacuums', (SELECT coalesce(json_agg(json_build_object(
    'pid', t.pid, 'database', t.datname,
    'relation', CASE WHEN t.datid = ${CURRENT_DB_OID} AND t.relid IS NOT NULL AND t.relid <> 0 THEN ${relName('t.relid')} END,
    'wraparound', CASE WHEN t.query IS NULL OR t.query = '<insufficient privilege>' THEN NULL
                       ELSE t.query ILIKE '%to prevent wraparound%' END,
    'auto', coalesce(t.backend_type = 'autovacuum worker', CASE WHEN t.pid IS NOT NULL THEN t.usesysid IS NULL END),
    'full', t.full, 'phase', t.phase,
    'percent', round(100.0 * CASE WHEN t.phase = 'vacuuming heap' THEN t.heap_blks_vacuumed ELSE t.heap_blks_scanned END
                     / nullif(t.heap_blks_total, 0), 1),
    'heapBlocksTotal', t.heap_blks_total, 'heapBlocksScanned', t.heap_blks_scanned, 'indexVacuumCount', t.index_vacuum_count,
    'runningSeconds', ${secondsSince('t.xact_start')},
    'waitEvent', t.wait_event_type || ':' || t.wait_event,
    'query', ${queryText('t.query', 160)}) ORDER BY t.xact_start NULLS LAST, t.pid), '[]')
    FROM (SELECT * FROM x ORDER BY xact_start NULLS LAST, pid LIMIT ${limits.vacuums}) t)
) AS j`,
  parse(raw) {
    const o = obj(raw);
    const vacuums: Vacuum[] = rows(o.vacuums).map((r) => ({
      pid: int(r.pid),
      database: str(r.database),
      relation: str(r.relation),
      wraparound: bool(r.wraparound),
      auto: bool(r.auto),
      full: r.full === true,
      phase: str(r.phase),
      percent: num(r.percent),
      heapBlocksTotal: num(r.heapBlocksTotal),
      heapBlocksScanned: num(r.heapBlocksScanned),
      indexVacuumCount: num(r.indexVacuumCount),
      runningSeconds: num(r.runningSeconds),
      waitEvent: str(r.waitEvent),
      query: str(r.query),
    }));
    return { vacuums, omitted: Math.max(0, int(o.total) - vacuums.length) };
  },
};
