// snapshot() over a scripted client: sections that fail become notes, a lost connection fails the snapshot, the time
// budget skips what is left, slow sections are reused by a session, plain roles get told what they miss.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InspectorSession, snapshot } from '../../../src/inspector/inspector.js';
import { resolveTarget, type Connection } from '../../../src/inspector/connection.js';
import { ok, type InspectorClient } from '../../../src/inspector/types.js';

const MARKERS: [string, string][] = [
  ['server', "'privileges', json_build_object("], ['blocking', "'preparedGids'"], ['lockQueues', "'contestedTotal'"],
  ['connections', "'reservedSuperuser'"], ['backups', "'bbPhase'"], ['copyProgress', 'pg_stat_progress_copy'],
  ['vacuums', 'pg_stat_progress_cluster'], ['indexBuilds', "'currentLockerPid'"], ['sessions', "'byBackendType'"],
  ['xminHolders', "'slot-catalog'"], ['wraparound', "'failsafeAge'"], ['deadTuples', 'pg_stat_get_dead_tuples'], ['invalidIndexes', 'pg_get_indexdef'],
];

const server = (over: Record<string, unknown> = {}) => ({
  version: '13.23', versionNum: 130023, uptime: 5, startedAt: 'x', database: 'shop', user: 'plain', inRecovery: false, tls: false, pid: 1,
  session: { readOnly: true, lockTimeout: '1s', statementTimeout: '5s', applicationName: 'pg-preflight' }, settings: {},
  privileges: { superuser: false, pgMonitor: false, readAllStats: false, signalBackend: false, useReservedConnections: null }, ...over,
});

function scripted(answers: Partial<Record<string, unknown | (() => unknown)>>, asked: string[] = []): InspectorClient {
  return {
    async query<R>(text: string) {
      const section = MARKERS.find(([, m]) => text.includes(m))?.[0] ?? 'unknown';
      asked.push(section);
      const a = answers[section];
      const j = typeof a === 'function' ? (a as () => unknown)() : a ?? (section === 'server' ? server() : null);
      return { rows: [{ j }] as R[] };
    },
  };
}

describe('snapshot', () => {
  it('asks every question once, skips COPY progress and lock queues when they cannot matter', async () => {
    const asked: string[] = [];
    const r = await snapshot(scripted({ blocking: { waitersTotal: 0, edges: [], sessions: [] } }, asked));
    assert.ok(r.ok);
    assert.deepEqual(asked, ['server', 'blocking', 'connections', 'backups', 'vacuums', 'indexBuilds', 'sessions', 'xminHolders', 'wraparound', 'deadTuples', 'invalidIndexes']);
    assert.equal(r.ok && r.value.privileges.level, 'plain');
    assert.equal(r.ok && r.value.server.target, 'shop');
  });
  it('turns a failing section into a note, keeps the others', async () => {
    const r = await snapshot(scripted({
      vacuums: () => { throw Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }); },
      xminHolders: { total: 1, holders: [{ kind: 'prepared', id: 'g', xmin: 5, ageXid: 1, database: 'shop', holdsBack: 'all', fix: "ROLLBACK PREPARED 'g'" }] },
    }));
    assert.ok(r.ok);
    const s = r.ok ? r.value : undefined!;
    assert.deepEqual(s.vacuums, []);
    assert.equal(s.xminHolders[0].id, 'g');
    const note = s.notes.find((n) => n.section === 'vacuums')!;
    assert.equal(note.level, 'error');
    assert.match(note.message, /waited longer than lock_timeout \(1s\)/);
    // plain role and PostgreSQL 13: what is missing is said per section
    assert.ok(s.notes.some((n) => n.section === 'vacuums' && /grant pg_monitor \(or pg_read_all_stats\) to plain/.test(n.message)));
    assert.ok(s.notes.some((n) => n.section === 'backups' && /COPY progress needs PostgreSQL 14/.test(n.message)));
    assert.ok(s.notes.some((n) => n.section === 'connections' && /only superusers get in before PostgreSQL 16/.test(n.message)));
  });
  it('fails with a readable reason when the connection is lost', async () => {
    const r = await snapshot(scripted({ sessions: () => { throw new Error('Connection terminated unexpectedly'); } }));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'lost');
    const r2 = await snapshot(scripted({ server: () => { throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }); } }));
    assert.equal(!r2.ok && r2.error.code, 'lost');
  });
  it('skips what is left once the time budget is used up', async () => {
    const slow: InspectorClient = {
      async query<R>(text: string) {
        await new Promise((res) => setTimeout(res, 30));
        return scripted({}).query<R>(text);
      },
    };
    const r = await snapshot(slow, { budgetMs: 50 });
    assert.ok(r.ok);
    const skipped = r.ok ? r.value.notes.filter((n) => /used up its 50 ms budget/.test(n.message)).map((n) => n.section) : [];
    assert.ok(skipped.includes('invalidIndexes') && !skipped.includes('blocking'), skipped.join());
  });
  it('a session reuses the catalog-wide sections for 30 s, over one connection, and reconnects after a loss', async () => {
    const asked: string[] = [];
    let opened = 0;
    let lose = false;
    const target = resolveTarget({ db: 'postgres://u@h/d' }, { env: {} });
    const session = new InspectorSession(target, {
      open: async () => {
        opened++;
        let broken = false;
        const inner = scripted({ wraparound: { freezeMaxAge: 1, database: { name: 'shop' }, tables: [] } }, asked);
        const conn: Connection = {
          client: { query: async <R>(t: string) => { if (lose) { lose = false; broken = true; throw new Error('Connection terminated unexpectedly'); } return inner.query<R>(t); } },
          target, pid: 1, tls: false, get broken() { return broken; }, close: async () => { broken = true; },
        };
        return ok(conn);
      },
    });
    const [a, b] = await Promise.all([session.snapshot(), session.snapshot()]);
    assert.ok(a.ok && b.ok);
    assert.equal(opened, 1, 'serialised calls share the connection');
    assert.equal(asked.filter((x) => x === 'wraparound').length, 1);
    assert.equal(b.ok && Object.keys(b.value.server.reused).sort().join(), 'deadTuples,wraparound');
    lose = true;
    const c = await session.snapshot();
    assert.equal(!c.ok && c.error.code, 'lost');
    const d = await session.snapshot();
    assert.ok(d.ok);
    assert.equal(opened, 2);
    session.invalidate();
    await session.snapshot();
    assert.equal(asked.filter((x) => x === 'wraparound').length, 2);
    const ro = new InspectorSession({ ...target, readOnly: true }, { open: async () => { throw new Error('must not connect'); } });
    const refused = await ro.cancel(5);
    assert.equal(!refused.ok && refused.error.code, 'read-only');
    await session.close();
  });
});
