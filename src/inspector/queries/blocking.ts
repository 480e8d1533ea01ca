// Who blocks whom, from pg_blocking_pids(): root blockers first, then the waiters by depth. pg_blocking_pids() lists
// both holders of a conflicting lock and conflicting requests queued ahead (soft blockers), and reports a prepared
// transaction as pid 0; prepared transactions become nodes of their own (kind 'prepared', pid 0, with their gid).
import type { BlockingNode, LockTarget } from '../types.js';
import {
  CURRENT_DB_OID, int, num, obj, queryHidden, queryText, relName, rows, secondsSince, str, strs, nums, xidNum, type Query, type Row,
} from './sql.js';

interface Edge {
  pid: number;
  blockedBy: number[];
  preparedGids: string[];
  target: LockTarget;
  waitSeconds: number | null;
}

interface SessionRow {
  pid: number; application: string | null; user: string | null; backendType: string | null; state: string | null;
  xactSeconds: number | null; query: string | null; queryHidden: boolean;
}

interface PreparedRow { gid: string; xid: number | null; owner: string | null; database: string | null; seconds: number | null }

export interface BlockingResult {
  nodes: BlockingNode[];
  omitted: number;
  /** Sessions waiting for a heavyweight lock (every one, not only those examined). */
  waitersTotal: number;
  /** Some examined waiter waits for a relation lock (else the lock-queue question need not be asked). */
  relationWaits: boolean;
  /** Waiting sessions beyond the waiter limit whose blockers were not asked. */
  waitersNotExamined: number;
}

export const blockingQuery: Query<BlockingResult> = {
  section: 'blocking',
  sql: ({ limits }) => `WITH lk AS MATERIALIZED (
  SELECT l.locktype, l.database, l.relation, l.page, l.tuple, l.virtualxid, l.transactionid, l.classid, l.objid, l.objsubid,
         l.virtualtransaction, l.pid, l.mode, l.granted,
         CASE WHEN NOT l.granted THEN (to_jsonb(l) ->> 'waitstart')::timestamptz END AS waitstart
  FROM pg_locks l
), waiting AS (
  SELECT lk.*, a.query_start
  FROM lk LEFT JOIN pg_stat_activity a ON a.pid = lk.pid
  WHERE NOT lk.granted AND lk.pid IS NOT NULL AND lk.pid <> pg_backend_pid()
  ORDER BY coalesce(lk.waitstart, a.query_start) NULLS LAST, lk.pid
  LIMIT ${limits.waiters}
), e AS (
  SELECT w.*, pg_blocking_pids(w.pid) AS blocked_by FROM waiting w
), prep AS (
  -- a prepared transaction's locks have pid NULL; its transactionid lock ties the virtualtransaction to the gid
  SELECT DISTINCT l.virtualtransaction, p.gid
  FROM lk l JOIN pg_prepared_xacts p ON l.locktype = 'transactionid' AND l.transactionid = p.transaction
  WHERE l.pid IS NULL
), pids AS (
  SELECT pid FROM e UNION SELECT b FROM e, unnest(e.blocked_by) AS b WHERE b <> 0
)
SELECT json_build_object(
  'waitersTotal', (SELECT count(DISTINCT pid) FROM lk WHERE NOT granted AND pid IS NOT NULL AND pid <> pg_backend_pid()),
  'edges', (SELECT coalesce(json_agg(json_build_object(
      'pid', e.pid, 'blockedBy', e.blocked_by,
      'preparedGids', CASE WHEN 0 = ANY (e.blocked_by) THEN ARRAY(
          SELECT DISTINCT pr.gid FROM lk h JOIN prep pr USING (virtualtransaction)
          WHERE h.pid IS NULL AND h.granted AND h.locktype = e.locktype
            AND h.database IS NOT DISTINCT FROM e.database AND h.relation IS NOT DISTINCT FROM e.relation
            AND h.page IS NOT DISTINCT FROM e.page AND h.tuple IS NOT DISTINCT FROM e.tuple
            AND h.virtualxid IS NOT DISTINCT FROM e.virtualxid AND h.transactionid IS NOT DISTINCT FROM e.transactionid
            AND h.classid IS NOT DISTINCT FROM e.classid AND h.objid IS NOT DISTINCT FROM e.objid
            AND h.objsubid IS NOT DISTINCT FROM e.objsubid) END,
      'locktype', e.locktype, 'mode', e.mode,
      'relation', CASE WHEN e.relation IS NOT NULL AND e.database IN (0, ${CURRENT_DB_OID}) THEN coalesce(${relName('e.relation')}, e.relation::text) END,
      'transactionId', ${xidNum('e.transactionid')},
      'waitSeconds', ${secondsSince('coalesce(e.waitstart, e.query_start)')})), '[]') FROM e),
  'sessions', (SELECT coalesce(json_agg(json_build_object(
      'pid', a.pid, 'application', a.application_name, 'user', a.usename, 'backendType', a.backend_type, 'state', a.state,
      'xactSeconds', ${secondsSince('a.xact_start')}, 'query', ${queryText('a.query')}, 'queryHidden', ${queryHidden('a.query')})), '[]')
    FROM pg_stat_activity a JOIN pids USING (pid)),
  'prepared', CASE WHEN EXISTS (SELECT 1 FROM e WHERE 0 = ANY (e.blocked_by)) THEN (SELECT coalesce(json_agg(json_build_object(
      'gid', p.gid, 'xid', ${xidNum('p.transaction')}, 'owner', p.owner, 'database', p.database,
      'seconds', ${secondsSince('p.prepared')})), '[]')
    FROM (SELECT * FROM pg_prepared_xacts ORDER BY prepared LIMIT ${limits.prepared}) p) END
) AS j`,
  parse(raw, { limits }) {
    const o = obj(raw);
    const edges: Edge[] = rows(o.edges).map((r) => ({
      pid: int(r.pid),
      blockedBy: nums(r.blockedBy),
      preparedGids: strs(r.preparedGids),
      target: { locktype: str(r.locktype) ?? '', mode: str(r.mode) ?? '', relation: str(r.relation), transactionId: num(r.transactionId) },
      waitSeconds: num(r.waitSeconds),
    }));
    const sessions = new Map<number, SessionRow>(rows(o.sessions).map((r: Row) => [int(r.pid), {
      pid: int(r.pid), application: str(r.application), user: str(r.user), backendType: str(r.backendType), state: str(r.state),
      xactSeconds: num(r.xactSeconds), query: str(r.query), queryHidden: r.queryHidden === true,
    }]));
    const prepared: PreparedRow[] = rows(o.prepared).map((r) => ({
      gid: str(r.gid) ?? '', xid: num(r.xid), owner: str(r.owner), database: str(r.database), seconds: num(r.seconds),
    }));
    const { nodes, omitted } = buildBlockingTree(edges, sessions, prepared, limits.blockingNodes);
    const waitersNotExamined = Math.max(0, int(o.waitersTotal) - edges.length);
    return {
      nodes, omitted, waitersNotExamined,
      waitersTotal: int(o.waitersTotal),
      relationWaits: waitersNotExamined > 0 || edges.some((e) => e.target.locktype === 'relation'),
    };
  },
};

/**
 * Nodes of the blocking graph, flattened: roots (blocking others, waiting for nobody) first, by how many sessions
 * they hold up; then waiters by depth. A waiter lists every blocker in blockedBy, so a UI can draw it under each.
 */
export function buildBlockingTree(edges: Edge[], sessions: Map<number, SessionRow>, prepared: PreparedRow[], limit: number):
  { nodes: BlockingNode[]; omitted: number } {
  const key = (pid: number, gid?: string) => (pid === 0 ? `p:${gid ?? '?'}` : `s:${pid}`);
  const children = new Map<string, Set<string>>();
  const parents = new Map<string, Set<string>>();
  const nodes = new Map<string, BlockingNode>();
  const edgeOf = new Map<number, Edge>(edges.map((e) => [e.pid, e]));
  const allGids = prepared.map((p) => p.gid);

  const ensure = (pid: number, gid?: string): string => {
    const k = key(pid, gid);
    if (nodes.has(k)) return k;
    const s = sessions.get(pid);
    const e = pid !== 0 ? edgeOf.get(pid) : undefined;
    const p = pid === 0 ? prepared.find((x) => x.gid === gid) : undefined;
    nodes.set(k, {
      pid,
      kind: pid === 0 ? 'prepared' : 'session',
      ...(pid === 0 ? { gid: gid ?? '?' } : {}),
      blockedBy: [],
      root: false,
      depth: 0,
      blocks: 0,
      blocksTotal: 0,
      waitingFor: e?.target ?? null,
      waitSeconds: e?.waitSeconds ?? null,
      application: pid === 0 ? null : s?.application ?? null,
      user: pid === 0 ? p?.owner ?? null : s?.user ?? null,
      backendType: s?.backendType ?? null,
      state: pid === 0 ? 'prepared' : s?.state ?? null,
      xactSeconds: pid === 0 ? p?.seconds ?? null : s?.xactSeconds ?? null,
      query: pid === 0 ? (gid ? `PREPARE TRANSACTION '${gid.replace(/'/g, "''")}'` : null) : s?.query ?? null,
      queryHidden: s?.queryHidden ?? false,
    });
    return k;
  };
  const link = (blocker: string, waiter: string) => {
    if (blocker === waiter) return;
    if (!children.has(blocker)) children.set(blocker, new Set());
    if (!parents.has(waiter)) parents.set(waiter, new Set());
    children.get(blocker)!.add(waiter);
    parents.get(waiter)!.add(blocker);
  };

  for (const e of edges) {
    const w = ensure(e.pid);
    const node = nodes.get(w)!;
    node.blockedBy = [...new Set(e.blockedBy)];
    for (const b of node.blockedBy) {
      if (b === 0) {
        const gids = e.preparedGids.length ? e.preparedGids : allGids.length ? allGids : ['?'];
        node.blockedByPrepared = gids;
        for (const g of gids) link(ensure(0, g), w);
      } else {
        link(ensure(b), w);
      }
    }
  }

  // depth: BFS from roots; in a cycle without roots (a deadlock about to be detected), the longest waiter is the root
  let roots = [...nodes.keys()].filter((k) => (children.get(k)?.size ?? 0) > 0 && (parents.get(k)?.size ?? 0) === 0);
  const depth = new Map<string, number>();
  const bfs = (starts: string[]) => {
    const queue = starts.filter((s) => !depth.has(s));
    for (const s of queue) depth.set(s, 0);
    for (let i = 0; i < queue.length; i++) {
      const k = queue[i];
      for (const c of children.get(k) ?? []) {
        if (!depth.has(c)) { depth.set(c, depth.get(k)! + 1); queue.push(c); }
      }
    }
  };
  bfs(roots);
  while (depth.size < nodes.size) {
    const rest = [...nodes.keys()].filter((k) => !depth.has(k));
    const pick = rest.sort((a, b) => (nodes.get(b)!.waitSeconds ?? 0) - (nodes.get(a)!.waitSeconds ?? 0))[0];
    roots = [...roots, pick];
    bfs([pick]);
  }

  for (const [k, n] of nodes) {
    n.depth = depth.get(k) ?? 0;
    n.root = roots.includes(k);
    n.blocks = children.get(k)?.size ?? 0;
    const seen = new Set<string>();
    const stack = [...(children.get(k) ?? [])];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c) || c === k) continue;
      seen.add(c);
      stack.push(...(children.get(c) ?? []));
    }
    n.blocksTotal = seen.size;
  }

  const ordered = [...nodes.values()].sort((a, b) =>
    (a.root === b.root ? 0 : a.root ? -1 : 1)
    || a.depth - b.depth
    || b.blocksTotal - a.blocksTotal
    || (b.waitSeconds ?? b.xactSeconds ?? 0) - (a.waitSeconds ?? a.xactSeconds ?? 0)
    || a.pid - b.pid);
  return { nodes: ordered.slice(0, limit), omitted: Math.max(0, ordered.length - limit) };
}
