// Every backend, summarised; the few worth looking at listed: lock waiters first, then the oldest open transactions.
import type { SessionInfo, Sessions } from '../types.js';
import { bool, int, num, obj, queryHidden, queryText, rows, secondsSince, str, xidNum, type Query, type Row } from './sql.js';

export function parseSession(r: Row): SessionInfo {
  return {
    pid: int(r.pid),
    database: str(r.database),
    user: str(r.user),
    application: str(r.application) ?? '',
    clientAddr: str(r.clientAddr),
    backendType: str(r.backendType),
    state: str(r.state),
    waitEventType: str(r.waitEventType),
    waitEvent: str(r.waitEvent),
    waitingForLock: bool(r.waitingForLock) ?? false,
    xactStart: str(r.xactStart),
    queryStart: str(r.queryStart),
    xactSeconds: num(r.xactSeconds),
    querySeconds: num(r.querySeconds),
    query: str(r.query),
    queryHidden: bool(r.queryHidden) ?? false,
    backendXmin: num(r.backendXmin),
  };
}

export const sessionsQuery: Query<Sessions> = {
  section: 'sessions',
  // Lock waits come from wait_event_type here (pg_locks is read once per snapshot, by the blocking query); the
  // inspector corrects waitingForLock from the blocking graph, which plain roles see too.
  sql: ({ limits }) => `WITH a AS (
  SELECT a.*, coalesce(a.wait_event_type = 'Lock', false) AS waiting,
         CASE WHEN a.wait_event_type = 'Lock' THEN 0
              WHEN a.state LIKE 'idle in transaction%' THEN 1
              WHEN a.state = 'active' AND a.backend_type = 'client backend' THEN 2
              WHEN a.state IS NULL OR a.state <> 'idle' THEN 3
              ELSE 4 END AS prio
  FROM pg_stat_activity a
  WHERE a.pid <> pg_backend_pid()
), top AS (
  SELECT * FROM a
  WHERE a.backend_type IN ('client backend', 'autovacuum worker', 'walsender', 'background worker', 'parallel worker')
     OR (a.backend_type IS NULL AND a.usesysid IS NOT NULL)
  ORDER BY prio, coalesce(a.xact_start, a.query_start) NULLS LAST, a.pid
  LIMIT ${limits.sessions}
)
SELECT json_build_object(
  'total', (SELECT count(*) FROM a),
  'listable', (SELECT count(*) FROM a WHERE a.backend_type IN ('client backend', 'autovacuum worker', 'walsender', 'background worker', 'parallel worker')
     OR (a.backend_type IS NULL AND a.usesysid IS NOT NULL)),
  'byState', (SELECT json_object_agg(s, n) FROM (SELECT coalesce(state, CASE WHEN backend_type IS NULL THEN 'hidden' ELSE 'background' END) AS s,
                                                  count(*) AS n FROM a GROUP BY 1) x),
  'byBackendType', (SELECT json_object_agg(b, n) FROM (SELECT coalesce(backend_type, 'hidden') AS b, count(*) AS n FROM a GROUP BY 1) x),
  'byApplication', (SELECT coalesce(json_agg(json_build_object('application', app, 'count', n) ORDER BY n DESC, app), '[]')
                    FROM (SELECT application_name AS app, count(*) AS n FROM a
                          WHERE application_name <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limits.applications}) x),
  'top', (SELECT coalesce(json_agg(json_build_object(
      'pid', pid, 'database', datname, 'user', usename, 'application', application_name,
      'clientAddr', client_addr, 'backendType', backend_type, 'state', state,
      'waitEventType', wait_event_type, 'waitEvent', wait_event, 'waitingForLock', waiting,
      'xactStart', xact_start, 'queryStart', query_start,
      'xactSeconds', ${secondsSince('xact_start')}, 'querySeconds', ${secondsSince('query_start')},
      'query', ${queryText('query')}, 'queryHidden', ${queryHidden('query')},
      'backendXmin', ${xidNum('backend_xmin')}) ORDER BY prio, coalesce(xact_start, query_start) NULLS LAST, pid), '[]') FROM top)
) AS j`,
  parse(raw) {
    const o = obj(raw);
    const top = rows(o.top).map(parseSession);
    const counts = (v: unknown) => Object.fromEntries(Object.entries(obj(v)).map(([k, n]) => [k, int(n)]));
    return {
      total: int(o.total),
      byState: counts(o.byState),
      byBackendType: counts(o.byBackendType),
      byApplication: rows(o.byApplication).map((r) => ({ application: str(r.application) ?? '', count: int(r.count) })),
      top,
      omitted: Math.max(0, int(o.listable) - top.length),
    };
  },
};
