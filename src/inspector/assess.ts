// From a snapshot to what to look at first. Pure: the alerts are a function of the sections, so the text report, the
// JSON and the tree view agree on what is alarming.
import type { Alert, BlockingNode, LockQueue, Severity, Snapshot } from './types.js';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

function who(s: Snapshot, pid: number): string {
  if (pid === 0) return 'a prepared transaction';
  const v = s.vacuums.find((x) => x.pid === pid);
  if (v?.wraparound) return `pid ${pid} (anti-wraparound autovacuum)`;
  if (v?.auto) return `pid ${pid} (autovacuum)`;
  const b = s.backups.find((x) => x.pid === pid);
  if (b) return `pid ${pid} (${b.kind === 'pg_dump' ? `pg_dump ${b.role ?? ''}`.trim() : b.kind})`;
  const n = s.blocking.find((x) => x.pid === pid);
  const app = n?.application ?? s.sessions.top.find((x) => x.pid === pid)?.application
    ?? s.lockQueues.flatMap((q) => [...q.holders, ...q.waiters]).find((x) => x.pid === pid)?.application;
  return app ? `pid ${pid} (${app})` : `pid ${pid}`;
}

function list(items: string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function short(q: string | null | undefined, n = 60): string {
  if (!q) return '';
  return q.length > n ? `${q.slice(0, n - 1)}…` : q;
}

function queueAlert(s: Snapshot, q: LockQueue): Alert | undefined {
  const head = q.waiters[0];
  if (!head) return undefined;
  const queued = q.waiters.filter((w) => w.reason === 'queued').length + Math.max(0, q.waitersTotal - q.waiters.length);
  const holders = [...new Set(head.heldBy)].map((p) => who(s, p));
  const headDesc = `${head.mode} request of ${who(s, head.pid)}${head.query ? ` "${short(head.query)}"` : ''}`;
  const pids = [...new Set([...head.heldBy, head.pid])];
  if (queued > 0) {
    return {
      severity: 'critical', section: 'lockQueues', kind: 'lock-pile-up', relation: q.relation, pids,
      message: `${q.relation}: ${queued} session${queued === 1 ? '' : 's'} queued behind the waiting ${headDesc}` +
        (holders.length ? `, which waits for ${list(holders)}` : '') +
        (q.headBlocks ? `; while it waits, ${q.headBlocks} on ${q.relation} wait too` : ''),
    };
  }
  return {
    severity: 'warning', section: 'lockQueues', kind: 'lock-wait', relation: q.relation, pids,
    message: `${q.relation}: ${headDesc} waits for ${list(holders) || 'a conflicting lock'}` +
      (q.waitersTotal > 1 ? ` (${q.waitersTotal} requests waiting)` : ''),
  };
}

function rootAlert(s: Snapshot, n: BlockingNode): Alert | undefined {
  if (!n.root || n.blocksTotal === 0) return undefined;
  if (n.kind === 'prepared') {
    return {
      severity: 'critical', section: 'blocking', kind: 'prepared-xact-blocking', pids: [0],
      message: `prepared transaction '${n.gid}' blocks ${n.blocksTotal} session${n.blocksTotal === 1 ? '' : 's'}; it has no session to cancel: ROLLBACK PREPARED '${n.gid}' (as its owner) releases it`,
    };
  }
  return undefined;
}

export function assess(s: Snapshot): Alert[] {
  const out: Alert[] = [];

  // connections
  const c = s.connections;
  if (c.max > 0) {
    const normal = c.max - c.reservedSuperuser - c.reserved;
    if (c.freeForNormalRoles <= 0) {
      out.push({ severity: 'critical', section: 'connections', kind: 'connections-exhausted',
        message: `connection slots exhausted: ${c.used} of ${c.max} used, ${c.reservedSuperuser + c.reserved} reserved; applications are being refused` +
          (c.waiting ? ` (${c.waiting} sessions wait for locks, ${c.idleInTransaction} idle in transaction)` : '') });
    } else if (c.used >= 0.8 * normal) {
      out.push({ severity: 'warning', section: 'connections', kind: 'connections-high',
        message: `${c.used} of ${normal} connection slots for normal roles in use` });
    }
  }

  // lock queues and the blocking tree
  for (const q of s.lockQueues) {
    const a = queueAlert(s, q);
    if (a) out.push(a);
  }
  for (const n of s.blocking) {
    const a = rootAlert(s, n);
    if (a) out.push(a);
  }
  if (s.lockQueues.length === 0) {
    // waits that are not on relations (row locks, transactionid, virtualxid of CREATE INDEX CONCURRENTLY)
    for (const n of s.blocking.filter((x) => x.root && x.kind === 'session' && x.blocksTotal > 0).slice(0, 3)) {
      out.push({ severity: n.blocksTotal >= 5 ? 'critical' : 'warning', section: 'blocking', kind: 'blocking-root', pids: [n.pid],
        message: `${who(s, n.pid)} blocks ${n.blocksTotal} session${n.blocksTotal === 1 ? '' : 's'}${n.query ? `: "${short(n.query)}"` : ''}` });
    }
  }

  // vacuums
  for (const v of s.vacuums) {
    if (v.wraparound !== true) continue;
    const blocked = s.lockQueues.filter((q) => q.holders.some((h) => h.pid === v.pid && h.blocksWaiters));
    if (blocked.length) {
      const heads = blocked.map((q) => q.waiters[0]).filter(Boolean);
      out.push({ severity: 'critical', section: 'vacuums', kind: 'wraparound-vacuum-blocking', relation: v.relation ?? undefined,
        pids: [v.pid, ...heads.map((w) => w.pid)],
        message: `anti-wraparound autovacuum (pid ${v.pid}) on ${v.relation ?? 'a table'} will not yield to ${list(heads.map((w) => `${w.mode} of ${who(s, w.pid)}`))}; ` +
          'cancel the waiting request, not the vacuum (it would be relaunched within a naptime)' });
    } else {
      out.push({ severity: 'warning', section: 'vacuums', kind: 'wraparound-vacuum', relation: v.relation ?? undefined, pids: [v.pid],
        message: `anti-wraparound autovacuum (pid ${v.pid}) on ${v.relation ?? 'a table'}${v.percent !== null ? `, ${v.percent}% scanned` : ''}: ` +
          'DDL on this table will wait until it ends (it does not yield to lock requests)' });
    }
  }

  // backups
  for (const b of s.backups.filter((x) => x.kind !== 'pg_dump' || x.role !== 'worker')) {
    if (b.relationsTotal === 0 && b.kind !== 'basebackup' && b.kind !== 'low-level') continue;
    const workers = s.backups.filter((x) => x.kind === 'pg_dump' && x.role === 'worker' && x.backendXmin === b.backendXmin).length;
    const what = b.kind === 'pg_dump' ? `pg_dump${workers ? ` with ${workers} worker${workers === 1 ? '' : 's'}` : ''}` : b.kind === 'copy' ? 'COPY … TO' : b.kind === 'basebackup' ? 'base backup' : 'low-level backup';
    out.push({ severity: b.contested.length ? 'critical' : 'warning', section: 'backups', kind: 'backup-running', pids: [b.pid],
      message: b.relationsTotal > 0
        ? `${what} (pid ${b.pid}) holds AccessShareLock on ${b.relationsTotal} table${b.relationsTotal === 1 ? '' : 's'} until it ends: DDL on any of them waits for the whole backup` +
          (b.contested.length ? `; right now ${list(b.contested)} ${b.contested.length === 1 ? 'has' : 'have'} waiting requests` : '')
        : `${what} running (pid ${b.pid})` });
  }

  // index builds
  for (const ib of s.indexBuilds) {
    if (ib.currentLockerPid) {
      out.push({ severity: 'warning', section: 'indexBuilds', kind: 'index-build-waiting', pids: [ib.pid, ib.currentLockerPid], relation: ib.relation ?? undefined,
        message: `${ib.command ?? 'index build'} ${ib.index ?? ''} on ${ib.relation ?? '?'} (pid ${ib.pid}) is ${ib.phase ?? 'waiting'}: it waits for ${who(s, ib.currentLockerPid)}; cancelled now, it would leave an invalid index` });
    }
  }

  // wraparound
  const db = s.wraparound.database;
  if (db.percentOfWraparound >= 50) {
    out.push({ severity: 'critical', section: 'wraparound', kind: 'wraparound-near',
      message: `database ${db.name} is at ${db.percentOfWraparound}% of the transaction ID wraparound limit` });
  }
  const vacuuming = new Set(s.vacuums.map((v) => v.relation));
  const due = s.wraparound.tables.filter((t) => t.autovacuumForced && !vacuuming.has(t.relation) && !vacuuming.has(t.toastOf));
  if (due.length) {
    out.push({ severity: 'warning', section: 'wraparound', kind: 'wraparound-due',
      message: `${list(due.map((t) => `${t.toastOf ? `${t.toastOf} (TOAST)` : t.relation} at ${t.percentOfFreezeMaxAge}%`))} of autovacuum_freeze_max_age: an anti-wraparound autovacuum is due, and it will not yield to DDL` });
  }

  // xmin horizon
  for (const h of s.xminHolders) {
    if (h.kind === 'prepared') {
      out.push({ severity: (h.seconds ?? 0) >= 60 ? 'warning' : 'info', section: 'xminHolders', kind: 'prepared-xact',
        message: `prepared transaction '${h.id}' holds the xmin horizon at ${h.xmin} (${h.ageXid} XIDs old) and its locks; release: ${h.fix}` });
    } else if ((h.kind === 'slot' || h.kind === 'slot-catalog') && !h.active) {
      out.push({ severity: 'warning', section: 'xminHolders', kind: 'inactive-slot',
        message: `inactive replication slot ${h.id} holds ${h.kind === 'slot' ? 'the xmin horizon of every table' : 'the catalog xmin (system catalogs only) and WAL'} at ${h.xmin} (${h.ageXid} XIDs old)` });
    } else if (h.kind === 'backend' && h.state?.startsWith('idle in transaction') && (h.seconds ?? 0) >= 60) {
      out.push({ severity: 'warning', section: 'xminHolders', kind: 'idle-in-transaction', pids: h.pid ? [h.pid] : undefined,
        message: `pid ${h.id}${h.application ? ` (${h.application})` : ''} is idle in transaction for ${Math.round(h.seconds ?? 0)} s, holding the xmin horizon at ${h.xmin}` });
    }
  }

  // dead tuples, invalid indexes
  const oldest = s.xminHolders.find((h) => h.holdsBack === 'all');
  for (const d of s.deadTuples.filter((x) => x.dead > x.autovacuumThreshold && x.dead >= 1000).slice(0, 3)) {
    out.push({ severity: 'info', section: 'deadTuples', kind: 'dead-tuples', relation: d.relation,
      message: `${d.relation}: ${d.dead} dead tuples (autovacuum threshold ${d.autovacuumThreshold}${d.autovacuumEnabled ? '' : ', autovacuum disabled'})` +
        (oldest ? `; VACUUM cannot remove those newer than the horizon held by ${oldest.kind} ${oldest.id}` : '') });
  }
  const inv = s.invalidIndexes;
  if (inv.length) {
    out.push({ severity: 'warning', section: 'invalidIndexes', kind: 'invalid-index',
      message: `${inv.length} invalid or leftover index${inv.length === 1 ? '' : 'es'}: ${list(inv.map((i) => `${i.index} on ${i.table}${i.reindexLeftover ? ' (REINDEX CONCURRENTLY leftover)' : ''}`))}; ` +
        'invalid indexes are not used by queries but ready ones still slow every write — drop and rebuild them' });
  }

  const sectionOrder = ['connections', 'lockQueues', 'blocking', 'vacuums', 'backups', 'indexBuilds', 'wraparound', 'xminHolders', 'invalidIndexes', 'deadTuples'];
  return out.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]
    || sectionOrder.indexOf(a.section) - sectionOrder.indexOf(b.section));
}
