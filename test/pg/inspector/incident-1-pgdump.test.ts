// Incident 1: a parallel pg_dump holds AccessShareLock on every table, a migration's ALTER COLUMN TYPE queues for
// AccessExclusiveLock behind it, and every SELECT queues behind the ALTER. The real `pg_dump -j 2 -Fd` (Debian's 15)
// on 13 and 15, frozen with SIGSTOP once a worker is copying articles; the imitation of postgres-facts.md §2a on 16+.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startCluster } from '../../../src/cluster/pgcluster.js';
import { inspectCommand } from '../../../src/cli/inspect.js';
import { missingMajor, pgMajors } from '../../support/pg.js';
import { DEBIAN_PG15_BIN, Incident, imitatePgDump, targetFor, timedSnapshot, tmpDir, waitFor } from '../../support/inspector-fixtures.js';

const TABLES = ['public.articles', 'public.authors', 'public.comments', 'public.tags'];

for (const major of pgMajors()) {
  describe(`incident 1: pg_dump, ALTER TYPE waiting, SELECTs queued (PostgreSQL ${major})`, () => {
    it('shows the dump as root blocker, the ALTER held, the SELECTs queued, and the backup', { timeout: 120_000 }, async (t) => {
      const missing = missingMajor(major);
      if (missing) return t.skip(missing);
      const realDump = major <= 15 && fs.existsSync(path.join(DEBIAN_PG15_BIN, 'pg_dump'));
      const cluster = await startCluster({ major, name: `insp1-${major}` });
      const inc = new Incident(cluster);
      const dumpDir = tmpDir('dump');
      try {
        const admin = await inc.adminClient();
        await admin.query(`
          CREATE TABLE authors (id int PRIMARY KEY, name text);
          CREATE TABLE tags (id serial PRIMARY KEY, name text);
          CREATE TABLE articles (id bigint PRIMARY KEY, author_id int, title text, body text, view_count bigint);
          CREATE TABLE comments (id bigint PRIMARY KEY, article_id bigint, body text);
          INSERT INTO authors SELECT g, 'author ' || g FROM generate_series(1, 1000) g;
          INSERT INTO tags (name) SELECT 'tag ' || g FROM generate_series(1, 100) g;
          INSERT INTO articles SELECT g, g % 1000, 'title ' || g, repeat(md5(g::text), 8), g FROM generate_series(1, 150000) g;
          INSERT INTO comments SELECT g, g, repeat(md5(g::text), 2) FROM generate_series(1, 20000) g;`);
        await admin.query('VACUUM ANALYZE');

        let dumpPids: number[];
        let idleDumpPids: number[] = [];
        if (realDump) {
          const dump = inc.spawn(path.join(DEBIAN_PG15_BIN, 'pg_dump'), ['-j', '2', '-Fd', '-f', path.join(dumpDir, 'out'), '-d', 'postgres'],
            { env: cluster.libpqEnv('postgres') });
          let stderr = '';
          dump.stderr?.on('data', (d) => { stderr += d; });
          // Freeze the dump while a worker copies articles, the moment of incident 1 (pg_dump then holds its locks until it ends).
          await waitFor('a pg_dump worker to COPY public.articles', async () => {
            if (dump.exitCode !== null) throw new Error(`pg_dump exited early (${dump.exitCode}): ${stderr}`);
            return (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'pg_dump' AND query ILIKE 'COPY public.articles%'`)).rowCount;
          }, 30000, 5);
          inc.signalGroup(dump, 'SIGSTOP');
          // The backends finish what they had received before the stop: wait until their states stay put.
          const read = async () => (await admin.query(`SELECT pid, state FROM pg_stat_activity WHERE application_name = 'pg_dump' ORDER BY pid`)).rows;
          let sessions = await read();
          await waitFor('the pg_dump sessions to settle', async () => {
            await new Promise((r) => setTimeout(r, 50));
            const again = await read();
            const same = JSON.stringify(again) === JSON.stringify(sessions);
            sessions = again;
            return same;
          }, 10000, 0);
          // A worker still setting up when SIGSTOP lands has not opened its transaction yet: an idle session holds
          // nothing and is no backup (the inspector leaves it out, checked below).
          dumpPids = sessions.filter((r) => r.state !== 'idle').map((r) => r.pid);
          idleDumpPids = sessions.filter((r) => r.state === 'idle').map((r) => r.pid);
          assert.ok(dumpPids.length >= 2, `pg_dump leader and at least one worker, got ${JSON.stringify(sessions)}`);
        } else {
          const d = await imitatePgDump(inc, TABLES, 'public.articles');
          dumpPids = [d.leader, d.worker];
        }

        let basebackupPid: number | undefined;
        if (major <= 15 && fs.existsSync(path.join(DEBIAN_PG15_BIN, 'pg_basebackup'))) {
          // A throttled base backup (32 kB/s) streams for minutes; its walsender shows up with pg_stat_progress_basebackup.
          inc.spawn(path.join(DEBIAN_PG15_BIN, 'pg_basebackup'), ['-D', path.join(dumpDir, 'base'), '-X', 'none', '-r', '32k', '-c', 'fast'],
            { env: cluster.libpqEnv('postgres') });
          basebackupPid = await waitFor('the base backup to stream', async () =>
            (await admin.query('SELECT pid FROM pg_stat_progress_basebackup')).rows[0]?.pid, 20000);
        }

        const migration = await inc.client('migration');
        const migrationPid = await inc.pidOf(migration);
        void inc.fire(migration, 'ALTER TABLE articles ALTER COLUMN view_count TYPE integer');
        await inc.waitUntilWaiting(migrationPid);
        const webPids: number[] = [];
        for (const app of ['web-1', 'web-2', 'web-3']) {
          const web = await inc.client(app);
          const pid = await inc.pidOf(web);
          void inc.fire(web, 'SELECT count(*) FROM articles WHERE id < 100');
          await inc.waitUntilWaiting(pid);
          webPids.push(pid);
        }

        const session = inc.session(targetFor(cluster));
        await timedSnapshot(session, `incident1 warm-up`);
        const { snap, ms } = await timedSnapshot(session, 'incident1');
        t.diagnostic(`snapshot during incident 1 on PostgreSQL ${major}: ${ms.toFixed(1)} ms (server-side ${snap.server.durationMs} ms)`);
        assert.ok(ms < 2000, `snapshot took ${ms} ms`);
        assert.equal(snap.server.versionNum >= major * 10000, true);
        assert.equal(snap.server.session.readOnly, true);
        assert.equal(snap.server.session.applicationName, 'pg-preflight');

        // lock queue: the ALTER is held by the dump, the SELECTs are queued behind the ALTER
        const q = snap.lockQueues.find((x) => x.relation === 'public.articles');
        assert.ok(q, `a lock queue on public.articles: ${JSON.stringify(snap.lockQueues.map((x) => x.relation))}`);
        const [head, ...rest] = q.waiters;
        assert.equal(head.pid, migrationPid);
        assert.equal(head.mode, 'AccessExclusiveLock');
        assert.equal(head.reason, 'held');
        assert.equal(head.position, 1);
        assert.ok(head.heldBy.length >= 1 && head.heldBy.every((p) => dumpPids.includes(p)), `held by the dump: ${head.heldBy} vs ${dumpPids}`);
        if (rest.length !== webPids.length) {
          // Say what the server had, so that a difference can be told from a race in this test.
          const locks = (await admin.query(`SELECT pid, relation::regclass::text AS rel, mode, granted FROM pg_locks WHERE locktype = 'relation' AND pid = ANY($1)`, [webPids])).rows;
          assert.fail(`waiters ${JSON.stringify(q.waiters)}; the SELECTs' relation locks now: ${JSON.stringify(locks)}`);
        }
        assert.deepEqual(rest.map((w) => w.pid).sort(), [...webPids].sort());
        for (const w of rest) {
          assert.equal(w.reason, 'queued', JSON.stringify(w));
          assert.equal(w.mode, 'AccessShareLock');
          assert.deepEqual(w.queuedBehind, [migrationPid]);
          assert.deepEqual(w.heldBy, []);
        }
        assert.ok(q.holders.some((h) => dumpPids.includes(h.pid) && h.mode === 'AccessShareLock' && h.blocksWaiters));
        assert.equal(q.headBlocks, 'reads and writes');

        // backups: the dump's leader holds every table, its worker(s) one
        const dumps = snap.backups.filter((b) => b.kind === 'pg_dump');
        assert.deepEqual(dumps.map((b) => b.pid).sort(), [...dumpPids].sort());
        for (const pid of idleDumpPids) assert.ok(!snap.backups.some((b) => b.pid === pid), `idle pg_dump session ${pid} is no backup`);
        const leader = dumps.find((b) => b.role === 'leader');
        assert.ok(leader, JSON.stringify(dumps));
        for (const tbl of TABLES) assert.ok(leader.relations.includes(tbl), `${tbl} in ${leader.relations}`);
        assert.ok(leader.contested.includes('public.articles'));
        assert.ok(dumps.some((b) => b.role === 'worker'));
        if (major >= 14) {
          const copying = dumps.find((b) => b.copy);
          if (copying) assert.equal(copying.copy?.relation, 'public.articles');
        }
        if (basebackupPid) {
          const bb = snap.backups.find((b) => b.kind === 'basebackup');
          assert.equal(bb?.pid, basebackupPid);
          assert.ok(bb?.basebackup?.phase, JSON.stringify(bb));
        }

        // blocking tree: the dump at the roots, the ALTER under it, the SELECTs under the ALTER
        const roots = snap.blocking.filter((n) => n.root);
        assert.ok(roots.length >= 1 && roots.every((n) => dumpPids.includes(n.pid)), JSON.stringify(roots.map((n) => n.pid)));
        assert.ok(snap.blocking.findIndex((n) => !n.root) > roots.length - 1, 'roots first');
        const alter = snap.blocking.find((n) => n.pid === migrationPid);
        assert.ok(alter && alter.blockedBy.every((p) => dumpPids.includes(p)) && alter.blocks === 3, JSON.stringify(alter));
        for (const p of webPids) assert.deepEqual(snap.blocking.find((n) => n.pid === p)?.blockedBy, [migrationPid]);

        assert.equal(snap.alerts[0]?.kind, 'lock-pile-up');
        assert.equal(snap.alerts[0]?.relation, 'public.articles');

        // the CLI, during the incident: JSON with the contract's keys, and a text report leading with the pile-up
        const io = { out: '', err: '', cwd: process.cwd(), isTTY: false, env: {} as NodeJS.ProcessEnv,
          stdout(s: string) { io.out += s; }, stderr(s: string) { io.err += s; }, readStdin: async () => '' };
        assert.equal(await inspectCommand(['--db', cluster.url(), '--format', 'json'], io), 0, io.err);
        const json = JSON.parse(io.out);
        for (const k of ['server', 'sessions', 'blocking', 'lockQueues', 'backups', 'vacuums', 'wraparound', 'xminHolders', 'deadTuples', 'invalidIndexes', 'connections']) {
          assert.ok(k in json, `JSON key ${k}`);
        }
        assert.ok(json.server.version && json.server.versionNum);
        io.out = '';
        assert.equal(await inspectCommand(['--db', cluster.url()], io), 0, io.err);
        assert.match(io.out.split('ALERTS')[1].split('\n')[1], /critical public\.articles: 3 sessions queued behind the waiting AccessExclusiveLock/);
        assert.match(io.out, /queued behind/);
      } finally {
        await inc.cleanup();
        await cluster.stop();
        fs.rmSync(dumpDir, { recursive: true, force: true });
      }
    });
  });
}
