// Who and what we are connected to: version, uptime, the session's safety settings, and the role's privileges
// (which decide how much of every other section is visible).
import type { Privileges } from '../types.js';
import { bool, int, obj, str, type Query } from './sql.js';

export interface ServerRow {
  version: string;
  versionNum: number;
  uptime: number;
  startedAt: string;
  database: string;
  user: string;
  inRecovery: boolean;
  tls: boolean | null;
  pid: number;
  session: { readOnly: boolean; lockTimeout: string; statementTimeout: string; applicationName: string };
  settings: Record<string, string>;
  privileges: Privileges;
}

const SETTINGS = ['max_connections', 'superuser_reserved_connections', 'reserved_connections', 'autovacuum',
  'autovacuum_freeze_max_age', 'autovacuum_multixact_freeze_max_age', 'vacuum_failsafe_age', 'autovacuum_max_workers',
  'max_prepared_transactions', 'track_activities', 'block_size', 'deadlock_timeout'];

export const serverQuery: Query<ServerRow> = {
  section: 'server',
  sql: () => `SELECT json_build_object(
  'version', current_setting('server_version'),
  'versionNum', current_setting('server_version_num')::int,
  'startedAt', pg_postmaster_start_time(),
  'uptime', floor(extract(epoch FROM now() - pg_postmaster_start_time()))::bigint,
  'database', current_database(),
  'user', current_user,
  'inRecovery', pg_is_in_recovery(),
  'pid', pg_backend_pid(),
  'tls', (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()),
  'session', json_build_object(
    'readOnly', current_setting('default_transaction_read_only') = 'on',
    'lockTimeout', current_setting('lock_timeout'),
    'statementTimeout', current_setting('statement_timeout'),
    'applicationName', current_setting('application_name')),
  'settings', (SELECT json_object_agg(name, setting) FROM pg_settings WHERE name IN (${SETTINGS.map((s) => `'${s}'`).join(', ')})),
  'privileges', json_build_object(
    'superuser', coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false),
    'pgMonitor', pg_has_role('pg_monitor', 'USAGE'),
    'readAllStats', pg_has_role('pg_read_all_stats', 'USAGE'),
    'signalBackend', pg_has_role('pg_signal_backend', 'USAGE'),
    'useReservedConnections', CASE WHEN to_regrole('pg_use_reserved_connections') IS NOT NULL
      THEN pg_has_role(to_regrole('pg_use_reserved_connections')::oid, 'USAGE') END)
) AS j`,
  parse(raw) {
    const o = obj(raw);
    const s = obj(o.session);
    const p = obj(o.privileges);
    const superuser = bool(p.superuser) ?? false;
    const readAllStats = bool(p.readAllStats) ?? false;
    const pgMonitor = bool(p.pgMonitor) ?? false;
    const useReserved = bool(p.useReservedConnections);
    const settings: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj(o.settings))) settings[k] = String(v);
    return {
      version: str(o.version) ?? '',
      versionNum: int(o.versionNum),
      uptime: int(o.uptime),
      startedAt: str(o.startedAt) ?? '',
      database: str(o.database) ?? '',
      user: str(o.user) ?? '',
      inRecovery: bool(o.inRecovery) ?? false,
      tls: bool(o.tls),
      pid: int(o.pid),
      session: {
        readOnly: bool(s.readOnly) ?? false,
        lockTimeout: str(s.lockTimeout) ?? '',
        statementTimeout: str(s.statementTimeout) ?? '',
        applicationName: str(s.applicationName) ?? '',
      },
      settings,
      privileges: {
        level: superuser ? 'superuser' : readAllStats ? 'monitor' : 'plain',
        superuser,
        pgMonitor,
        readAllStats,
        signalBackend: bool(p.signalBackend) ?? false,
        useReservedConnections: useReserved,
        canUseReservedSlots: superuser || useReserved === true,
      },
    };
  },
};
