// Cancel a query / terminate a session: the inspector's only operations that change anything, on their own explicit
// code path. snapshot() never calls into this module.
//
// - A read-only target refuses both before anything is sent.
// - An anti-wraparound autovacuum is refused unless confirmWraparound is true: cancelling it helps nobody for long
//   (autovacuum relaunches it within a naptime and the table keeps aging); what should go is the lock request queued
//   behind it (incident 3). Check and signal happen in one statement, so they see the same session.
// - pg_cancel_backend()/pg_terminate_backend() are plain function calls, allowed in the read-only session, so the
//   session's default_transaction_read_only stays on and no second connection is needed — during connection
//   exhaustion (incident 1, 2) a second connection would be refused exactly when terminating is the way out.
import { describeError, type Target } from './connection.js';
import { CURRENT_DB_OID, relName } from './queries/sql.js';
import { fail, ok, type InspectorClient, type Result } from './types.js';

export interface ActionOptions {
  /** Required to cancel or terminate an autovacuum "(to prevent wraparound)". */
  confirmWraparound?: boolean;
  /** The inspector's own pid (refused). */
  selfPid?: number;
}

export interface ActionOutcome {
  action: 'cancel' | 'terminate';
  pid: number;
  application: string | null;
  backendType: string | null;
  wraparound: boolean;
  message: string;
}

export type ActionResult = Result<ActionOutcome>;

export function cancelBackend(client: InspectorClient, target: Target, pid: number, opts: ActionOptions = {}): Promise<ActionResult> {
  return signal('cancel', client, target, pid, opts);
}

export function terminateBackend(client: InspectorClient, target: Target, pid: number, opts: ActionOptions = {}): Promise<ActionResult> {
  return signal('terminate', client, target, pid, opts);
}

/** Refusals that need no round trip. */
export function precheck(target: Pick<Target, 'name' | 'readOnly'>, pid: number, selfPid?: number): ActionResult | undefined {
  if (target.readOnly) {
    return fail({ code: 'read-only', message: `${target.name} is configured read-only: cancel and terminate are disabled for it` });
  }
  if (pid === 0) {
    return fail({ code: 'invalid', message: 'pid 0 is a prepared transaction: it has no session to signal; end it with ROLLBACK PREPARED \'gid\' (or COMMIT PREPARED) as its owner' });
  }
  if (!Number.isInteger(pid) || pid < 0) return fail({ code: 'invalid', message: `invalid pid ${pid}` });
  if (selfPid !== undefined && pid === selfPid) return fail({ code: 'invalid', message: `pid ${pid} is the inspector's own session` });
  return undefined;
}

interface Row {
  pid: number;
  application_name: string | null;
  backend_type: string | null;
  wrap: boolean | null;
  auto_vacuum: boolean;
  relation: string | null;
  signalled: boolean | null;
}

async function signal(action: 'cancel' | 'terminate', client: InspectorClient, target: Target, pid: number, opts: ActionOptions): Promise<ActionResult> {
  const refused = precheck(target, pid, opts.selfPid);
  if (refused) return refused;
  const fn = action === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
  // wrap is NULL when the query is hidden; then an autovacuum worker (no user) that is vacuuming counts as possibly
  // anti-wraparound and needs the confirmation too.
  const sql = `WITH t AS (
  SELECT a.pid, a.application_name, a.backend_type,
         CASE WHEN a.query IS NULL OR a.query = '<insufficient privilege>' THEN NULL ELSE a.query ILIKE '%to prevent wraparound%' END AS wrap,
         (a.usesysid IS NULL AND v.pid IS NOT NULL) AS auto_vacuum,
         CASE WHEN v.datid = ${CURRENT_DB_OID} THEN ${relName('v.relid')} END AS relation
  FROM pg_stat_activity a LEFT JOIN pg_stat_progress_vacuum v ON v.pid = a.pid
  WHERE a.pid = $1 AND a.pid <> pg_backend_pid()
)
SELECT t.*, CASE WHEN $2::bool OR NOT coalesce(t.wrap, t.auto_vacuum) THEN ${fn}(t.pid) END AS signalled FROM t`;
  let row: Row | undefined;
  try {
    row = (await client.query<Row>(sql, [pid, opts.confirmWraparound === true])).rows[0];
  } catch (e) {
    const err = describeError(e, target, 'query');
    if (err.code === 'permission') {
      err.message = `not allowed to ${action} pid ${pid}: ${err.message}. A role needs pg_signal_backend to signal other roles' ` +
        'sessions (never a superuser\'s); autovacuum workers need a superuser (PostgreSQL 18: pg_signal_autovacuum_worker)';
    }
    return fail(err);
  }
  if (!row) return fail({ code: 'not-found', message: `no session with pid ${pid} (it may have ended)` });
  const wraparound = row.wrap === true || (row.wrap === null && row.auto_vacuum);
  const base = { action, pid, application: row.application_name, backendType: row.backend_type, wraparound };
  if (row.signalled === null) {
    return fail({
      code: 'wraparound-vacuum',
      message: `pid ${pid} is ${row.wrap === true ? 'an' : 'possibly an'} anti-wraparound autovacuum${row.relation ? ` on ${row.relation}` : ''}: ` +
        `${action === 'cancel' ? 'cancelling' : 'terminating'} it helps only briefly (autovacuum starts it again within a naptime, and the table keeps aging). ` +
        'Cancel the lock request queued behind it instead (the DDL at the head of the queue), or pass confirmWraparound: true.',
    });
  }
  if (row.signalled === false) {
    return fail({ code: 'not-found', message: `pid ${pid} could not be signalled (it is not a PostgreSQL backend any more)` });
  }
  return ok({ ...base, message: `${action === 'cancel' ? 'cancel request sent to' : 'terminated'} pid ${pid}${row.application_name ? ` (${row.application_name})` : ''}` });
}
