// Indexes being built (pg_stat_progress_create_index). CREATE INDEX CONCURRENTLY waits for older transactions in
// several phases; current_locker_pid names the one it waits for. Cancelled, it leaves an invalid index behind.
import type { IndexBuild } from '../types.js';
import { CURRENT_DB_OID, int, num, obj, queryText, relName, rows, secondsSince, str, type Query } from './sql.js';

export interface IndexBuildsResult {
  builds: IndexBuild[];
  omitted: number;
}

export const indexBuildsQuery: Query<IndexBuildsResult> = {
  section: 'indexBuilds',
  sql: ({ limits }) => `WITH x AS (
  SELECT p.*, a.query, a.xact_start
  FROM pg_stat_progress_create_index p LEFT JOIN pg_stat_activity a USING (pid)
  WHERE p.pid <> pg_backend_pid()
)
SELECT json_build_object(
  'total', (SELECT count(*) FROM x),
  'builds', (SELECT coalesce(json_agg(json_build_object(
    'pid', t.pid, 'database', t.datname,
    'relation', CASE WHEN t.datid = ${CURRENT_DB_OID} AND t.relid <> 0 THEN ${relName('t.relid')} END,
    'index', CASE WHEN t.datid = ${CURRENT_DB_OID} AND t.index_relid <> 0 THEN ${relName('t.index_relid')} END,
    'command', t.command, 'phase', t.phase,
    'percent', round(100.0 * CASE WHEN t.blocks_total > 0 THEN t.blocks_done::numeric / t.blocks_total
                                  WHEN t.tuples_total > 0 THEN t.tuples_done::numeric / t.tuples_total END, 1),
    'currentLockerPid', nullif(t.current_locker_pid, 0), 'lockersTotal', t.lockers_total, 'lockersDone', t.lockers_done,
    'runningSeconds', ${secondsSince('t.xact_start')}, 'query', ${queryText('t.query', 160)}
  ) ORDER BY t.xact_start NULLS LAST, t.pid), '[]')
  FROM (SELECT * FROM x ORDER BY xact_start NULLS LAST, pid LIMIT ${limits.indexBuilds}) t)
) AS j`,
  parse(raw) {
    const o = obj(raw);
    const builds: IndexBuild[] = rows(o.builds).map((r) => ({
      pid: int(r.pid),
      database: str(r.database),
      relation: str(r.relation),
      index: str(r.index),
      command: str(r.command),
      phase: str(r.phase),
      percent: num(r.percent),
      currentLockerPid: num(r.currentLockerPid),
      lockersTotal: num(r.lockersTotal),
      lockersDone: num(r.lockersDone),
      runningSeconds: num(r.runningSeconds),
      query: str(r.query),
    }));
    return { builds, omitted: Math.max(0, int(o.total) - builds.length) };
  },
};
