// Invariants of the catalog SQL that a grep can hold: no size functions (they queue behind a waiting
// AccessExclusiveLock), the inspector's own backend excluded, every list bounded, the same text on 13–18 except
// COPY progress (absent before 14), and no vscode anywhere in the inspector.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { backupsQuery } from '../../../src/inspector/queries/backups.js';
import { blockingQuery } from '../../../src/inspector/queries/blocking.js';
import { connectionsQuery } from '../../../src/inspector/queries/connections.js';
import { copyProgressQuery } from '../../../src/inspector/queries/copy-progress.js';
import { deadTuplesQuery } from '../../../src/inspector/queries/dead-tuples.js';
import { indexBuildsQuery } from '../../../src/inspector/queries/index-builds.js';
import { invalidIndexesQuery } from '../../../src/inspector/queries/invalid-indexes.js';
import { lockQueuesQuery } from '../../../src/inspector/queries/lock-queues.js';
import { serverQuery } from '../../../src/inspector/queries/server.js';
import { sessionsQuery } from '../../../src/inspector/queries/sessions.js';
import { CONFLICTS_CTE, DEFAULT_LIMITS, type Query } from '../../../src/inspector/queries/sql.js';
import { vacuumsQuery } from '../../../src/inspector/queries/vacuums.js';
import { wraparoundQuery } from '../../../src/inspector/queries/wraparound.js';
import { xminHoldersQuery } from '../../../src/inspector/queries/xmin-holders.js';

const root = join(import.meta.dirname, '..', '..', '..');
const all: Query<unknown>[] = [serverQuery, connectionsQuery, sessionsQuery, blockingQuery, lockQueuesQuery, backupsQuery, copyProgressQuery,
  vacuumsQuery, indexBuildsQuery, wraparoundQuery, xminHoldersQuery, deadTuplesQuery, invalidIndexesQuery];
const ctx = (versionNum: number) => ({ versionNum, limits: DEFAULT_LIMITS });

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('catalog SQL', () => {
  it('never calls pg_relation_size / pg_table_size / pg_total_relation_size (nor any *_size function)', () => {
    const sizeFn = /pg_(relation|table|total_relation|indexes|database)_size\s*\(/;
    for (const q of all) for (const v of [130000, 180000]) assert.doesNotMatch(q.sql(ctx(v)) ?? '', sizeFn, q.section);
    for (const f of tsFiles(join(root, 'src/inspector'))) {
      const code = readFileSync(f, 'utf8').split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
      assert.doesNotMatch(code, sizeFn, f);
    }
  });
  it('excludes the inspector\'s own backend wherever it reads sessions, locks or progress', () => {
    for (const q of all) {
      const sql = q.sql(ctx(180000))!;
      if (/pg_stat_activity|pg_locks|pg_stat_progress/.test(sql) && q.section !== 'server') assert.match(sql, /pg_backend_pid\(\)/, q.section);
    }
  });
  it('bounds every list: LIMIT or an aggregate to one row', () => {
    for (const q of all) {
      const sql = q.sql(ctx(180000))!;
      assert.match(sql, /AS j\b/, `${q.section}: one json row`);
      if (/json_agg/.test(sql) && !['server', 'connections'].includes(q.section)) assert.match(sql, /LIMIT \d+/, q.section);
    }
  });
  it('is the same text on 13–18, except that COPY progress is not asked before 14', () => {
    for (const q of all) {
      const texts = [130000, 140000, 150000, 160000, 170000, 180000].map((v) => q.sql(ctx(v)));
      if (q.section === 'copyProgress') {
        assert.equal(texts[0], undefined);
        assert.ok(texts.slice(1).every((t) => t === texts[1]));
      } else {
        assert.ok(texts.every((t) => t === texts[0]), q.section);
      }
    }
  });
  it('reads version-specific columns through to_jsonb', () => {
    assert.match(blockingQuery.sql(ctx(130000))!, /to_jsonb\(l\) ->> 'waitstart'/);
    assert.match(lockQueuesQuery.sql(ctx(130000))!, /to_jsonb\(l\) ->> 'waitstart'/);
  });
  it('encodes PostgreSQL\'s conflict table', () => {
    assert.match(CONFLICTS_CTE, /\('AccessShareLock'::text, '\{AccessExclusiveLock\}'::text\[\]\)/);
    assert.match(CONFLICTS_CTE, /\('ShareUpdateExclusiveLock', '\{ShareUpdateExclusiveLock,ShareLock,ShareRowExclusiveLock,ExclusiveLock,AccessExclusiveLock\}'\)/);
  });
  it('keeps src/inspector free of vscode', () => {
    for (const f of tsFiles(join(root, 'src/inspector'))) assert.doesNotMatch(readFileSync(f, 'utf8'), /from ['"]vscode['"]/, f);
  });
  it('parses what the server built, tolerating nulls', () => {
    const w = wraparoundQuery.parse({ freezeMaxAge: 200000000, failsafeAge: null, database: { name: 'd', ageXid: 5 }, databases: null, tables: [
      { relation: 'pg_toast.pg_toast_1', toastOf: 'public.t', ageXid: 110012, freezeMaxAge: 100000, percentOfFreezeMaxAge: 110, autovacuumForced: true, ageMxid: 1, sizeBytesEstimate: 8192 }] }, ctx(150000));
    assert.equal(w.tables[0].toastOf, 'public.t');
    assert.equal(w.failsafeAge, null);
    assert.deepEqual(w.databases, []);
    const x = xminHoldersQuery.parse({ total: 12, holders: [{ kind: 'backend', id: '17', pid: 17, xmin: 743, ageXid: 2, state: 'idle in transaction', holdsBack: 'all', fix: 'f' }] }, ctx(150000));
    assert.equal(x.omitted, 11);
    assert.equal(x.holders[0].pid, 17);
    assert.deepEqual(deadTuplesQuery.parse(null, ctx(150000)), []);
  });
});
