// The preflight's judgement without a database: classification of the sessions in the way, the verdict rules, the
// queue forecast, index swaps, the horizon and the formats, on a hand-built snapshot and live relations.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/analyzer/analyze.js';
import { loadParser } from '../../../src/analyzer/parse.js';
import type { Snapshot, XminHolder } from '../../../src/inspector/types.js';
import {
  classifyHolder, estimateDuration, evaluate, parseCreateIndex, parseDropIndex, parseTimeoutMs, relationsToAsk, worse,
} from '../../../src/preflight/evaluate.js';
import type { LiveLock, LiveRelation, LiveRelations } from '../../../src/preflight/live.js';
import { parseRelations, RELATIONS_SQL } from '../../../src/preflight/live.js';
import { formatPreflightMarkdown, formatPreflightText } from '../../../src/preflight/format.js';

function snap(over: Partial<Snapshot> = {}): Snapshot {
  return {
    server: { version: '16.4', versionNum: 160004, uptime: 1, startedAt: '', database: 'app', user: 'monitor', target: 'prod', inRecovery: false, tls: null, pid: 1,
      session: { readOnly: true, lockTimeout: '1s', statementTimeout: '5s', applicationName: 'pg-preflight' }, settings: { deadlock_timeout: '1000' }, fetchedAt: '', durationMs: 1, timings: {}, reused: {} },
    privileges: { level: 'monitor', superuser: false, pgMonitor: true, readAllStats: true, signalBackend: true, useReservedConnections: true, canUseReservedSlots: true },
    alerts: [], sessions: { total: 0, byState: {}, byBackendType: {}, byApplication: [], top: [], omitted: 0 }, blocking: [], lockQueues: [],
    backups: [], vacuums: [], indexBuilds: [],
    wraparound: { database: { name: 'app', ageXid: 0, percentOfFreezeMaxAge: 0, percentOfWraparound: 0, ageMxid: 0 }, databases: [], tables: [], freezeMaxAge: 200000000, failsafeAge: null },
    xminHolders: [], deadTuples: [], invalidIndexes: [],
    connections: { max: 100, reservedSuperuser: 3, reserved: 0, used: 20, freeForNormalRoles: 77, idleInTransaction: 0, waiting: 0, active: 5 },
    notes: [], truncated: {}, ...over,
  };
}

function table(name: string, over: Partial<LiveRelation> = {}): LiveRelation {
  return { name, oid: 1, qualified: name, relkind: 'r', relpages: 1000, reltuples: 100000, table: null, xidAge: 1000, freezeMaxAge: 200000000, indexes: [], ...over };
}

function live(rels: LiveRelation[], locks: Partial<LiveLock>[] = []): LiveRelations {
  const relations = new Map<string, LiveRelation>();
  for (const r of rels) relations.set(r.name, r);
  return {
    relations, blockSize: 8192, durationMs: 1, locksTruncated: false,
    locks: locks.map((l) => ({ relation: 'public.articles', pid: 100, gid: null, mode: 'AccessShareLock', granted: true, application: 'web', backendType: 'client backend', state: 'active', query: 'SELECT 1', xactSeconds: 1, querySeconds: 1, waitSeconds: null, ...l })),
  };
}

function run(sql: string, s: Snapshot, l: LiveRelations) {
  const r = analyze(sql, { pgVersion: 16 });
  return evaluate({ files: [{ path: 'm.sql', statements: r.statements }], snapshot: s, live: l, pgVersion: 16 });
}

const ALTER = 'ALTER TABLE articles ALTER COLUMN view_count TYPE integer;';
const SAFE = "SET lock_timeout = '2s';\nALTER TABLE articles ADD COLUMN x int;";

describe('preflight: classification', () => {
  const base = { application: 'web', backendType: 'client backend', state: 'active', query: 'SELECT 1', xactSeconds: 1 };
  it('knows backups, vacuums, transactions, prepared transactions and sessions', () => {
    const s = snap({
      backups: [{ pid: 7, kind: 'pg_dump', role: 'leader', application: 'pg_dump', user: null, clientAddr: null, state: 'idle in transaction', xactSeconds: 600, relations: [], relationsTotal: 40, contested: [], backendXmin: 1, query: null }],
      vacuums: [{ pid: 8, database: 'app', relation: 'public.articles', wraparound: true, auto: true, full: false, phase: 'scanning heap', percent: 42, heapBlocksTotal: 1, heapBlocksScanned: 1, indexVacuumCount: 0, runningSeconds: 3600, waitEvent: null, query: null },
        { pid: 9, database: 'app', relation: 'public.articles', wraparound: false, auto: true, full: false, phase: 'scanning heap', percent: 10, heapBlocksTotal: 1, heapBlocksScanned: 1, indexVacuumCount: 0, runningSeconds: 5, waitEvent: null, query: null }],
    });
    assert.equal(classifyHolder({ ...base, pid: 7 }, s).kind, 'backup');
    assert.match(classifyHolder({ ...base, pid: 7 }, s).progress ?? '', /pg_dump leader, running 10 min, holds 40 table/);
    assert.equal(classifyHolder({ ...base, pid: 70, application: 'pg_dump' }, s).kind, 'backup');
    assert.equal(classifyHolder({ ...base, pid: 71, query: 'COPY public.articles (id) TO stdout;' }, s).kind, 'backup');
    const w = classifyHolder({ ...base, pid: 8 }, s);
    assert.deepEqual([w.kind, w.endsByItself, w.yields], ['wraparound-vacuum', true, undefined]);
    assert.match(w.progress ?? '', /42 %/);
    const v = classifyHolder({ ...base, pid: 9, backendType: 'autovacuum worker' }, s);
    assert.deepEqual([v.kind, v.yields], ['vacuum', true]);
    assert.equal(classifyHolder({ ...base, pid: 10, backendType: 'autovacuum worker', query: 'autovacuum: VACUUM public.x (to prevent wraparound)' }, s).kind, 'wraparound-vacuum');
    assert.equal(classifyHolder({ ...base, pid: 11, query: 'VACUUM articles' }, s).yields, undefined, 'a manual VACUUM does not yield');
    assert.deepEqual(classifyHolder({ ...base, pid: 0, gid: 'deploy-42' }, s), { kind: 'prepared', endsByItself: false });
    assert.deepEqual(classifyHolder({ ...base, pid: 12, state: 'idle in transaction' }, s), { kind: 'transaction', endsByItself: false });
    assert.deepEqual(classifyHolder({ ...base, pid: 13, xactSeconds: 900 }, s), { kind: 'transaction', endsByItself: true });
    assert.deepEqual(classifyHolder({ ...base, pid: 14 }, s), { kind: 'session', endsByItself: true });
  });
});

describe('preflight: verdict', () => {
  before(async () => { await loadParser(); });
  const rels = [table('public.articles')];

  it('go when nothing conflicts', () => {
    const r = run(ALTER, snap(), live(rels, [{ mode: 'RowExclusiveLock', relation: 'public.other' }]));
    assert.equal(r.verdict, 'go');
    assert.deepEqual(r.statements[0].conflicts, []);
    assert.ok(r.checks.every((c) => c.status !== 'fail'));
    assert.deepEqual(r.checks.map((c) => c.id), ['server-version', 'lock-conflicts', 'queue-forecast', 'cost', 'wraparound', 'xmin-horizon', 'index-swaps']);
  });

  it('no-go: a conflicting holder and no lock_timeout, with the pile-up forecast', () => {
    const r = run(ALTER, snap(), live(rels, [{ pid: 42, application: 'pg_dump' }, { pid: 43, mode: 'RowExclusiveLock' }]));
    assert.equal(r.verdict, 'no-go');
    const c = r.statements[0].conflicts;
    assert.deepEqual(c.map((x) => [x.pid, x.kind, x.mode, x.relation, x.application]), [[42, 'backup', 'AccessShareLock', 'public.articles', 'pg_dump'], [43, 'session', 'RowExclusiveLock', 'public.articles', 'web']]);
    assert.equal(r.checks.find((x) => x.id === 'queue-forecast')?.status, 'fail');
    assert.match(r.reasons[0], /SET lock_timeout/);
  });

  it('wait: lock_timeout set and the holder ends by itself (a backup)', () => {
    const r = run(SAFE, snap(), live(rels, [{ pid: 42, application: 'pg_dump' }]));
    assert.equal(r.verdict, 'wait');
    assert.match(r.reasons.join(), /wait until the backup/);
  });

  it('no-go even with lock_timeout: an idle-in-transaction session or a prepared transaction never ends by itself', () => {
    assert.equal(run(SAFE, snap(), live(rels, [{ pid: 5, state: 'idle in transaction', xactSeconds: 3000 }])).verdict, 'no-go');
    const p = run(SAFE, snap(), live(rels, [{ pid: 0, gid: 'deploy-42', application: null, state: null }]));
    assert.equal(p.verdict, 'no-go');
    assert.equal(p.statements[1].conflicts[0].kind, 'prepared');
    assert.match(p.reasons[0], /ROLLBACK PREPARED 'deploy-42'/);
  });

  it('a regular autovacuum yields: wait, never no-go, and it does not count for the pile-up', () => {
    const s = snap({ vacuums: [{ pid: 9, database: 'app', relation: 'public.articles', wraparound: false, auto: true, full: false, phase: 'scanning heap', percent: 10, heapBlocksTotal: 1, heapBlocksScanned: 1, indexVacuumCount: 0, runningSeconds: 5, waitEvent: null, query: null }] });
    const r = run(ALTER, s, live(rels, [{ pid: 9, mode: 'ShareUpdateExclusiveLock', backendType: 'autovacuum worker', application: '' }]));
    assert.equal(r.verdict, 'wait');
    assert.equal(r.checks.find((x) => x.id === 'queue-forecast')?.status, 'pass');
    assert.match(r.reasons[0], /deadlock_timeout \(1000 ms\)/);
  });

  it('a wraparound vacuum never yields: no-go without lock_timeout, wait with it', () => {
    const s = snap({ vacuums: [{ pid: 8, database: 'app', relation: 'public.articles', wraparound: true, auto: true, full: false, phase: 'scanning heap', percent: 42, heapBlocksTotal: 1, heapBlocksScanned: 1, indexVacuumCount: 0, runningSeconds: 3600, waitEvent: null, query: null }] });
    const l = live(rels, [{ pid: 8, mode: 'ShareUpdateExclusiveLock', backendType: 'autovacuum worker', application: '' }]);
    const a = run(ALTER, s, l);
    assert.equal(a.verdict, 'no-go');
    assert.equal(a.statements[0].conflicts[0].kind, 'wraparound-vacuum');
    assert.equal(a.checks.find((x) => x.id === 'wraparound')?.status, 'warn');
    assert.equal(run(SAFE, s, l).verdict, 'wait');
  });

  it('queue forecast warns when the free slots are fewer than the sessions on the table', () => {
    const s = snap({ connections: { max: 20, reservedSuperuser: 3, reserved: 0, used: 15, freeForNormalRoles: 2, idleInTransaction: 0, waiting: 0, active: 15 } });
    const r = run(SAFE, s, live(rels, [1, 2, 3, 4].map((pid) => ({ pid }))));
    assert.equal(r.verdict, 'wait');
    const q = r.checks.find((x) => x.id === 'queue-forecast')!;
    assert.equal(q.status, 'warn');
    assert.match(q.message, /4 session\(s\) use public\.articles now, 2 connection slot\(s\) are free/);
  });

  it('a request queued ahead counts as a conflict (waiting)', () => {
    const r = run(ALTER, snap(), live(rels, [{ pid: 77, mode: 'AccessExclusiveLock', granted: false, application: 'other-migration' }]));
    assert.equal(r.statements[0].conflicts[0].waiting, true);
    assert.equal(r.verdict, 'no-go');
  });

  it('xmin horizon: a backfill while an idle transaction pins it is no-go, naming the pinner', () => {
    const holder: XminHolder = { kind: 'backend', id: '31', pid: 31, xmin: 1, ageXid: 10, database: 'app', holdsBack: 'all', application: 'report-job', state: 'idle in transaction', seconds: 30, fix: 'SELECT pg_terminate_backend(31)' };
    const r = run('UPDATE articles SET slug = lower(title);', snap({ xminHolders: [holder] }), live(rels));
    assert.equal(r.verdict, 'no-go');
    assert.match(r.checks.find((x) => x.id === 'xmin-horizon')!.message, /backend 31 \(report-job\).*pg_terminate_backend\(31\)/);
    assert.equal(run('UPDATE articles SET slug = 1 WHERE id = 5;', snap({ xminHolders: [holder] }), live([table('public.articles', { reltuples: 100 })])).verdict, 'go');
    assert.equal(run('UPDATE articles SET slug = lower(title);', snap(), live(rels)).verdict, 'go');
  });

  it('wraparound: a touched table near its freeze max age warns', () => {
    const r = run(SAFE, snap(), live([table('public.articles', { xidAge: 95, freezeMaxAge: 100 })]));
    assert.equal(r.checks.find((x) => x.id === 'wraparound')?.status, 'warn');
    assert.match(r.checks.find((x) => x.id === 'wraparound')!.message, /95 % of its freeze max age/);
    assert.equal(r.verdict, 'go');
  });

  it('index swaps: the IF NOT EXISTS trap, a drop without cover, an in-flight build', () => {
    const idx = (name: string, valid: boolean, columns: string[]) => ({ name, valid, ready: true, columns, partial: false, unique: false, definition: '' });
    const articles = table('public.articles', { indexes: [idx('public.old_idx', true, ['published_at']), idx('public.new_idx', false, ['published_at', 'author_id'])] });
    const oldIdx = table('public.old_idx', { relkind: 'i', table: 'public.articles', indexes: [idx('public.old_idx', true, ['published_at'])] });
    const newIdx = table('public.new_idx', { relkind: 'i', table: 'public.articles', indexes: [idx('public.new_idx', false, ['published_at', 'author_id'])] });
    const l = live([articles, oldIdx, newIdx]);
    const bad = run('DROP INDEX old_idx;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS new_idx ON articles (published_at, author_id);', snap(), l);
    assert.equal(bad.verdict, 'no-go');
    const msgs = bad.reasons.join('\n');
    assert.match(msgs, /dropping public\.old_idx leaves no valid index on public\.articles leading with published_at/);
    assert.match(msgs, /INVALID.*IF NOT EXISTS would silently skip it/);
    assert.deepEqual(bad.statements[0].locks.map((x) => x.relation).sort(), ['public.articles', 'public.old_idx'], 'the table of a dropped index is locked too');
    const good = run("SET lock_timeout = '2s';\nDROP INDEX CONCURRENTLY IF EXISTS new_idx;\nCREATE INDEX CONCURRENTLY new_idx ON articles (published_at, author_id);", snap(), l);
    assert.equal(good.verdict, 'go', good.reasons.join('\n'));
    const building = snap({ indexBuilds: [{ pid: 66, database: 'app', relation: 'public.articles', index: 'public.new_idx', command: 'CREATE INDEX CONCURRENTLY', phase: 'building index', percent: 50, currentLockerPid: null, lockersTotal: null, lockersDone: null, runningSeconds: 10, query: null }] });
    const r = run('CREATE INDEX CONCURRENTLY new_idx ON articles (published_at, author_id);', building, live([table('public.articles')]));
    assert.equal(r.verdict, 'no-go');
    assert.match(r.reasons.join(), /in flight on public\.articles \(pid 66, building index, 50 %\)/);
  });

  it('the worst verdict wins; helpers', () => {
    assert.equal(worse('go', 'wait'), 'wait');
    assert.equal(worse('no-go', 'wait'), 'no-go');
    assert.equal(parseTimeoutMs("'2s'"), 2000);
    assert.equal(parseTimeoutMs('500ms'), 500);
    assert.equal(parseTimeoutMs('1min'), 60000);
    assert.equal(parseTimeoutMs('0'), null);
    assert.equal(parseTimeoutMs(null), null);
    const e = estimateDuration([{ relation: 't', relpages: 128000, bytes: 1048576000, rows: 1e7, operation: 'rewrite' }]);
    assert.ok(e && e.lowSeconds > 4 && e.highSeconds > 40, JSON.stringify(e));
    assert.deepEqual(parseCreateIndex('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Idx" ON app.t USING btree (a, b DESC)'),
      { name: 'app."Idx"', table: 'app.t', columns: ['a', 'b'], ifNotExists: true, concurrently: true });
    assert.deepEqual(parseDropIndex('DROP INDEX CONCURRENTLY IF EXISTS a, s.b'), { names: ['public.a', 's.b'], concurrently: true });
  });

  it('asks the target only about the migration\'s relations, as a bound parameter', () => {
    const r = analyze("DROP INDEX old_idx;\nCREATE INDEX new_idx ON articles (x);\nALTER TABLE \"Weird\"\"; DROP TABLE x; --\" ADD COLUMN y int;", { pgVersion: 16 });
    const names = relationsToAsk([{ path: 'm.sql', statements: r.statements }]);
    assert.ok(names.includes('public.old_idx') && names.includes('public.new_idx') && names.includes('public.articles'), names.join());
    assert.ok(RELATIONS_SQL.includes('to_regclass(n)') && RELATIONS_SQL.includes('unnest($1::text[])'));
    assert.ok(!/pg_(total_)?relation_size|pg_table_size|pg_indexes_size/.test(RELATIONS_SQL), 'never pg_relation_size and friends');
    assert.ok(/LIMIT \d+/.test(RELATIONS_SQL));
    const parsed = parseRelations({ blockSize: 8192, lockCount: 0, relations: [{ name: 'public.articles', qualified: 'public.articles', relkind: 'r', relpages: 3, reltuples: -1, indexes: [] }], locks: [] });
    assert.equal(parsed.relations.get('public.articles')?.reltuples, -1);
  });

  it('formats: verdict first, a table per statement', () => {
    const r = run(ALTER, snap(), live(rels, [{ pid: 42, application: 'pg_dump' }]));
    const md = formatPreflightMarkdown(r);
    assert.match(md.split('\n')[0], /^# ⛔ Preflight: NO-GO/);
    assert.match(md, /\| Locks \| AccessExclusiveLock on `public\.articles`/);
    assert.match(md, /\| Conflicts \| backup · pid 42 · application pg_dump/);
    assert.match(md, /\| Estimate \| ~/);
    assert.match(formatPreflightText(r), /^PREFLIGHT NO-GO/);
  });
});
