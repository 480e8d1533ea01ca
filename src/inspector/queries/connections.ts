// How full the connection slots are: the pile-up of incident 1 ends in "remaining connection slots are reserved".
import type { Connections } from '../types.js';
import { int, obj, type Query } from './sql.js';

export const connectionsQuery: Query<Connections> = {
  section: 'connections',
  // Plain roles see other roles' backend_type and state as NULL: a backend with a user and a database is a client.
  // `waiting` is replaced by the blocking query's count (from pg_locks, visible to every role) when that ran.
  sql: () => `WITH a AS (
  SELECT pid, state, wait_event_type,
         coalesce(backend_type, CASE WHEN usesysid IS NOT NULL AND datid IS NOT NULL THEN 'client backend' END) AS bt
  FROM pg_stat_activity
)
SELECT json_build_object(
  'max', current_setting('max_connections')::int,
  'reservedSuperuser', current_setting('superuser_reserved_connections')::int,
  'reserved', coalesce((SELECT setting::int FROM pg_settings WHERE name = 'reserved_connections'), 0),
  'used', (SELECT count(*) FROM a WHERE bt = 'client backend'),
  'active', (SELECT count(*) FROM a WHERE bt = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()),
  'idleInTransaction', (SELECT count(*) FROM a WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')),
  'waiting', (SELECT count(*) FROM a WHERE wait_event_type = 'Lock')
) AS j`,
  parse(raw) {
    const o = obj(raw);
    const max = int(o.max);
    const reservedSuperuser = int(o.reservedSuperuser);
    const reserved = int(o.reserved);
    const used = int(o.used);
    return {
      max, reservedSuperuser, reserved, used,
      freeForNormalRoles: max - reservedSuperuser - reserved - used,
      idleInTransaction: int(o.idleInTransaction),
      waiting: int(o.waiting),
      active: int(o.active),
    };
  },
};
