// Incident 3: an autovacuum "(to prevent wraparound)" holds ShareUpdateExclusiveLock and does not yield; DROP TRIGGER
// holds AccessShareLock and waits for AccessExclusiveLock behind it; every query queues behind the DROP TRIGGER.
// A real anti-wraparound autovacuum: per-table autovacuum_freeze_max_age=100000, 110k XIDs burnt with a DO loop,
// cost settings that keep it crawling (postgres-facts.md §2b). Also: the cancel/terminate guards, and the same
// incident seen by a pg_monitor role and by a plain role.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from '../../../src/cluster/pgcluster.js';
import { missingMajor, pgMajors } from '../../support/pg.js';
import { Incident, targetFor, timedSnapshot, waitFor } from '../../support/inspector-fixtures.js';

for (const major of pgMajors()) {
  describe(`incident 3: anti-wraparound autovacuum vs DROP TRIGGER (PostgreSQL ${major})`, () => {
    it('shows the wraparound vacuum at the root, DROP TRIGGER as holder and waiter, and guards the cancel', { timeout: 120_000 }, async (t) => {
      const missing = missingMajor(major);
      if (missing) return t.skip(missing);
      // The global freeze max age back at its default: only the table's reloption forces a wraparound vacuum,
      // so catalogs and template databases stay quiet.
      const cluster = await startCluster({ major, name: `insp3-${major}`, settings: { autovacuum_freeze_max_age: 200000000, autovacuum_max_workers: 3 } });
      const inc = new Incident(cluster);
      try {
        const admin = await inc.adminClient();
        await admin.query(`
          CREATE TABLE articles (id int PRIMARY KEY, body text) WITH (autovacuum_enabled = false, autovacuum_freeze_max_age = 100000,
            autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1);
          INSERT INTO articles SELECT g, repeat('x', 100) FROM generate_series(1, 100000) g;
          CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
          CREATE TRIGGER articles_audit BEFORE UPDATE ON articles FOR EACH ROW EXECUTE FUNCTION audit();
          CREATE ROLE monitor LOGIN IN ROLE pg_monitor;
          CREATE ROLE plain LOGIN;
          GRANT SELECT ON articles TO plain;`);
        await admin.query('DO $$ BEGIN FOR i IN 1..110000 LOOP PERFORM txid_current(); COMMIT; END LOOP; END $$');
        const vacPid: number = await waitFor('an anti-wraparound autovacuum on articles', async () =>
          (await admin.query(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'
                              AND query ILIKE '%articles%to prevent wraparound%'`)).rows[0]?.pid, 30000, 50);

        const migration = await inc.client('migration');
        const dropPid = await inc.pidOf(migration);
        const dropDone = inc.fire(migration, 'DROP TRIGGER articles_audit ON articles');
        await inc.waitUntilWaiting(dropPid);
        const web = await inc.client('web-2');
        const webPid = await inc.pidOf(web);
        const webDone = inc.fire(web, 'SELECT count(*) FROM articles');
        await inc.waitUntilWaiting(webPid);

        const session = inc.session(targetFor(cluster));
        const { snap, ms } = await timedSnapshot(session, 'incident3');
        t.diagnostic(`snapshot during incident 3 on PostgreSQL ${major}: ${ms.toFixed(1)} ms`);
        assert.ok(ms < 2000, `snapshot took ${ms} ms`);

        const v = snap.vacuums.find((x) => x.pid === vacPid);
        assert.ok(v, JSON.stringify(snap.vacuums));
        assert.equal(v.relation, 'public.articles');
        assert.equal(v.wraparound, true);
        assert.equal(v.auto, true);
        assert.equal(v.full, false);
        assert.ok(v.phase);

        const tbl = snap.wraparound.tables.find((x) => x.relation === 'public.articles');
        assert.ok(tbl && tbl.autovacuumForced && tbl.percentOfFreezeMaxAge > 100 && tbl.freezeMaxAge === 100000, JSON.stringify(tbl));
        assert.equal(snap.wraparound.tables[0].relation, 'public.articles');

        // blocking tree: vacuum -> DROP TRIGGER -> SELECT
        assert.equal(snap.blocking[0].pid, vacPid);
        assert.equal(snap.blocking[0].root, true);
        assert.deepEqual(snap.blocking.find((n) => n.pid === dropPid)?.blockedBy, [vacPid]);
        assert.deepEqual(snap.blocking.find((n) => n.pid === webPid)?.blockedBy, [dropPid]);
        assert.equal(snap.blocking[0].blocksTotal, 2);

        // lock queue: DROP TRIGGER both holds (AccessShare) and waits (AccessExclusive); modes decide, not pids
        const q = snap.lockQueues.find((x) => x.relation === 'public.articles');
        assert.ok(q);
        const vacHold = q.holders.find((h) => h.pid === vacPid);
        assert.equal(vacHold?.mode, 'ShareUpdateExclusiveLock');
        assert.equal(vacHold?.blocksWaiters, true);
        const dropHold = q.holders.find((h) => h.pid === dropPid);
        assert.equal(dropHold?.mode, 'AccessShareLock');
        assert.equal(dropHold?.alsoWaiting, true);
        assert.equal(dropHold?.blocksWaiters, false);
        assert.deepEqual(q.waiters.map((w) => [w.pid, w.mode, w.reason]), [[dropPid, 'AccessExclusiveLock', 'held'], [webPid, 'AccessShareLock', 'queued']]);
        assert.deepEqual(q.waiters[0].heldBy, [vacPid]);
        assert.deepEqual(q.waiters[1].queuedBehind, [dropPid]);

        const kinds = snap.alerts.map((a) => a.kind);
        assert.ok(kinds.includes('wraparound-vacuum-blocking'), kinds.join());
        assert.equal(snap.alerts[0].severity, 'critical');

        // a pg_monitor role sees the same; a plain role sees the shape, and is told what it misses
        const mon = inc.session(targetFor(cluster, { user: 'monitor' }));
        const ms1 = await timedSnapshot(mon, 'incident3 pg_monitor');
        assert.equal(ms1.snap.privileges.level, 'monitor');
        assert.equal(ms1.snap.vacuums.find((x) => x.pid === vacPid)?.wraparound, true);
        assert.equal(ms1.snap.blocking[0].pid, vacPid);
        const plain = inc.session(targetFor(cluster, { user: 'plain' }));
        const ps = await timedSnapshot(plain, 'incident3 plain role');
        assert.ok(ps.ms < 2000);
        assert.equal(ps.snap.privileges.level, 'plain');
        assert.equal(ps.snap.privileges.readAllStats, false);
        assert.ok(ps.snap.notes.some((n) => n.section === 'vacuums' && /pg_read_all_stats/.test(n.message)), JSON.stringify(ps.snap.notes));
        assert.ok(ps.snap.notes.some((n) => n.section === 'blocking' && /query hidden/.test(n.message)));
        const pv = ps.snap.vacuums.find((x) => x.pid === vacPid);
        assert.equal(pv?.relation, null);
        assert.equal(pv?.wraparound, null);
        assert.equal(ps.snap.blocking[0].pid, vacPid, 'the tree shape survives without privileges');
        assert.equal(ps.snap.blocking.find((n) => n.pid === dropPid)?.queryHidden, true);
        const pq = ps.snap.lockQueues.find((x) => x.relation === 'public.articles');
        assert.deepEqual(pq?.waiters.map((w) => w.reason), ['held', 'queued']);

        // actions: refused on a read-only target, refused on the wraparound vacuum without confirmation
        const ro = inc.session(targetFor(cluster, { readOnly: true }));
        const r0 = await ro.cancel(dropPid);
        assert.equal(r0.ok, false);
        assert.equal(!r0.ok && r0.error.code, 'read-only');
        const r1 = await session.cancel(vacPid);
        assert.equal(!r1.ok && r1.error.code, 'wraparound-vacuum', JSON.stringify(r1));
        assert.match(!r1.ok ? r1.error.message : '', /anti-wraparound autovacuum on public\.articles/);
        const r1b = await session.terminate(vacPid);
        assert.equal(!r1b.ok && r1b.error.code, 'wraparound-vacuum');
        const r2 = await plain.cancel(dropPid);
        assert.equal(!r2.ok && r2.error.code, 'permission', JSON.stringify(r2));
        // cancelling the DROP TRIGGER (the advice) drains the queue
        const r3 = await session.cancel(dropPid);
        assert.ok(r3.ok, JSON.stringify(r3));
        assert.match(String(await dropDone), /canceling statement due to user request/);
        assert.equal(await webDone, undefined);
        const r4 = await session.cancel(vacPid, { confirmWraparound: true });
        assert.ok(r4.ok && r4.value.wraparound, JSON.stringify(r4));
        const r5 = await session.cancel(999999);
        assert.equal(!r5.ok && r5.error.code, 'not-found');
        // the snapshot connection is still read-only after the actions
        const after = await timedSnapshot(session, 'incident3 after actions');
        assert.equal(after.snap.server.session.readOnly, true);
      } finally {
        await inc.cleanup();
        await cluster.stop();
      }
    });
  });
}
