// The lock queue of every contested relation (one with a waiting request), the shape of incident 1: holders, then
// waiters in queue order. A waiter is "held" when a granted lock in a conflicting mode, taken by another session,
// holds it; "queued" when it only waits behind a conflicting request ahead of it (SELECTs behind a waiting ALTER).
// Modes are compared, not just pids: DROP TRIGGER holds AccessShareLock and waits for AccessExclusiveLock on the same
// table, so it is both a holder and a waiter, and its own AccessShareLock does not hold it.
import { describeBlocks, isLockMode } from '../../analyzer/locks.js';
import type { LockHolder, LockQueue, LockWaiter } from '../types.js';
import {
  CONFLICTS_CTE, CURRENT_DB_OID, int, num, nums, obj, queryText, relName, rows, secondsSince, str, type Query,
} from './sql.js';

export interface LockQueuesResult {
  queues: LockQueue[];
  omitted: number;
}

export const lockQueuesQuery: Query<LockQueuesResult> = {
  section: 'lockQueues',
  // Not asked when the blocking question found no relation-lock waiter: a calm server costs one pg_locks read.
  sql: ({ limits, relationWaits }) => relationWaits === false ? undefined : `WITH ${CONFLICTS_CTE},
l AS MATERIALIZED (
  SELECT l.relation, l.mode, l.granted, coalesce(l.pid, 0) AS pid, l.virtualtransaction,
         CASE WHEN NOT l.granted THEN (to_jsonb(l) ->> 'waitstart')::timestamptz END AS waitstart
  FROM pg_locks l
  WHERE l.locktype = 'relation' AND l.database IN (0, ${CURRENT_DB_OID})
    AND l.pid IS DISTINCT FROM pg_backend_pid()
), contested AS (
  SELECT relation, count(*) AS waiters FROM l WHERE NOT granted GROUP BY relation
), top AS (
  SELECT * FROM contested ORDER BY waiters DESC, relation LIMIT ${limits.lockQueues}
), x AS MATERIALIZED (
  SELECT l.*, a.application_name, a.query, a.query_start
  FROM l JOIN top USING (relation)
  LEFT JOIN pg_stat_activity a ON a.pid = l.pid AND l.pid <> 0
), wq AS MATERIALIZED (
  SELECT x.*, row_number() OVER (PARTITION BY relation ORDER BY waitstart NULLS LAST, query_start NULLS LAST, pid) AS position
  FROM x WHERE NOT granted
), prep AS (
  SELECT DISTINCT pl.virtualtransaction, p.gid
  FROM pg_locks pl JOIN pg_prepared_xacts p ON pl.locktype = 'transactionid' AND pl.transactionid = p.transaction
  WHERE pl.pid IS NULL
), hs AS (
  SELECT x.*,
         EXISTS (SELECT 1 FROM wq WHERE wq.relation = x.relation AND wq.pid = x.pid) AS also_waiting,
         EXISTS (SELECT 1 FROM wq JOIN conflicts cf ON cf.mode = x.mode
                 WHERE wq.relation = x.relation AND wq.mode = ANY (cf.conflicts_with) AND wq.pid <> x.pid) AS blocks_waiters
  FROM x WHERE granted
), hr AS (
  SELECT hs.*, row_number() OVER (PARTITION BY relation ORDER BY blocks_waiters DESC, pid, mode) AS rn FROM hs
)
SELECT json_build_object(
  'contestedTotal', (SELECT count(*) FROM contested),
  'queues', (SELECT coalesce(json_agg(json_build_object(
    'relation', coalesce(${relName('t.relation')}, t.relation::text),
    'waitersTotal', t.waiters,
    'holdersTotal', (SELECT count(*) FROM hs WHERE hs.relation = t.relation),
    'holders', (SELECT coalesce(json_agg(json_build_object(
        'pid', hr.pid, 'mode', hr.mode, 'application', hr.application_name,
        'gid', CASE WHEN hr.pid = 0 THEN (SELECT min(gid) FROM prep WHERE prep.virtualtransaction = hr.virtualtransaction) END,
        'alsoWaiting', hr.also_waiting, 'blocksWaiters', hr.blocks_waiters, 'query', ${queryText('hr.query', 120)}) ORDER BY hr.rn), '[]')
      FROM hr WHERE hr.relation = t.relation AND hr.rn <= ${limits.holdersPerQueue}),
    'waiters', (SELECT coalesce(json_agg(json_build_object(
        'pid', wq.pid, 'mode', wq.mode, 'position', wq.position, 'application', wq.application_name,
        'waitSeconds', ${secondsSince('coalesce(wq.waitstart, wq.query_start)')}, 'query', ${queryText('wq.query', 120)},
        'heldBy', ARRAY(SELECT DISTINCT h.pid FROM x h JOIN conflicts cf ON cf.mode = h.mode
                        WHERE h.relation = wq.relation AND h.granted AND wq.mode = ANY (cf.conflicts_with) AND h.pid <> wq.pid
                        ORDER BY h.pid LIMIT 20),
        'queuedBehind', ARRAY(SELECT o.pid FROM wq o JOIN conflicts cf ON cf.mode = o.mode
                        WHERE o.relation = wq.relation AND o.position < wq.position AND wq.mode = ANY (cf.conflicts_with)
                          AND o.pid <> wq.pid ORDER BY o.position LIMIT 20)) ORDER BY wq.position), '[]')
      FROM wq WHERE wq.relation = t.relation AND wq.position <= ${limits.waitersPerQueue})
  ) ORDER BY t.waiters DESC, t.relation), '[]') FROM top t)
) AS j`,
  parse(raw) {
    const o = obj(raw);
    const queues: LockQueue[] = rows(o.queues).map((q) => {
      const holders: LockHolder[] = rows(q.holders).map((h) => ({
        pid: int(h.pid),
        ...(h.gid ? { gid: String(h.gid) } : {}),
        mode: str(h.mode) ?? '',
        application: str(h.application),
        alsoWaiting: h.alsoWaiting === true,
        blocksWaiters: h.blocksWaiters === true,
        query: str(h.query),
      }));
      const waiters: LockWaiter[] = rows(q.waiters).map((w) => {
        const heldBy = nums(w.heldBy);
        return {
          pid: int(w.pid),
          mode: str(w.mode) ?? '',
          position: int(w.position),
          reason: heldBy.length > 0 ? 'held' : 'queued',
          heldBy,
          queuedBehind: nums(w.queuedBehind),
          application: str(w.application),
          waitSeconds: num(w.waitSeconds),
          query: str(w.query),
        };
      });
      const head = waiters[0]?.mode;
      return {
        relation: str(q.relation) ?? '',
        holders,
        waiters,
        holdersTotal: int(q.holdersTotal),
        waitersTotal: int(q.waitersTotal),
        headBlocks: head && isLockMode(head) ? describeBlocks(head) : null,
      };
    });
    return { queues, omitted: Math.max(0, int(o.contestedTotal) - queues.length) };
  },
};
