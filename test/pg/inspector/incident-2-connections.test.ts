// Incident 2 (and the end of incident 1): connection exhaustion. A migration holds AccessExclusiveLock, application
// sessions pile up behind it until the server refuses new ones. On 16+ a pg_monitor role granted
// pg_use_reserved_connections still gets in and sees the pile-up; on 13/15 only superusers may use the reserved
// slots, and the refusal comes with a message that explains the reserved-connection roles.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startCluster } from '../../../src/cluster/pgcluster.js';
import { inspectCommand } from '../../../src/cli/inspect.js';
import { connect } from '../../../src/inspector/connection.js';
import { missingMajor, pgMajors } from '../../support/pg.js';
import { Incident, targetFor, timedSnapshot } from '../../support/inspector-fixtures.js';

for (const major of pgMajors()) {
  describe(`incident 2: connection slots exhausted (PostgreSQL ${major})`, () => {
    it(major >= 16 ? 'lets a pg_monitor role with pg_use_reserved_connections in' : 'explains why the pg_monitor role is refused',
      { timeout: 90_000 }, async (t) => {
        const missing = missingMajor(major);
        if (missing) return t.skip(missing);
        const settings: Record<string, number> = { max_connections: 12, superuser_reserved_connections: 2 };
        if (major >= 16) settings.reserved_connections = 2;
        const cluster = await startCluster({ major, name: `insp2-${major}`, settings });
        const inc = new Incident(cluster);
        const refused: string[] = [];
        try {
          const admin = await inc.adminClient();
          await admin.query(`CREATE ROLE app LOGIN; CREATE ROLE monitor LOGIN IN ROLE pg_monitor; CREATE ROLE monitor_noreserve LOGIN IN ROLE pg_monitor;
            CREATE TABLE hot (id int); INSERT INTO hot SELECT generate_series(1, 100); ALTER TABLE hot OWNER TO app;`);
          if (major >= 16) await admin.query('GRANT pg_use_reserved_connections TO monitor');

          const migration = await inc.client('migration', { user: 'app' });
          const migrationPid = await inc.pidOf(migration);
          await migration.query('BEGIN');
          await migration.query('ALTER TABLE hot ADD COLUMN note text');
          // application sessions until the server refuses one
          for (let i = 0; i < 20; i++) {
            let c: pg.Client;
            try {
              c = await inc.client(`web-${i}`, { user: 'app' });
            } catch (e) {
              refused.push((e as Error).message);
              break;
            }
            const pid = await inc.pidOf(c);
            void inc.fire(c, 'SELECT count(*) FROM hot');
            await inc.waitUntilWaiting(pid);
          }
          assert.equal(refused.length, 1, 'an application session was refused');
          assert.match(refused[0], /remaining connection slots are reserved/);

          const target = targetFor(cluster, { user: 'monitor' });
          if (major >= 16) {
            const noReserve = await connect(targetFor(cluster, { user: 'monitor_noreserve' }));
            assert.equal(noReserve.ok, false);
            assert.equal(!noReserve.ok && noReserve.error.code, 'too-many-connections');
            assert.match(!noReserve.ok ? noReserve.error.message : '', /pg_use_reserved_connections.*GRANT pg_monitor, pg_use_reserved_connections TO monitor_noreserve/);

            const session = inc.session(target);
            const { snap, ms } = await timedSnapshot(session, 'incident2');
            t.diagnostic(`snapshot during incident 2 on PostgreSQL ${major}: ${ms.toFixed(1)} ms`);
            assert.ok(ms < 2000, `snapshot took ${ms} ms`);
            assert.equal(snap.privileges.level, 'monitor');
            assert.equal(snap.privileges.useReservedConnections, true);
            assert.equal(snap.privileges.canUseReservedSlots, true);
            const c = snap.connections;
            assert.equal(c.max, 12);
            assert.equal(c.reservedSuperuser, 2);
            assert.equal(c.reserved, 2);
            assert.ok(c.freeForNormalRoles <= 0, JSON.stringify(c));
            assert.ok(c.waiting >= 6, JSON.stringify(c));
            assert.equal(c.idleInTransaction, 1);
            assert.equal(snap.alerts[0].kind, 'connections-exhausted');
            assert.equal(snap.blocking[0].pid, migrationPid);
            assert.equal(snap.blocking[0].root, true);
            assert.ok(snap.blocking[0].blocksTotal >= 6);
            const q = snap.lockQueues.find((x) => x.relation === 'public.hot');
            assert.ok(q?.waiters.every((w) => w.reason === 'held' && w.heldBy[0] === migrationPid));
            // the way out, from inside the incident: terminate the migration, on the same connection (a second one
            // would be refused). Without pg_signal_backend the role is told what it lacks.
            const denied = await session.terminate(migrationPid);
            assert.equal(!denied.ok && denied.error.code, 'permission');
            assert.match(!denied.ok ? denied.error.message : '', /pg_signal_backend/);
            await admin.query('GRANT pg_signal_backend TO monitor');
            const r = await session.terminate(migrationPid);
            assert.ok(r.ok, JSON.stringify(r));
            const drained = await timedSnapshot(session, 'incident2 after terminate');
            assert.ok(drained.snap.blocking.every((n) => n.pid !== migrationPid));
          } else {
            const r = await connect(target);
            assert.equal(r.ok, false);
            assert.equal(!r.ok && r.error.code, 'too-many-connections');
            assert.match(!r.ok ? r.error.message : '', /reserved for superusers \(superuser_reserved_connections\).*Before PostgreSQL 16 only superusers/);
            // the CLI: exit 2 with one line
            const io = { out: '', err: '', cwd: process.cwd(), isTTY: false, env: {} as NodeJS.ProcessEnv,
              stdout(s: string) { io.out += s; }, stderr(s: string) { io.err += s; }, readStdin: async () => '' };
            assert.equal(await inspectCommand(['--db', cluster.url('postgres', 'monitor')], io), 2);
            assert.equal(io.out, '');
            assert.equal(io.err.trim().split('\n').length, 1, io.err);
            assert.match(io.err, /^pg-preflight inspect: cannot inspect postgresql:\/\/monitor@127\.0\.0\.1:\d+\/postgres: the server is out of connection slots/);
            // a superuser still gets in through superuser_reserved_connections
            const session = inc.session(targetFor(cluster));
            const { snap, ms } = await timedSnapshot(session, 'incident2 superuser');
            t.diagnostic(`snapshot during incident 2 on PostgreSQL ${major} (superuser): ${ms.toFixed(1)} ms`);
            assert.ok(ms < 2000);
            assert.equal(snap.blocking[0].pid, migrationPid);
            assert.equal(snap.alerts[0].kind, 'connections-exhausted');
          }
        } finally {
          await inc.cleanup();
          await cluster.stop();
        }
      });
  });
}
