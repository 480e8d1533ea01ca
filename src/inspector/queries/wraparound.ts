// Transaction ID age: how close the current database and its oldest tables are to an anti-wraparound autovacuum
// (age past autovacuum_freeze_max_age, or a per-table reloption that lowers it) and to the 2^31 hard limit.
import type { Wraparound, WraparoundDatabase, WraparoundTable } from '../types.js';
import { int, num, obj, relName, rows, str, type Query, type Row } from './sql.js';

const dbJson = (alias: string) => `json_build_object('name', ${alias}.datname, 'ageXid', age(${alias}.datfrozenxid),
    'percentOfFreezeMaxAge', round(100.0 * age(${alias}.datfrozenxid) / s.fma, 1),
    'percentOfWraparound', round(100.0 * age(${alias}.datfrozenxid) / 2147483648, 4),
    'ageMxid', mxid_age(${alias}.datminmxid))`;

export const wraparoundQuery: Query<Wraparound> = {
  section: 'wraparound',
  // The reloption subquery only runs for tables that have reloptions; toast tables are named pg_toast_<owner oid>.
  // One pass over pg_class computes only the ordering key (the reloption subquery runs only for tables that have
  // reloptions); names, sizes and multixact ages are looked up for the top N alone. Toast tables are named
  // pg_toast_<owner oid>.
  sql: ({ limits }) => `WITH s AS (
  SELECT current_setting('autovacuum_freeze_max_age')::bigint AS fma
), top AS MATERIALIZED (
  SELECT c.oid, age(c.relfrozenxid) AS xid_age,
         CASE WHEN c.reloptions IS NULL THEN s.fma
              ELSE least(s.fma, coalesce((SELECT option_value::bigint FROM pg_options_to_table(c.reloptions)
                                          WHERE option_name = 'autovacuum_freeze_max_age'), s.fma)) END AS fma
  FROM pg_class c, s
  WHERE c.relkind IN ('r', 'm', 't') AND c.relfrozenxid <> '0'
  ORDER BY age(c.relfrozenxid)::float8 / CASE WHEN c.reloptions IS NULL THEN s.fma
              ELSE least(s.fma, coalesce((SELECT option_value::bigint FROM pg_options_to_table(c.reloptions)
                                          WHERE option_name = 'autovacuum_freeze_max_age'), s.fma)) END DESC, c.oid
  LIMIT ${limits.wraparoundTables}
)
SELECT json_build_object(
  'freezeMaxAge', (SELECT fma FROM s),
  'failsafeAge', (SELECT setting::bigint FROM pg_settings WHERE name = 'vacuum_failsafe_age'),
  'database', (SELECT ${dbJson('d')} FROM pg_database d, s WHERE d.datname = current_database()),
  'databases', (SELECT coalesce(json_agg(${dbJson('d')} ORDER BY age(d.datfrozenxid) DESC, d.datname), '[]')
                FROM (SELECT * FROM pg_database ORDER BY age(datfrozenxid) DESC, datname LIMIT ${limits.databases}) d, s),
  'tables', (SELECT coalesce(json_agg(json_build_object(
      'relation', ${relName('top.oid')},
      'toastOf', CASE WHEN c.relkind = 't' AND c.relname ~ '^pg_toast_[0-9]+$'
                      THEN ${relName(`substring(c.relname from 10)::oid`)} END,
      'ageXid', top.xid_age, 'freezeMaxAge', top.fma,
      'percentOfFreezeMaxAge', round(100.0 * top.xid_age / top.fma, 1),
      'autovacuumForced', top.xid_age > top.fma,
      'ageMxid', mxid_age(c.relminmxid),
      'sizeBytesEstimate', c.relpages::bigint * current_setting('block_size')::bigint
    ) ORDER BY top.xid_age::float8 / top.fma DESC, top.oid), '[]') FROM top JOIN pg_class c ON c.oid = top.oid)
) AS j`,
  parse(raw) {
    const o = obj(raw);
    const db = (r: Row): WraparoundDatabase => ({
      name: str(r.name) ?? '',
      ageXid: int(r.ageXid),
      percentOfFreezeMaxAge: int(r.percentOfFreezeMaxAge),
      percentOfWraparound: int(r.percentOfWraparound),
      ageMxid: int(r.ageMxid),
    });
    const tables: WraparoundTable[] = rows(o.tables).map((r) => ({
      relation: str(r.relation) ?? '',
      toastOf: str(r.toastOf),
      ageXid: int(r.ageXid),
      freezeMaxAge: int(r.freezeMaxAge),
      percentOfFreezeMaxAge: int(r.percentOfFreezeMaxAge),
      autovacuumForced: r.autovacuumForced === true,
      ageMxid: int(r.ageMxid),
      sizeBytesEstimate: int(r.sizeBytesEstimate),
    }));
    return {
      database: db(obj(o.database)),
      databases: rows(o.databases).map(db),
      tables,
      freezeMaxAge: int(o.freezeMaxAge),
      failsafeAge: num(o.failsafeAge),
    };
  },
};
