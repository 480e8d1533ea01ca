// Incident 4's other face: the xmin horizon held by a hot standby. A standby with hot_standby_feedback reports its
// oldest snapshot to the primary, and VACUUM on the primary keeps every row that snapshot may see: through the
// standby's physical replication slot (the slot's xmin) or, without a slot, through its walsender (backend_xmin).
// Two real standbys of the cluster (streaming replication from a base backup), each with a REPEATABLE READ
// transaction open; the inspector on the primary names both, and tells to release them on the standby.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startCluster, type Cluster } from '../../../src/cluster/pgcluster.js';
import { missingMajor, pgMajors } from '../../support/pg.js';
import { Incident, targetFor, timedSnapshot, waitFor } from '../../support/inspector-fixtures.js';

for (const major of pgMajors()) {
  describe(`xmin horizon held by hot standbys (PostgreSQL ${major})`, () => {
    it('names the standby behind a physical slot and the one without a slot, and where to release them', { timeout: 120_000 }, async (t) => {
      const missing = missingMajor(major);
      if (missing) return t.skip(missing);
      const primary = await startCluster({ major, name: `xsb-${major}` });
      const inc = new Incident(primary);
      const standbys: Cluster[] = [];
      const readers: pg.Client[] = [];
      try {
        const admin = await inc.adminClient();
        await admin.query(`CREATE TABLE jobs (id bigint PRIMARY KEY, payload text) WITH (autovacuum_enabled = false)`);
        await admin.query(`INSERT INTO jobs SELECT g, 'x' FROM generate_series(1, 1000) g`);
        // The slot reserves WAL from now on, so the standby can stream from its base backup's start.
        await admin.query(`SELECT pg_create_physical_replication_slot('replica_a_slot', true)`);
        standbys.push(await startCluster({ name: `xsb-a-${major}`, standbyOf: { primary, slot: 'replica_a_slot', applicationName: 'replica-a', hotStandbyFeedback: true } }));
        standbys.push(await startCluster({ name: `xsb-b-${major}`, standbyOf: { primary, applicationName: 'replica-b', hotStandbyFeedback: true } }));
        for (const s of standbys) {
          const c = await s.connect({ application_name: 'report' });
          assert.equal((await c.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, true, 'a standby');
          readers.push(c);
        }
        await waitFor('both standbys streaming', async () =>
          (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'`)).rows[0].n === 2, 30000, 100);

        // A long report on each standby: a REPEATABLE READ snapshot that stays open.
        const xid = async () => Number((await admin.query('SELECT txid_current()::text AS x')).rows[0].x);
        const before = await xid();
        await waitFor('the standbys to replay up to the table', async () => {
          for (const c of readers) if ((await c.query(`SELECT to_regclass('public.jobs') IS NOT NULL AS ok`)).rows[0].ok !== true) return false;
          return true;
        }, 30000, 100);
        for (const c of readers) {
          await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
          await c.query('SELECT count(*) FROM jobs');
        }
        // Later transactions on the primary: the horizon the standbys hold is now older than the newest XID.
        for (let i = 0; i < 20; i++) await xid();
        await admin.query('DELETE FROM jobs');

        // Feedback reaches the primary within wal_receiver_status_interval (1 s here): poll, bounded.
        const session = inc.session(targetFor(primary));
        const snap = await waitFor('both standbys\' feedback in the xmin holders', async () => {
          const r = await session.snapshot();
          if (!r.ok) return false;
          const kinds = r.value.xminHolders.map((h) => h.kind);
          return kinds.includes('slot') && kinds.includes('standby') && r.value;
        }, 30000, 200);
        const { ms } = await timedSnapshot(session, 'xmin-standby');
        t.diagnostic(`snapshot with two standbys on PostgreSQL ${major}: ${ms.toFixed(1)} ms`);

        const slot = snap.xminHolders.find((h) => h.kind === 'slot');
        assert.ok(slot, JSON.stringify(snap.xminHolders));
        assert.equal(slot.id, 'replica_a_slot');
        assert.equal(slot.slotType, 'physical');
        assert.equal(slot.active, true);
        assert.equal(slot.application, 'replica-a');
        assert.equal(slot.holdsBack, 'all');
        assert.ok(slot.xmin > 0 && slot.xmin <= before, `the slot holds the standby's snapshot xmin ${slot.xmin} (≤ ${before})`);
        assert.ok(slot.ageXid >= 20, `age ${slot.ageXid}`);
        assert.match(slot.fix, /^-- on the standby 'replica-a' .*hot_standby_feedback = off/);
        assert.doesNotMatch(slot.fix, /pg_drop_replication_slot/, 'an active slot in use by its standby is not dropped');

        const walsender = snap.xminHolders.find((h) => h.kind === 'standby');
        assert.ok(walsender, JSON.stringify(snap.xminHolders));
        assert.equal(walsender.application, 'replica-b');
        const walsenderPid = (await admin.query(`SELECT pid FROM pg_stat_replication WHERE application_name = 'replica-b'`)).rows[0].pid;
        assert.equal(walsender.pid, walsenderPid);
        assert.equal(walsender.holdsBack, 'all');
        assert.ok(walsender.xmin > 0 && walsender.xmin <= before, `the walsender holds the standby's snapshot xmin ${walsender.xmin}`);
        assert.match(walsender.fix, /^-- on the standby 'replica-b' .*SELECT pg_terminate_backend\(pid\) FROM pg_stat_activity/);
        // No slot, no inactive-slot alert: both slots in use.
        assert.ok(!snap.alerts.some((a) => a.kind === 'inactive-slot'), JSON.stringify(snap.alerts));

        // What they cost: VACUUM on the primary cannot remove the rows the standbys' snapshots may still see.
        await admin.query('VACUUM jobs');
        const dead = await waitFor('n_dead_tup of jobs after VACUUM', async () => {
          const r = (await admin.query(`SELECT n_dead_tup::int AS d FROM pg_stat_user_tables WHERE relname = 'jobs'`)).rows[0];
          return r && r.d >= 1000 ? r.d : undefined;
        }, 15000, 200);
        assert.ok(dead >= 1000, `${dead} dead tuples kept`);

        // Ending the reports on the standbys releases the horizon: their feedback moves up to what they replayed.
        for (const c of readers) await c.query('COMMIT');
        const held = Math.max(slot.xmin, walsender.xmin);
        await waitFor('the standbys\' horizon to move on', async () => {
          const r = await session.snapshot();
          const mine = r.ok ? r.value.xminHolders.filter((h) => h.kind === 'slot' || h.kind === 'standby') : [];
          return r.ok && mine.every((h) => h.xmin > held);
        }, 30000, 200);
      } finally {
        for (const c of readers) await c.end().catch(() => undefined);
        for (const s of standbys) await s.stop().catch(() => undefined);
        await inc.cleanup();
        await primary.stop();
      }
    });
  });
}
