// Incident 5: an interrupted index migration. CREATE INDEX CONCURRENTLY waits for an open writer ("waiting for
// writers before build"), is cancelled, and leaves an invalid index; an interrupted REINDEX CONCURRENTLY leaves a
// _ccnew leftover. While a build runs, the index is reported as being built, not as invalid.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from '../../../src/cluster/pgcluster.js';
import { missingMajor, pgMajors } from '../../support/pg.js';
import { Incident, targetFor, timedSnapshot, waitFor } from '../../support/inspector-fixtures.js';

for (const major of pgMajors()) {
  describe(`incident 5: cancelled CREATE INDEX CONCURRENTLY (PostgreSQL ${major})`, () => {
    it('shows the build waiting for the writer, then the invalid index and the _ccnew leftover', { timeout: 90_000 }, async (t) => {
      const missing = missingMajor(major);
      if (missing) return t.skip(missing);
      const cluster = await startCluster({ major, name: `insp5-${major}` });
      const inc = new Incident(cluster);
      try {
        const admin = await inc.adminClient();
        await admin.query(`CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, status text);
          INSERT INTO orders SELECT g, g % 5000, (ARRAY['new','paid','shipped'])[1 + g % 3] FROM generate_series(1, 50000) g;
          CREATE INDEX orders_customer_idx ON orders (customer_id);`);
        const writer = await inc.client('app-writer');
        const writerPid = await inc.pidOf(writer);
        await writer.query(`BEGIN; INSERT INTO orders VALUES (100000, 1, 'new')`);

        const session = inc.session(targetFor(cluster));
        const migration = await inc.client('migration');
        const cicPid = await inc.pidOf(migration);
        const cic = inc.fire(migration, 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status)');
        await waitFor('CREATE INDEX CONCURRENTLY to wait for the writer', async () =>
          (await admin.query(`SELECT 1 FROM pg_stat_progress_create_index WHERE pid = $1 AND current_locker_pid = $2`, [cicPid, writerPid])).rowCount);

        const { snap, ms } = await timedSnapshot(session, 'incident5');
        t.diagnostic(`snapshot during incident 5 on PostgreSQL ${major}: ${ms.toFixed(1)} ms`);
        assert.ok(ms < 2000, `snapshot took ${ms} ms`);
        const b = snap.indexBuilds.find((x) => x.pid === cicPid);
        assert.ok(b, JSON.stringify(snap.indexBuilds));
        assert.equal(b.relation, 'public.orders');
        assert.equal(b.index, 'public.orders_status_idx');
        assert.equal(b.command, 'CREATE INDEX CONCURRENTLY');
        assert.match(b.phase ?? '', /waiting for writers/);
        assert.equal(b.currentLockerPid, writerPid);
        assert.deepEqual(snap.invalidIndexes, [], 'an index being built is not reported as invalid');
        assert.ok(snap.alerts.some((a) => a.kind === 'index-build-waiting' && a.pids?.includes(writerPid)));
        // the build waits on the writer's virtualxid: the writer is a root blocker even without a relation queue
        assert.equal(snap.blocking.find((n) => n.root)?.pid, writerPid);
        assert.deepEqual(snap.blocking.find((n) => n.pid === cicPid)?.blockedBy, [writerPid]);
        assert.equal(snap.blocking.find((n) => n.pid === cicPid)?.waitingFor?.locktype, 'virtualxid');

        const c1 = await session.cancel(cicPid);
        assert.ok(c1.ok, JSON.stringify(c1));
        assert.match(String(await cic), /canceling statement due to user request/);

        const reindex = inc.fire(migration, 'REINDEX INDEX CONCURRENTLY orders_customer_idx');
        await waitFor('REINDEX CONCURRENTLY to wait for the writer', async () =>
          (await admin.query(`SELECT 1 FROM pg_stat_progress_create_index WHERE pid = $1 AND current_locker_pid = $2`, [cicPid, writerPid])).rowCount);
        assert.ok((await session.cancel(cicPid)).ok);
        assert.match(String(await reindex), /canceling statement due to user request/);
        await writer.query('COMMIT');

        const after = await timedSnapshot(session, 'incident5 after cancel');
        const inv = after.snap.invalidIndexes;
        const status = inv.find((i) => i.index === 'public.orders_status_idx');
        assert.ok(status, JSON.stringify(inv));
        assert.equal(status.table, 'public.orders');
        assert.equal(status.valid, false);
        assert.equal(status.reindexLeftover, false);
        assert.match(status.definition, /CREATE INDEX orders_status_idx ON public\.orders USING btree \(status\)/);
        const ccnew = inv.find((i) => i.index === 'public.orders_customer_idx_ccnew');
        assert.ok(ccnew, JSON.stringify(inv));
        assert.equal(ccnew.reindexLeftover, true);
        assert.equal(ccnew.valid, false);
        assert.ok(after.snap.alerts.some((a) => a.kind === 'invalid-index' && /orders_status_idx/.test(a.message)));
      } finally {
        await inc.cleanup();
        await cluster.stop();
      }
    });
  });
}
