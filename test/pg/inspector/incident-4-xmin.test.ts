// Incident 4: VACUUM cannot remove a queue table's dead tuples because something holds the xmin horizon. Three
// holders at once: an idle REPEATABLE READ transaction, an orphaned prepared transaction (which also holds locks:
// a migration waits for it, pid 0 in pg_blocking_pids), and a logical slot (catalog_xmin: system catalogs only).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from '../../../src/cluster/pgcluster.js';
import { missingMajor, pgMajors } from '../../support/pg.js';
import { Incident, targetFor, timedSnapshot, waitFor } from '../../support/inspector-fixtures.js';

for (const major of pgMajors()) {
  describe(`incident 4: xmin horizon held, dead tuples pile up (PostgreSQL ${major})`, () => {
    it('lists backend, prepared and slot-catalog holders, the dead tuples, and the prepared transaction as a blocker', { timeout: 90_000 }, async (t) => {
      const missing = missingMajor(major);
      if (missing) return t.skip(missing);
      const cluster = await startCluster({ major, name: `insp4-${major}` });
      const inc = new Incident(cluster);
      try {
        const admin = await inc.adminClient();
        await admin.query(`CREATE TABLE jobs (id bigint PRIMARY KEY, payload text) WITH (autovacuum_enabled = false)`);
        // The slot first: creating a logical slot waits for every transaction that has an XID, prepared ones included.
        await admin.query(`SELECT pg_create_logical_replication_slot('cdc_stuck', 'test_decoding')`);
        const prep = await inc.client('deploy');
        await prep.query(`BEGIN; INSERT INTO jobs VALUES (0, 'marker'); PREPARE TRANSACTION 'deploy-42'`);
        const report = await inc.client('report-job');
        const reportPid = await inc.pidOf(report);
        await report.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await report.query('SELECT count(*) FROM jobs');
        await admin.query(`INSERT INTO jobs SELECT g, repeat('x', 50) FROM generate_series(1, 20000) g`);
        await admin.query('DELETE FROM jobs WHERE id > 0');
        await admin.query('VACUUM jobs');
        const migration = await inc.client('migration');
        const migrationPid = await inc.pidOf(migration);
        void inc.fire(migration, 'ALTER TABLE jobs ADD COLUMN priority int');
        await inc.waitUntilWaiting(migrationPid);

        // Polled: no reuse of the (catalog-wide, normally 30 s) dead-tuple section between snapshots.
        const session = inc.session(targetFor(cluster), { slowSectionsMaxAgeMs: 0 });
        // Statistics lag (13's collector, 15+'s pending stats flushed within a second): poll, bounded.
        const dead = await waitFor('n_dead_tup of public.jobs', async () => {
          const r = await session.snapshot();
          return r.ok && r.value.deadTuples.find((d) => d.relation === 'public.jobs' && d.dead >= 20000);
        }, 15000, 200);
        assert.equal(dead.autovacuumEnabled, false);
        const { snap, ms } = await timedSnapshot(session, 'incident4');
        t.diagnostic(`snapshot during incident 4 on PostgreSQL ${major}: ${ms.toFixed(1)} ms`);
        assert.ok(ms < 2000, `snapshot took ${ms} ms`);

        const kinds = new Set(snap.xminHolders.map((h) => h.kind));
        for (const k of ['backend', 'prepared', 'slot-catalog'] as const) assert.ok(kinds.has(k), `${k} in ${[...kinds]}`);
        const rr = snap.xminHolders.find((h) => h.kind === 'backend' && h.pid === reportPid);
        assert.ok(rr, JSON.stringify(snap.xminHolders));
        assert.equal(rr.id, String(reportPid));
        assert.equal(rr.state, 'idle in transaction');
        assert.equal(rr.holdsBack, 'all');
        assert.match(rr.fix, new RegExp(`pg_terminate_backend\\(${reportPid}\\)`));
        const px = snap.xminHolders.find((h) => h.kind === 'prepared');
        assert.equal(px?.id, 'deploy-42');
        assert.equal(px?.fix, `ROLLBACK PREPARED 'deploy-42'`);
        const slot = snap.xminHolders.find((h) => h.kind === 'slot-catalog');
        assert.equal(slot?.id, 'cdc_stuck');
        assert.equal(slot?.holdsBack, 'catalogs');
        assert.equal(slot?.active, false);
        assert.equal(slot?.plugin, 'test_decoding');
        for (const h of snap.xminHolders) assert.ok(h.xmin > 0 && h.ageXid >= 0, JSON.stringify(h));
        // oldest first
        const ages = snap.xminHolders.map((h) => h.ageXid);
        assert.deepEqual(ages, [...ages].sort((a, b) => b - a));

        // the prepared transaction blocks the migration: its own node, pid 0, with its gid
        const pnode = snap.blocking.find((n) => n.kind === 'prepared');
        assert.ok(pnode, JSON.stringify(snap.blocking));
        assert.equal(pnode.pid, 0);
        assert.equal(pnode.gid, 'deploy-42');
        assert.equal(pnode.root, true);
        // the idle RR report also holds AccessShareLock on jobs (it read it): both hold the ALTER
        const mnode = snap.blocking.find((n) => n.pid === migrationPid);
        assert.deepEqual([...(mnode?.blockedBy ?? [])].sort((a, b) => a - b), [0, reportPid]);
        assert.ok(snap.blocking.find((n) => n.pid === reportPid)?.root);
        assert.deepEqual(mnode?.blockedByPrepared, ['deploy-42']);
        const q = snap.lockQueues.find((x) => x.relation === 'public.jobs');
        assert.equal(q?.waiters[0].reason, 'held');
        assert.deepEqual(q?.waiters[0].heldBy, [0, reportPid]);
        assert.ok(q?.holders.some((h) => h.pid === 0 && h.gid === 'deploy-42'), JSON.stringify(q?.holders));
        assert.ok(snap.alerts.some((a) => a.kind === 'prepared-xact-blocking'));
        assert.ok(snap.alerts.some((a) => a.kind === 'inactive-slot'));
        // an action cannot signal a prepared transaction: it says how to end it
        const r = await session.cancel(0);
        assert.equal(!r.ok && r.error.code, 'invalid');
        assert.match(!r.ok ? r.error.message : '', /ROLLBACK PREPARED/);
      } finally {
        await inc.cleanup();
        await cluster.stop();
      }
    });
  });
}
