// What holds the xmin horizon back, oldest first: open transactions and snapshots (backends), prepared transactions,
// replication slots (xmin: every table; catalog_xmin: system catalogs only) and standbys' hot_standby_feedback
// reported through a walsender without a slot. Match VACUUM VERBOSE's "removable cutoff"/"oldest xmin" against xmin.
import type { XminHolder, XminHolderKind } from '../types.js';
import { bool, int, num, queryText, rows, secondsSince, str, xidNum, type Query } from './sql.js';

/**
 * What releases a horizon a standby holds through hot_standby_feedback: its oldest snapshot, on the standby (ending
 * the walsender here only makes it reconnect and report the same xmin again).
 */
function onStandby(app: string, addr: string, fallback: string): string {
  return `'-- on the standby ' || quote_literal(coalesce(nullif(${app}, ''), host(${addr}), ${fallback})) || ` +
    `' (its oldest snapshot; or set hot_standby_feedback = off there): SELECT pg_terminate_backend(pid) FROM pg_stat_activity ` +
    `WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid() ORDER BY age(backend_xmin) DESC LIMIT 1'`;
}

export const xminHoldersQuery: Query<{ holders: XminHolder[]; omitted: number }> = {
  section: 'xminHolders',
  sql: ({ limits }) => `WITH h AS (
  SELECT CASE WHEN a.backend_type = 'walsender' THEN 'standby' ELSE 'backend' END AS kind,
         a.pid::text AS id, a.pid, a.datname::text AS db,
         CASE WHEN a.backend_xid IS NOT NULL AND (a.backend_xmin IS NULL OR age(a.backend_xid) > age(a.backend_xmin))
              THEN a.backend_xid ELSE a.backend_xmin END AS xmin,
         a.application_name AS app, a.state, a.xact_start AS since, ${queryText('a.query', 120)} AS query,
         NULL::text AS slot_type, NULL::text AS plugin, NULL::bool AS active, NULL::text AS wal_status,
         CASE WHEN a.backend_type = 'walsender' OR a.datname IS NULL OR a.datname = current_database() THEN 'all' ELSE 'shared-catalogs' END AS holds_back,
         CASE WHEN a.backend_type = 'walsender' THEN ${onStandby('a.application_name', 'a.client_addr', "'pid ' || a.pid")}
              ELSE 'SELECT pg_terminate_backend(' || a.pid || ')' END AS fix
  FROM pg_stat_activity a
  WHERE (a.backend_xmin IS NOT NULL OR a.backend_xid IS NOT NULL) AND a.pid <> pg_backend_pid()
  UNION ALL
  SELECT 'prepared', p.gid, NULL, p.database::text, p.transaction, NULL, 'prepared', p.prepared, NULL,
         NULL, NULL, NULL, NULL,
         CASE WHEN p.database = current_database() THEN 'all' ELSE 'shared-catalogs' END,
         'ROLLBACK PREPARED ' || quote_literal(p.gid)
  FROM pg_prepared_xacts p
  UNION ALL
  SELECT 'slot', s.slot_name::text, NULL, s.database::text, s.xmin, w.application_name, NULL, NULL, NULL,
         s.slot_type, s.plugin::text, s.active, s.wal_status, 'all',
         -- An attached standby sets a physical slot's xmin with hot_standby_feedback: the snapshot is over there.
         CASE WHEN s.active AND s.slot_type = 'physical' THEN ${onStandby('w.application_name', 'w.client_addr', "'on slot ' || s.slot_name")}
              ELSE 'SELECT pg_drop_replication_slot(' || quote_literal(s.slot_name) || ')' END
  FROM pg_replication_slots s LEFT JOIN pg_stat_activity w ON w.pid = s.active_pid WHERE s.xmin IS NOT NULL
  UNION ALL
  SELECT 'slot-catalog', s.slot_name::text, NULL, s.database::text, s.catalog_xmin, NULL, NULL, NULL, NULL,
         s.slot_type, s.plugin::text, s.active, s.wal_status, 'catalogs',
         'SELECT pg_drop_replication_slot(' || quote_literal(s.slot_name) || ')'
  FROM pg_replication_slots s WHERE s.catalog_xmin IS NOT NULL
)
SELECT json_build_object(
  'total', (SELECT count(*) FROM h),
  'holders', (SELECT coalesce(json_agg(json_build_object(
    'kind', t.kind, 'id', t.id, 'pid', t.pid, 'xmin', ${xidNum('t.xmin')}, 'ageXid', age(t.xmin), 'database', t.db,
    'holdsBack', t.holds_back, 'application', t.app, 'state', t.state, 'since', t.since, 'seconds', ${secondsSince('t.since')},
    'query', t.query, 'slotType', t.slot_type, 'plugin', t.plugin, 'active', t.active, 'walStatus', t.wal_status, 'fix', t.fix
  ) ORDER BY age(t.xmin) DESC, t.since NULLS LAST, t.kind, t.id), '[]')
  FROM (SELECT * FROM h ORDER BY age(xmin) DESC, since NULLS LAST, kind, id LIMIT ${limits.xminHolders}) t)
) AS j`,
  parse(raw) {
    const o = (raw ?? {}) as Record<string, unknown>;
    const holders: XminHolder[] = rows(o.holders).map((r) => {
      const kind = str(r.kind) as XminHolderKind;
      const h: XminHolder = {
        kind,
        id: str(r.id) ?? '',
        xmin: int(r.xmin),
        ageXid: int(r.ageXid),
        database: str(r.database),
        holdsBack: (str(r.holdsBack) ?? 'all') as XminHolder['holdsBack'],
        fix: str(r.fix) ?? '',
      };
      if (kind === 'backend' || kind === 'standby') {
        h.pid = int(r.pid);
        h.application = str(r.application);
        h.state = str(r.state);
        h.query = str(r.query);
      }
      if (kind === 'backend' || kind === 'standby' || kind === 'prepared') {
        h.since = str(r.since);
        h.seconds = num(r.seconds);
      }
      if (kind === 'slot' || kind === 'slot-catalog') {
        if (str(r.application)) h.application = str(r.application);
        h.slotType = str(r.slotType) ?? '';
        h.plugin = str(r.plugin);
        h.active = bool(r.active) ?? false;
        h.walStatus = str(r.walStatus);
      }
      return h;
    });
    return { holders, omitted: Math.max(0, int(o.total) - holders.length) };
  },
};
