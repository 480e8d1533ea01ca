// Invalid or not-ready indexes: what a cancelled CREATE INDEX CONCURRENTLY leaves behind (and CREATE INDEX
// CONCURRENTLY IF NOT EXISTS then silently keeps), with _ccnew/_ccold leftovers of an interrupted REINDEX
// CONCURRENTLY flagged as such. An invalid but ready index is still maintained by every write and never used by the planner.
// Indexes that a running CREATE INDEX CONCURRENTLY is still building are reported by indexBuilds, not here.
import type { InvalidIndex } from '../types.js';
import { int, obj, relName, rows, str, type Query } from './sql.js';

export const invalidIndexesQuery: Query<{ indexes: InvalidIndex[]; omitted: number }> = {
  section: 'invalidIndexes',
  // A REINDEX CONCURRENTLY leftover is never valid (_ccnew until the swap, _ccold marked dead after it), so the
  // flags in pg_index find every candidate without reading the 40,000 names of pg_class; names only classify them.
  sql: ({ limits }) => String.raw`WITH building AS (
  SELECT index_relid AS oid FROM pg_stat_progress_create_index
  WHERE index_relid IS NOT NULL AND index_relid <> 0 AND pid <> pg_backend_pid()
  UNION SELECT relid FROM pg_stat_progress_create_index
  WHERE relid IS NOT NULL AND command LIKE 'REINDEX%' AND pid <> pg_backend_pid()
), x AS (
  SELECT i.indexrelid, i.indrelid, i.indisvalid, i.indisready, i.indislive, c.relname, c.relpages,
         (c.relname ~ '_cc(new|old)[0-9]*$') AS leftover
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE NOT (i.indisvalid AND i.indisready AND i.indislive)
    AND i.indexrelid NOT IN (SELECT oid FROM building)
    AND i.indrelid NOT IN (SELECT oid FROM building)
)
SELECT json_build_object(
  'total', (SELECT count(*) FROM x),
  'indexes', (SELECT coalesce(json_agg(json_build_object(
    'index', ${relName('t.indexrelid')}, 'table', ${relName('t.indrelid')},
    'valid', t.indisvalid, 'ready', t.indisready, 'live', t.indislive, 'reindexLeftover', t.leftover,
    'sizeBytesEstimate', t.relpages::bigint * current_setting('block_size')::bigint,
    'definition', pg_get_indexdef(t.indexrelid)) ORDER BY t.leftover, t.relname), '[]')
    FROM (SELECT * FROM x ORDER BY leftover, relname LIMIT ${limits.invalidIndexes}) t)
) AS j`,
  parse(raw) {
    const o = obj(raw);
    const indexes: InvalidIndex[] = rows(o.indexes).map((r) => ({
      index: str(r.index) ?? '',
      table: str(r.table) ?? '',
      valid: r.valid === true,
      ready: r.ready === true,
      live: r.live === true,
      reindexLeftover: r.leftover === true || r.reindexLeftover === true,
      sizeBytesEstimate: int(r.sizeBytesEstimate),
      definition: str(r.definition) ?? '',
    }));
    return { indexes, omitted: Math.max(0, int(o.total) - indexes.length) };
  },
};
