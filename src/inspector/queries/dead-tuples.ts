// Tables with the most dead tuples, and where autovacuum would start on them. The statistics lag (PostgreSQL 13's
// collector especially): 0 right after a mass DELETE does not mean clean.
import type { DeadTuples } from '../types.js';
import { int, num, relName, rows, str, type Query } from './sql.js';

const reloption = (name: string) => `(SELECT option_value FROM pg_options_to_table(top.reloptions) WHERE option_name = '${name}')`;

export const deadTuplesQuery: Query<DeadTuples[]> = {
  section: 'deadTuples',
  // pg_stat_get_dead_tuples() on pg_class rather than pg_stat_user_tables: the view computes ~20 counters per table,
  // and over 10,000 tables only the dead-tuple count is needed to pick the top N.
  sql: ({ limits }) => `WITH c AS (
  SELECT c.oid, c.reltuples, c.reloptions, pg_stat_get_dead_tuples(c.oid) AS dead
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
), top AS (
  SELECT * FROM c WHERE dead > 0 ORDER BY dead DESC, oid LIMIT ${limits.deadTuples}
), th AS (
  SELECT top.*, pg_stat_get_live_tuples(top.oid) AS live,
         coalesce(${reloption('autovacuum_vacuum_threshold')}::numeric, current_setting('autovacuum_vacuum_threshold')::numeric)
           + coalesce(${reloption('autovacuum_vacuum_scale_factor')}::numeric, current_setting('autovacuum_vacuum_scale_factor')::numeric)
             * greatest(top.reltuples, 0) AS threshold,
         coalesce(${reloption('autovacuum_vacuum_max_threshold')}::numeric,
                  current_setting('autovacuum_vacuum_max_threshold', true)::numeric) AS max_threshold,
         coalesce(${reloption('autovacuum_enabled')}, 'true')::bool AND current_setting('autovacuum')::bool AS enabled
  FROM top
)
SELECT coalesce(json_agg(json_build_object(
  'relation', ${relName('th.oid')}, 'dead', th.dead, 'live', th.live,
  'percentDead', round(100.0 * th.dead / nullif(th.dead + th.live, 0), 1),
  'autovacuumThreshold', round(CASE WHEN th.max_threshold IS NOT NULL AND th.max_threshold >= 0
                                    THEN least(th.threshold, th.max_threshold) ELSE th.threshold END),
  'autovacuumEnabled', th.enabled,
  'lastVacuum', pg_stat_get_last_vacuum_time(th.oid), 'lastAutovacuum', pg_stat_get_last_autovacuum_time(th.oid)
) ORDER BY th.dead DESC, th.oid), '[]') AS j FROM th`,
  parse(raw) {
    return rows(raw).map((r) => ({
      relation: str(r.relation) ?? '',
      dead: int(r.dead),
      live: int(r.live),
      percentDead: num(r.percentDead),
      autovacuumThreshold: int(r.autovacuumThreshold),
      autovacuumEnabled: r.autovacuumEnabled !== false,
      lastVacuum: str(r.lastVacuum),
      lastAutovacuum: str(r.lastAutovacuum),
    }));
  },
};
