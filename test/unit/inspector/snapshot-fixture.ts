// A hand-built snapshot of incident 1 (pg_dump leader + worker, ALTER held, SELECTs queued) for the pure tests.
import type { BlockingNode, Snapshot } from '../../../src/inspector/types.js';

export function node(pid: number, over: Partial<BlockingNode> = {}): BlockingNode {
  return {
    pid, kind: 'session', blockedBy: [], root: false, depth: 0, blocks: 0, blocksTotal: 0, waitingFor: null, waitSeconds: null,
    application: null, user: 'app', backendType: 'client backend', state: 'active', xactSeconds: 1, query: null, queryHidden: false, ...over,
  };
}

export function emptySnapshot(): Snapshot {
  return {
    server: {
      version: '15.8', versionNum: 150008, uptime: 3600, startedAt: '2024-01-01T00:00:00Z', database: 'shop', user: 'monitor',
      target: 'postgresql://monitor@db:5432/shop', inRecovery: false, tls: true, pid: 99,
      session: { readOnly: true, lockTimeout: '1s', statementTimeout: '5s', applicationName: 'pg-preflight' },
      settings: {}, fetchedAt: '2024-01-01T01:00:00Z', durationMs: 12.3, timings: {}, reused: {},
    },
    privileges: { level: 'monitor', superuser: false, pgMonitor: true, readAllStats: true, signalBackend: true, useReservedConnections: null, canUseReservedSlots: false },
    alerts: [],
    sessions: { total: 0, byState: {}, byBackendType: {}, byApplication: [], top: [], omitted: 0 },
    blocking: [], lockQueues: [], backups: [], vacuums: [], indexBuilds: [],
    wraparound: { database: { name: 'shop', ageXid: 1000, percentOfFreezeMaxAge: 0, percentOfWraparound: 0, ageMxid: 1 }, databases: [], tables: [], freezeMaxAge: 200000000, failsafeAge: 1600000000 },
    xminHolders: [], deadTuples: [], invalidIndexes: [],
    connections: { max: 100, reservedSuperuser: 3, reserved: 0, used: 10, freeForNormalRoles: 87, idleInTransaction: 0, waiting: 0, active: 1 },
    notes: [], truncated: {},
  };
}

export function incident1(): Snapshot {
  const s = emptySnapshot();
  s.blocking = [
    node(101, { root: true, blocks: 1, blocksTotal: 4, application: 'pg_dump', state: 'idle in transaction', query: 'SELECT last_value FROM public.tags_id_seq' }),
    node(102, { root: true, blocks: 1, blocksTotal: 4, application: 'pg_dump', query: 'COPY public.articles (id, body) TO stdout;' }),
    node(200, { blockedBy: [101, 102], depth: 1, blocks: 3, blocksTotal: 3, application: 'migration', query: 'ALTER TABLE articles ALTER COLUMN view_count TYPE integer',
      waitingFor: { locktype: 'relation', mode: 'AccessExclusiveLock', relation: 'public.articles', transactionId: null }, waitSeconds: 12 }),
    ...[301, 302, 303].map((p) => node(p, { blockedBy: [200], depth: 2, application: `web-${p - 300}`, query: 'SELECT * FROM articles WHERE id = $1',
      waitingFor: { locktype: 'relation', mode: 'AccessShareLock', relation: 'public.articles', transactionId: null }, waitSeconds: 10 })),
  ];
  s.lockQueues = [{
    relation: 'public.articles', holdersTotal: 2, waitersTotal: 4, headBlocks: 'reads and writes',
    holders: [
      { pid: 101, mode: 'AccessShareLock', application: 'pg_dump', alsoWaiting: false, blocksWaiters: true, query: null },
      { pid: 102, mode: 'AccessShareLock', application: 'pg_dump', alsoWaiting: false, blocksWaiters: true, query: null },
    ],
    waiters: [
      { pid: 200, mode: 'AccessExclusiveLock', position: 1, reason: 'held', heldBy: [101, 102], queuedBehind: [], application: 'migration', waitSeconds: 12, query: 'ALTER TABLE articles ALTER COLUMN view_count TYPE integer' },
      ...[301, 302, 303].map((p, i) => ({ pid: p, mode: 'AccessShareLock', position: i + 2, reason: 'queued' as const, heldBy: [], queuedBehind: [200], application: `web-${p - 300}`, waitSeconds: 10, query: 'SELECT 1' })),
    ],
  }];
  s.backups = [
    { pid: 101, kind: 'pg_dump', role: 'leader', application: 'pg_dump', user: 'backup', clientAddr: null, state: 'idle in transaction', xactSeconds: 300,
      relations: ['public.articles', 'public.authors'], relationsTotal: 165, contested: ['public.articles'], backendXmin: 740, query: null },
    { pid: 102, kind: 'pg_dump', role: 'worker', application: 'pg_dump', user: 'backup', clientAddr: null, state: 'active', xactSeconds: 299,
      relations: ['public.articles'], relationsTotal: 1, contested: ['public.articles'], backendXmin: 740, query: 'COPY public.articles (id, body) TO stdout;',
      copy: { relation: 'public.articles', command: 'COPY TO', type: 'PIPE', bytesProcessed: 5484544, tuplesProcessed: 22079 } },
  ];
  s.connections = { ...s.connections, used: 9, waiting: 4 };
  return s;
}
