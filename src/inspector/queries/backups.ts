// Backups in progress: pg_dump (leader and workers), COPY … TO, base backups streamed by a walsender, low-level
// backups. A pg_dump leader holds AccessShareLock on every table it dumps until it ends, so any DDL on any of them
// waits for the whole dump, and everything behind the DDL waits too (incident 1).
import type { Backup, BackupKind } from '../types.js';
import {
  CURRENT_DB_OID, int, num, obj, queryText, relName, rows, secondsSince, str, strs, xidNum, type Query,
} from './sql.js';

export interface BackupsResult {
  backups: Backup[];
  omitted: number;
}

export const backupsQuery: Query<BackupsResult> = {
  section: 'backups',
  sql: ({ limits }) => String.raw`WITH a AS (
  SELECT a.pid, a.application_name, a.usename, a.client_addr, a.state, a.xact_start, a.backend_xmin, a.query,
         CASE
           WHEN a.backend_type = 'walsender' AND (a.query ILIKE 'BASE_BACKUP%' OR a.application_name = 'pg_basebackup') THEN 'basebackup'
           WHEN a.application_name IN ('pg_dump', 'pg_dumpall') THEN 'pg_dump'
           WHEN a.query ~* '^\s*COPY\s.*\sTO\s+(stdout|''|program)' THEN 'copy'
           WHEN a.query ~* 'pg_start_backup|pg_backup_start' THEN 'low-level'
         END AS kind
  FROM pg_stat_activity a
  WHERE a.pid <> pg_backend_pid()
), b AS (
  -- an idle session (outside any transaction) holds nothing, whatever its name or last query; a role without
  -- pg_read_all_stats sees state NULL, so those stay listed
  SELECT * FROM a WHERE kind IS NOT NULL AND (state IS NULL OR state <> 'idle')
), bt AS (
  SELECT * FROM b ORDER BY xact_start NULLS LAST, pid LIMIT ${limits.backups}
), lk AS MATERIALIZED (
  SELECT l.pid, l.relation, l.granted FROM pg_locks l
  WHERE l.locktype = 'relation' AND l.database = ${CURRENT_DB_OID}
), contested AS (
  SELECT DISTINCT relation FROM lk WHERE NOT granted
), br AS MATERIALIZED (
  SELECT lk.pid, lk.relation, (lk.relation IN (SELECT relation FROM contested)) AS contested, c.relpages
  FROM lk JOIN bt ON bt.pid = lk.pid
  JOIN pg_class c ON c.oid = lk.relation JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE lk.granted AND c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_toast'
)
SELECT json_build_object(
  'total', (SELECT count(*) FROM b),
  'backups', (SELECT coalesce(json_agg(json_build_object(
    'pid', bt.pid, 'kind', bt.kind, 'application', bt.application_name, 'user', bt.usename, 'clientAddr', bt.client_addr,
    'state', bt.state, 'xactSeconds', ${secondsSince('bt.xact_start')}, 'backendXmin', ${xidNum('bt.backend_xmin')},
    'query', ${queryText('bt.query', 160)},
    'relations', ARRAY(SELECT ${relName('br.relation')} FROM br WHERE br.pid = bt.pid
                       ORDER BY br.contested DESC, br.relpages DESC, br.relation LIMIT ${limits.relationsPerBackup}),
    'relationsTotal', (SELECT count(*) FROM br WHERE br.pid = bt.pid),
    'contested', ARRAY(SELECT ${relName('br.relation')} FROM br WHERE br.pid = bt.pid AND br.contested
                       ORDER BY br.relation LIMIT ${limits.relationsPerBackup}),
    'bbPhase', bb.phase, 'bbStreamed', bb.backup_streamed, 'bbTotal', bb.backup_total
  ) ORDER BY bt.xact_start NULLS LAST, bt.pid), '[]')
  FROM bt LEFT JOIN pg_stat_progress_basebackup bb ON bb.pid = bt.pid)
) AS j`,
  parse(raw) {
    const o = obj(raw);
    const backups: Backup[] = rows(o.backups).map((r) => {
      const b: Backup = {
        pid: int(r.pid),
        kind: (str(r.kind) ?? 'copy') as BackupKind,
        application: str(r.application) ?? '',
        user: str(r.user),
        clientAddr: str(r.clientAddr),
        state: str(r.state),
        xactSeconds: num(r.xactSeconds),
        relations: strs(r.relations),
        relationsTotal: int(r.relationsTotal),
        contested: strs(r.contested),
        backendXmin: num(r.backendXmin),
        query: str(r.query),
      };
      if (r.bbPhase !== null && r.bbPhase !== undefined) {
        b.basebackup = { phase: String(r.bbPhase), streamedBytes: num(r.bbStreamed), totalBytes: num(r.bbTotal) };
      }
      return b;
    });
    markDumpRoles(backups);
    return { backups, omitted: Math.max(0, int(o.total) - backups.length) };
  },
};

/**
 * pg_dump -j: the workers import the leader's snapshot, so one dump shares one backend_xmin. Within a dump, the
 * session holding the most table locks is the leader; the others are workers (one COPY each).
 */
export function markDumpRoles(backups: Backup[]): void {
  const groups = new Map<string, Backup[]>();
  for (const b of backups) {
    if (b.kind !== 'pg_dump') continue;
    const k = b.backendXmin === null ? `pid:${b.pid}` : `xmin:${b.backendXmin}`;
    groups.set(k, [...(groups.get(k) ?? []), b]);
  }
  for (const g of groups.values()) {
    const leader = g.reduce((m, b) => (b.relationsTotal > m.relationsTotal || (b.relationsTotal === m.relationsTotal && b.pid < m.pid) ? b : m));
    for (const b of g) b.role = b === leader ? 'leader' : 'worker';
  }
}
