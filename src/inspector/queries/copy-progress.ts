// COPY progress (pg_stat_progress_copy, PostgreSQL 14+): how far a COPY … TO of a dump has come. Merged into backups.
import { CURRENT_DB_OID, int, relName, rows, str, type Query } from './sql.js';

export interface CopyProgress {
  pid: number;
  relation: string | null;
  command: string;
  type: string;
  bytesProcessed: number;
  tuplesProcessed: number;
}

export const copyProgressQuery: Query<CopyProgress[]> = {
  section: 'copyProgress',
  sql: ({ versionNum, limits }) => versionNum < 140000 ? undefined : `SELECT coalesce(json_agg(json_build_object(
  'pid', p.pid,
  'relation', CASE WHEN p.datid = ${CURRENT_DB_OID} AND p.relid <> 0 THEN ${relName('p.relid')} END,
  'command', p.command, 'type', p.type, 'bytesProcessed', p.bytes_processed, 'tuplesProcessed', p.tuples_processed)), '[]') AS j
FROM (SELECT * FROM pg_stat_progress_copy WHERE pid <> pg_backend_pid() ORDER BY pid LIMIT ${limits.backups * 2}) p`,
  parse(raw) {
    return rows(raw).map((r) => ({
      pid: int(r.pid),
      relation: str(r.relation),
      command: str(r.command) ?? '',
      type: str(r.type) ?? '',
      bytesProcessed: int(r.bytesProcessed),
      tuplesProcessed: int(r.tuplesProcessed),
    }));
  },
};
