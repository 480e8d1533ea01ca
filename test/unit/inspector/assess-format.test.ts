// Alerts (most alarming first) and the text report, from hand-built snapshots.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assess } from '../../../src/inspector/assess.js';
import { formatSnapshotText } from '../../../src/inspector/format-text.js';
import { emptySnapshot, incident1, node } from './snapshot-fixture.js';

describe('assess', () => {
  it('leads with the pile-up of incident 1 and names the dump', () => {
    const s = incident1();
    const alerts = assess(s);
    assert.equal(alerts[0].kind, 'lock-pile-up');
    assert.equal(alerts[0].severity, 'critical');
    assert.equal(alerts[0].message, 'public.articles: 3 sessions queued behind the waiting AccessExclusiveLock request of pid 200 (migration) ' +
      '"ALTER TABLE articles ALTER COLUMN view_count TYPE integer", which waits for pid 101 (pg_dump leader), pid 102 (pg_dump worker); ' +
      'while it waits, reads and writes on public.articles wait too');
    assert.deepEqual(alerts[0].pids, [101, 102, 200]);
    const backup = alerts.find((a) => a.kind === 'backup-running')!;
    assert.equal(backup.severity, 'critical');
    assert.match(backup.message, /pg_dump with 1 worker \(pid 101\) holds AccessShareLock on 165 tables until it ends/);
    assert.equal(alerts.filter((a) => a.kind === 'backup-running').length, 1, 'workers are folded into their leader');
  });
  it('tells to cancel the waiting DDL, not the anti-wraparound vacuum', () => {
    const s = emptySnapshot();
    s.vacuums = [{ pid: 7, database: 'shop', relation: 'public.articles', wraparound: true, auto: true, full: false, phase: 'scanning heap', percent: 0.4,
      heapBlocksTotal: 1429, heapBlocksScanned: 6, indexVacuumCount: 0, runningSeconds: 20, waitEvent: 'Timeout:VacuumDelay', query: null }];
    s.lockQueues = [{ relation: 'public.articles', holdersTotal: 2, waitersTotal: 2, headBlocks: 'reads and writes',
      holders: [{ pid: 7, mode: 'ShareUpdateExclusiveLock', application: null, alsoWaiting: false, blocksWaiters: true, query: null },
        { pid: 8, mode: 'AccessShareLock', application: 'migration', alsoWaiting: true, blocksWaiters: false, query: null }],
      waiters: [{ pid: 8, mode: 'AccessExclusiveLock', position: 1, reason: 'held', heldBy: [7], queuedBehind: [], application: 'migration', waitSeconds: 2, query: 'DROP TRIGGER articles_audit ON articles' },
        { pid: 9, mode: 'AccessShareLock', position: 2, reason: 'queued', heldBy: [], queuedBehind: [8], application: 'web', waitSeconds: 1, query: null }] }];
    const alerts = assess(s);
    const w = alerts.find((a) => a.kind === 'wraparound-vacuum-blocking')!;
    assert.equal(w.severity, 'critical');
    assert.match(w.message, /anti-wraparound autovacuum \(pid 7\) on public\.articles will not yield to AccessExclusiveLock of pid 8 \(migration\); cancel the waiting request, not the vacuum/);
    assert.deepEqual(w.pids, [7, 8]);
    assert.match(alerts[0].message, /which waits for pid 7 \(anti-wraparound autovacuum\)/);
  });
  it('flags exhausted connections, prepared transactions, inactive slots, invalid indexes; quiet when all is well', () => {
    assert.deepEqual(assess(emptySnapshot()), []);
    const s = emptySnapshot();
    s.connections = { max: 12, reservedSuperuser: 2, reserved: 2, used: 9, freeForNormalRoles: -1, idleInTransaction: 1, waiting: 6, active: 7 };
    s.xminHolders = [
      { kind: 'prepared', id: 'deploy-42', xmin: 746, ageXid: 5000, database: 'shop', holdsBack: 'all', seconds: 3600, fix: "ROLLBACK PREPARED 'deploy-42'" },
      { kind: 'slot-catalog', id: 'cdc_stuck', xmin: 751, ageXid: 4000, database: 'shop', holdsBack: 'catalogs', slotType: 'logical', plugin: 'test_decoding', active: false, fix: '' },
    ];
    s.invalidIndexes = [{ index: 'public.orders_status_idx', table: 'public.orders', valid: false, ready: true, live: true, reindexLeftover: false, sizeBytesEstimate: 8192, definition: '' }];
    s.blocking = [node(0, { kind: 'prepared', gid: 'deploy-42', root: true, blocks: 1, blocksTotal: 1 }), node(5, { blockedBy: [0], blockedByPrepared: ['deploy-42'], depth: 1 })];
    const kinds = assess(s).map((a) => `${a.severity}:${a.kind}`);
    assert.deepEqual(kinds, ['critical:connections-exhausted', 'critical:prepared-xact-blocking', 'warning:prepared-xact', 'warning:inactive-slot', 'warning:invalid-index']);
  });
});

describe('formatSnapshotText', () => {
  it('prints alerts first, then the tree, the queue and the backup, without colour by default', () => {
    const s = incident1();
    s.alerts = assess(s);
    const text = formatSnapshotText(s);
    assert.ok(!text.includes('\x1b['));
    const lines = text.split('\n');
    assert.equal(lines[0], 'postgresql://monitor@db:5432/shop  PostgreSQL 15.8, up 1h00m, database shop as monitor (pg_monitor), TLS');
    const alertsAt = lines.indexOf('ALERTS');
    assert.match(lines[alertsAt + 1], /^ {2}✖ critical public\.articles: 3 sessions queued/);
    assert.ok(text.indexOf('ALERTS') < text.indexOf('BLOCKING') && text.indexOf('BLOCKING') < text.indexOf('LOCK QUEUES'));
    assert.match(text, /\n {2}101 pg_dump idle in transaction xact 1\.0s blocks 4 "SELECT last_value FROM public\.tags_id_seq"\n {2}└ 200 migration waits AccessExclusiveLock on public\.articles 12s blocks 3/);
    assert.match(text, / {4}│ ├ 301 web-1 waits AccessShareLock|  ├ 301 web-1 waits AccessShareLock/);
    assert.match(text, /\n {2}102 pg_dump active xact 1\.0s blocks 4 "COPY public\.articles \(id, body\) TO stdout;"\n {2}└ 200 \(see above\)/);
    assert.match(text, /waits #1 AccessExclusiveLock +200 +migration +12s held by 101,102/);
    assert.match(text, /waits #2 AccessShareLock +301 +web-1 +10s queued behind 200/);
    assert.match(text, / {2}101 pg_dump leader idle in transaction 5m00s locks 165 tables: public\.articles, public\.authors, …/);
    assert.match(text, /COPY public\.articles 5\.2 MB, 22,079 rows/);
    assert.match(text, /CONNECTIONS\n {2}9 of 100 used \(3 reserved for superusers\), 87 free for normal roles; 1 active, 4 waiting for locks, 0 idle in transaction/);
  });
  it('colours when asked and says when nothing is wrong', () => {
    const s = emptySnapshot();
    const red = (x: string) => `<r>${x}</r>`;
    const id = (x: string) => x;
    const text = formatSnapshotText(s, { bold: id, dim: id, red, yellow: id, cyan: id, green: (x) => `<g>${x}</g>` });
    assert.match(text, /<g> {2}nothing alarming<\/g>/);
    assert.match(text, /nobody waits for a lock/);
  });
});
