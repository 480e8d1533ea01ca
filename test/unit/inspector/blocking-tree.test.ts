// The blocking graph from pg_blocking_pids() rows: roots first, prepared transactions as their own nodes, depth,
// direct and transitive counts, cycles, and the node limit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildBlockingTree } from '../../../src/inspector/queries/blocking.js';
import { lockQueuesQuery } from '../../../src/inspector/queries/lock-queues.js';
import { DEFAULT_LIMITS } from '../../../src/inspector/queries/sql.js';

const rel = (mode: string) => ({ locktype: 'relation', mode, relation: 'public.articles', transactionId: null });
const edge = (pid: number, blockedBy: number[], mode = 'AccessShareLock', waitSeconds = 1, preparedGids: string[] = []) =>
  ({ pid, blockedBy, preparedGids, target: rel(mode), waitSeconds });
const sessions = new Map([101, 102, 200, 301, 302].map((pid) => [pid, { pid, application: `app-${pid}`, user: 'u', backendType: 'client backend', state: 'active', xactSeconds: 5, query: `q${pid}`, queryHidden: false }]));

describe('buildBlockingTree', () => {
  it('puts the pg_dump pids first, the ALTER under both, the SELECTs under the ALTER', () => {
    const { nodes, omitted } = buildBlockingTree([edge(200, [101, 102], 'AccessExclusiveLock', 9), edge(301, [200]), edge(302, [200])], sessions, [], 100);
    assert.equal(omitted, 0);
    assert.deepEqual(nodes.map((n) => [n.pid, n.root, n.depth, n.blocks, n.blocksTotal]), [
      [101, true, 0, 1, 3], [102, true, 0, 1, 3], [200, false, 1, 2, 2], [301, false, 2, 0, 0], [302, false, 2, 0, 0]]);
    const alter = nodes.find((n) => n.pid === 200)!;
    assert.deepEqual(alter.blockedBy, [101, 102]);
    assert.equal(alter.waitingFor?.mode, 'AccessExclusiveLock');
    assert.equal(alter.application, 'app-200');
    assert.equal(nodes[0].waitingFor, null);
  });
  it('makes each prepared transaction a node (pid 0) with its gid', () => {
    const prepared = [{ gid: 'deploy-42', xid: 746, owner: 'app', database: 'shop', seconds: 3600 }, { gid: 'other', xid: 750, owner: 'app', database: 'shop', seconds: 10 }];
    const { nodes } = buildBlockingTree([edge(200, [0, 101], 'AccessExclusiveLock', 5, ['deploy-42'])], sessions, prepared, 100);
    const p = nodes.find((n) => n.kind === 'prepared')!;
    assert.deepEqual([p.pid, p.gid, p.root, p.state, p.user, p.xactSeconds], [0, 'deploy-42', true, 'prepared', 'app', 3600]);
    assert.equal(p.query, "PREPARE TRANSACTION 'deploy-42'");
    assert.deepEqual(nodes.find((n) => n.pid === 200)?.blockedByPrepared, ['deploy-42']);
    assert.equal(nodes.filter((n) => n.kind === 'prepared').length, 1, 'only the prepared transaction that holds the lock');
  });
  it('falls back to every prepared transaction when the lock tag does not say which', () => {
    const prepared = [{ gid: 'a', xid: 1, owner: null, database: null, seconds: null }, { gid: 'b', xid: 2, owner: null, database: null, seconds: null }];
    const { nodes } = buildBlockingTree([edge(200, [0])], sessions, prepared, 100);
    assert.deepEqual(nodes.filter((n) => n.kind === 'prepared').map((n) => n.gid), ['a', 'b']);
  });
  it('survives a cycle without roots (the longest waiter becomes the root)', () => {
    const { nodes } = buildBlockingTree([edge(301, [302], 'AccessShareLock', 2), edge(302, [301], 'AccessShareLock', 7)], sessions, [], 100);
    assert.equal(nodes[0].pid, 302);
    assert.equal(nodes[0].root, true);
    assert.equal(nodes.length, 2);
  });
  it('cuts at the limit and says how many were left out, roots first', () => {
    const many = Array.from({ length: 450 }, (_, i) => edge(1000 + i, [200]));
    const { nodes, omitted } = buildBlockingTree([edge(200, [101], 'AccessExclusiveLock'), ...many], sessions, [], 100);
    assert.equal(nodes.length, 100);
    assert.equal(omitted, 352);
    assert.deepEqual(nodes.slice(0, 2).map((n) => n.pid), [101, 200]);
    assert.equal(nodes[0].blocksTotal, 451);
    assert.equal(nodes[1].blocks, 450);
  });
});

describe('lock queue reasons', () => {
  it('marks waiters held by a granted conflicting lock as held, the others as queued', () => {
    const parsed = lockQueuesQuery.parse({
      contestedTotal: 3,
      queues: [{
        relation: 'public.articles', waitersTotal: 2, holdersTotal: 2,
        holders: [{ pid: 7, mode: 'ShareUpdateExclusiveLock', application: null, alsoWaiting: false, blocksWaiters: true },
          { pid: 8, mode: 'AccessShareLock', application: 'migration', alsoWaiting: true, blocksWaiters: false }],
        waiters: [{ pid: 8, mode: 'AccessExclusiveLock', position: 1, heldBy: [7], queuedBehind: [] },
          { pid: 9, mode: 'AccessShareLock', position: 2, heldBy: [], queuedBehind: [8] }],
      }],
    }, { versionNum: 150000, limits: DEFAULT_LIMITS });
    assert.equal(parsed.omitted, 2);
    const q = parsed.queues[0];
    assert.deepEqual(q.waiters.map((w) => w.reason), ['held', 'queued']);
    assert.equal(q.headBlocks, 'reads and writes');
    assert.equal(q.holders[1].alsoWaiting, true);
  });
  it('is not asked when nobody waits for a relation lock', () => {
    assert.equal(lockQueuesQuery.sql({ versionNum: 150000, limits: DEFAULT_LIMITS, relationWaits: false }), undefined);
    assert.ok(lockQueuesQuery.sql({ versionNum: 150000, limits: DEFAULT_LIMITS, relationWaits: true }));
  });
});
