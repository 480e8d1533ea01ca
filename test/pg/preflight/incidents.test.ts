// Preflight end to end on real clusters: each incident of /work/shared/incidents reproduced as the inspector's tests
// do (test/support/inspector-fixtures.ts), the incident's migration (examples/migrations) judged against it, the same
// migration on a quiet database, and its safe rewrite (examples/safe) while the incident is live. What is TRUE:
//  1 pg_dump holds articles      002 → no-go (backup pid)           safe 002 (lock_timeout) → wait: it cannot get
//                                                                    its lock until the dump ends, but it cannot
//                                                                    pile up queries either
//  2 long queries, pool near full 002 → no-go (sessions, pile-up)   safe 002 → wait (the queries end by themselves)
//  3 anti-wraparound autovacuum   003 → no-go (wraparound-vacuum)   safe 003 (CREATE OR REPLACE + lock_timeout) → wait
//  4 xmin pinned by idle txn      004 → no-go (names the pinner)     safe 004 (ADD COLUMN only) → go
//  5 invalid leftover index       005 → no-go (IF NOT EXISTS trap,   safe 005 (drop leftover, build, keep old) → go
//                                        drop without cover)
// Plus: a 200-statement migration against a live target in ≤ 1 s, and the CLI contract (exit codes, JSON keys).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startCluster, type Cluster } from '../../../src/cluster/pgcluster.js';
import { preflightCommand } from '../../../src/cli/preflight.js';
import { InspectorSession } from '../../../src/inspector/inspector.js';
import { runPreflight } from '../../../src/preflight/preflight.js';
import type { PreflightReport } from '../../../src/preflight/types.js';
import { formatPreflightMarkdown, formatPreflightText } from '../../../src/preflight/format.js';
import { missingMajor, pgMajors, repoRoot } from '../../support/pg.js';
import { Incident, imitatePgDump, targetFor, waitFor } from '../../support/inspector-fixtures.js';

const ROOT = repoRoot();
const ex = (p: string) => path.join(ROOT, 'examples', p);
const INIT = fs.readFileSync(ex('migrations/001_init.sql'), 'utf8');

async function preflight(cluster: Cluster, files: string[]): Promise<PreflightReport> {
  const session = new InspectorSession(targetFor(cluster), { slowSectionsMaxAgeMs: 0 });
  try {
    const r = await runPreflight({
      files: files.map((f) => ({ path: ex(f), text: fs.readFileSync(ex(f), 'utf8') })),
      config: { useEarlierMigrations: false }, session,
    });
    if (!r.ok) throw new Error(`preflight failed: ${r.error.code}: ${r.error.message}`);
    // both formats render whatever the verdict
    assert.match(formatPreflightMarkdown(r.value), /^# .* Preflight: (GO|WAIT|NO-GO)/);
    assert.match(formatPreflightText(r.value), /^PREFLIGHT (GO|WAIT|NO-GO)/);
    return r.value;
  } finally {
    await session.close();
  }
}

function io() {
  const o = { out: '', err: '', cwd: ROOT, isTTY: false, env: {} as NodeJS.ProcessEnv,
    stdout(s: string) { o.out += s; }, stderr(s: string) { o.err += s; }, readStdin: async () => '' };
  return o;
}

const conflictPids = (r: PreflightReport) => r.statements.flatMap((s) => s.conflicts.map((c) => c.pid));
const check = (r: PreflightReport, id: string) => r.checks.find((c) => c.id === id)!;

async function seed(cluster: Cluster): Promise<void> {
  const admin = await cluster.connect({ application_name: 'seed' });
  try {
    await admin.query(INIT);
    await admin.query(`INSERT INTO authors (name) SELECT 'author ' || g FROM generate_series(1, 200) g;
      INSERT INTO articles (author_id, title, view_count, published_at)
        SELECT 1 + g % 200, 'article ' || g || ' ' || repeat(md5(g::text), 8), g, now() - g * interval '1 minute' FROM generate_series(1, 50000) g;
      CREATE TABLE jobs (id bigint PRIMARY KEY, payload text);
      INSERT INTO jobs SELECT g, 'x' FROM generate_series(1, 100) g;`);
    await admin.query('VACUUM ANALYZE articles');
  } finally {
    await admin.end();
  }
}

for (const major of pgMajors()) {
  describe(`preflight on PostgreSQL ${major}`, () => {
    it('incidents 1, 2, 4, 5: no-go with the blocker, go when quiet, safe rewrites as the truth says; 200 statements ≤ 1 s', { timeout: 180_000 }, async (t) => {
      const missing = missingMajor(major);
      if (missing) return t.skip(missing);
      const cluster = await startCluster({ major, name: `pf-${major}`, settings: { max_connections: 20, superuser_reserved_connections: 3, autovacuum: 'off' } });
      let inc = new Incident(cluster);
      try {
        await seed(cluster);

        // ---- quiet database
        for (const f of ['migrations/002_view_count_to_int.sql', 'migrations/003_recreate_audit_trigger.sql', 'migrations/004_backfill_slug.sql']) {
          const r = await preflight(cluster, [f]);
          assert.equal(r.verdict, 'go', `${f} on a quiet database: ${JSON.stringify(r.reasons)}`);
          assert.equal(r.server.major, major);
          assert.equal(r.pgVersion, major, 'analyzed for the server major');
        }
        // 005 drops the only index on published_at before its replacement exists: a real risk even when quiet
        const quiet5 = await preflight(cluster, ['migrations/005_swap_published_index.sql']);
        assert.equal(quiet5.verdict, 'no-go');
        assert.equal(check(quiet5, 'index-swaps').status, 'fail');
        assert.match(check(quiet5, 'index-swaps').message, /leaves no valid index on public\.articles leading with published_at/);
        for (const f of ['safe/002_view_count_to_int.sql', 'safe/003_recreate_audit_trigger.sql', 'safe/004_backfill_slug.sql', 'safe/005_swap_published_index.sql']) {
          const rs = await preflight(cluster, [f]);
          assert.equal(rs.verdict, 'go', `${f}: ${JSON.stringify(rs.reasons)}`);
        }
        const quiet2 = await preflight(cluster, ['migrations/002_view_count_to_int.sql']);
        const cost = quiet2.statements.find((s) => s.sizes.length)!;
        assert.ok(cost.sizes.some((z) => z.relation === 'public.articles' && z.operation === 'rewrite' && z.rows === 50000 && z.bytes > 0), JSON.stringify(cost.sizes));
        assert.ok(cost.estimate && cost.estimate.highSeconds >= cost.estimate.lowSeconds);

        // ---- incident 1: a pg_dump holds AccessShareLock on every table
        {
          const d = await imitatePgDump(inc, ['public.articles', 'public.authors', 'public.jobs'], 'public.articles');
          const r = await preflight(cluster, ['migrations/002_view_count_to_int.sql']);
          assert.equal(r.verdict, 'no-go');
          const c = r.statements[0].conflicts.find((x) => x.pid === d.leader);
          assert.ok(c, JSON.stringify(r.statements[0].conflicts));
          assert.equal(c.kind, 'backup');
          assert.equal(c.application, 'pg_dump');
          assert.equal(c.relation, 'public.articles');
          assert.equal(check(r, 'queue-forecast').status, 'fail');
          assert.match(r.reasons.join('\n'), new RegExp(`pid ${d.leader}.*lock_timeout`));
          // the safe rewrite cannot get its lock while the dump runs either — but with lock_timeout it cannot pile up
          // queries: wait for the backup
          const s = await preflight(cluster, ['safe/002_view_count_to_int.sql']);
          assert.equal(s.verdict, 'wait', JSON.stringify(s.reasons));
          assert.ok(conflictPids(s).includes(d.leader));
          assert.match(s.reasons.join('\n'), /wait until the backup/);

          // the CLI: exit 1, the JSON contract; --wait polls and gives up within its bound
          const o = io();
          assert.equal(await preflightCommand(['--db', cluster.url(), '--format', 'json', ex('migrations/002_view_count_to_int.sql')], o), 1, o.err);
          const json = JSON.parse(o.out);
          assert.equal(json.verdict, 'no-go');
          const st = json.statements[0];
          for (const k of ['index', 'path', 'locks', 'conflicts', 'reasons']) assert.ok(k in st, k);
          assert.deepEqual(Object.keys(st.locks[0]).slice(0, 2), ['relation', 'mode']);
          for (const k of ['pid', 'kind', 'mode', 'relation', 'application']) assert.ok(k in st.conflicts[0], k);
          for (const c2 of json.checks) assert.ok(['pass', 'warn', 'fail'].includes(c2.status) && c2.id && c2.message);
          const w = io();
          const t0 = Date.now();
          assert.equal(await preflightCommand(['--db', cluster.url(), '--format', 'json', '--wait', '3', ex('safe/002_view_count_to_int.sql')], w), 1, w.err);
          assert.ok(Date.now() - t0 < 8000);
          assert.equal(JSON.parse(w.out).verdict, 'wait');
          assert.ok(JSON.parse(w.out).polls >= 2);
          await inc.cleanup();
          inc = new Incident(cluster);
          const after = io();
          assert.equal(await preflightCommand(['--db', cluster.url(), ex('safe/002_view_count_to_int.sql')], after), 0, after.err);
          assert.match(after.out, /^PREFLIGHT GO/);
        }

        // ---- incident 2: long queries on articles, the pool nearly exhausted
        {
          const pids: number[] = [];
          for (let i = 0; i < 12; i++) {
            const c = await inc.client(`web-${i}`);
            pids.push(await inc.pidOf(c));
            void inc.fire(c, 'SELECT count(*), pg_sleep(60) FROM articles');
          }
          const admin = await inc.adminClient();
          await waitFor('the long queries to hold their locks', async () =>
            (await admin.query(`SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name LIKE 'web-%' AND l.relation = 'articles'::regclass AND l.granted`)).rows[0].n >= 12);
          const r = await preflight(cluster, ['migrations/002_view_count_to_int.sql']);
          assert.equal(r.verdict, 'no-go');
          const kinds = new Set(r.statements[0].conflicts.map((c) => c.kind));
          assert.deepEqual([...kinds], ['session']);
          for (const p of pids) assert.ok(conflictPids(r).includes(p), `pid ${p} listed`);
          const q = check(r, 'queue-forecast');
          assert.equal(q.status, 'fail');
          assert.match(q.message, /1[2-9] session\(s\) use public\.articles now, \d connection slot\(s\) are free/);
          assert.ok(r.connections.headroom <= 3, JSON.stringify(r.connections));
          const s = await preflight(cluster, ['safe/002_view_count_to_int.sql']);
          assert.equal(s.verdict, 'wait', JSON.stringify(s.reasons));
          assert.equal(check(s, 'queue-forecast').status, 'warn', 'free slots fewer than the sessions using the table');
          await inc.cleanup();
          inc = new Incident(cluster);
        }

        // ---- incident 4: the xmin horizon pinned by an idle REPEATABLE READ transaction (on another table)
        {
          const report = await inc.client('report-job');
          const pid = await inc.pidOf(report);
          await report.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
          await report.query('SELECT count(*) FROM jobs');
          const admin = await inc.adminClient();
          await waitFor('the report to be idle in transaction', async () =>
            (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'idle in transaction' AND backend_xmin IS NOT NULL`, [pid])).rowCount);
          const r = await preflight(cluster, ['migrations/004_backfill_slug.sql']);
          assert.equal(r.verdict, 'no-go', JSON.stringify(r.checks));
          assert.equal(check(r, 'xmin-horizon').status, 'fail');
          assert.match(check(r, 'xmin-horizon').message, new RegExp(`backend ${pid} \\(report-job\\)`));
          assert.match(check(r, 'xmin-horizon').message, new RegExp(`pg_terminate_backend\\(${pid}\\)`));
          assert.deepEqual(conflictPids(r), [], 'the pinner holds no lock on articles');
          assert.equal((await preflight(cluster, ['safe/004_backfill_slug.sql'])).verdict, 'go');
          // the same session holding a lock on articles: it will not end by itself, even with lock_timeout
          await report.query('SELECT count(*) FROM articles');
          const s = await preflight(cluster, ['safe/004_backfill_slug.sql']);
          assert.equal(s.verdict, 'no-go');
          const c = s.statements.flatMap((x) => x.conflicts).find((x) => x.pid === pid);
          assert.equal(c?.kind, 'transaction');
          assert.equal(c?.endsByItself, false);
          await inc.cleanup();
          inc = new Incident(cluster);
        }

        // ---- incident 5: an interrupted CREATE INDEX CONCURRENTLY left an INVALID index of the new name
        {
          const admin = await inc.adminClient();
          await assert.rejects(admin.query('CREATE UNIQUE INDEX CONCURRENTLY articles_author_published_idx ON articles (author_id)'));
          const v = await admin.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'articles_author_published_idx'::regclass`);
          assert.equal(v.rows[0].indisvalid, false);
          const r = await preflight(cluster, ['migrations/005_swap_published_index.sql']);
          assert.equal(r.verdict, 'no-go');
          const msg = check(r, 'index-swaps').message;
          assert.equal(check(r, 'index-swaps').status, 'fail');
          assert.match(r.reasons.join('\n'), /INVALID.*IF NOT EXISTS would silently skip it/);
          assert.ok(msg.length > 0);
          const s = await preflight(cluster, ['safe/005_swap_published_index.sql']);
          assert.equal(s.verdict, 'go', JSON.stringify(s.reasons));
          await admin.query('DROP INDEX articles_author_published_idx');
        }

        // ---- 200 statements against a live target (with a backup holding articles)
        {
          const lines: string[] = ["SET lock_timeout = '2s';"];
          for (let i = 0; i < 199; i++) {
            lines.push(i % 4 === 0 ? `ALTER TABLE articles ADD COLUMN IF NOT EXISTS c${i} int;`
              : i % 4 === 1 ? `CREATE INDEX CONCURRENTLY IF NOT EXISTS articles_c${i}_idx ON articles (title);`
                : i % 4 === 2 ? `UPDATE authors SET name = name WHERE id = ${i};`
                  : `ALTER TABLE authors ADD COLUMN IF NOT EXISTS c${i} text;`);
          }
          const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pf-200-'));
          const file = path.join(dir, 'big.sql');
          fs.writeFileSync(file, lines.join('\n') + '\n');
          await imitatePgDump(inc, ['public.articles'], 'public.articles');
          const session = new InspectorSession(targetFor(cluster));
          try {
            const run = () => runPreflight({ files: [{ path: file, text: fs.readFileSync(file, 'utf8') }], config: { useEarlierMigrations: false }, session });
            await run(); // warm: parser loaded, statements prepared
            const t0 = performance.now();
            const r = await run();
            const ms = performance.now() - t0;
            assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
            t.diagnostic(`preflight of 200 statements on PostgreSQL ${major}: ${ms.toFixed(0)} ms (verdict ${r.value.verdict})`);
            assert.equal(r.value.statements.length, 200);
            assert.equal(r.value.verdict, 'wait');
            assert.ok(ms <= 1000, `200 statements took ${ms} ms`);
          } finally {
            await session.close();
            fs.rmSync(dir, { recursive: true, force: true });
          }
        }
      } finally {
        await inc.cleanup();
        await cluster.stop();
      }
    });

    it('incident 3: an anti-wraparound autovacuum holds articles — no-go as written, wait for the safe rewrite', { timeout: 120_000 }, async (t) => {
      const missing = missingMajor(major);
      if (missing) return t.skip(missing);
      const cluster = await startCluster({ major, name: `pf3-${major}`, settings: { autovacuum_freeze_max_age: 200000000, autovacuum_max_workers: 3 } });
      const inc = new Incident(cluster);
      try {
        const admin = await inc.adminClient();
        await admin.query(INIT.replace(/CREATE TABLE articles \(([\s\S]*?)\n\);/, (_m, body) => `CREATE TABLE articles (${body}\n) WITH (autovacuum_enabled = false, autovacuum_freeze_max_age = 100000,
          autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1);`));
        await admin.query(`INSERT INTO authors (name) VALUES ('a');
          INSERT INTO articles (author_id, title) SELECT 1, repeat('x', 100) FROM generate_series(1, 100000) g;`);
        await admin.query('DO $$ BEGIN FOR i IN 1..110000 LOOP PERFORM txid_current(); COMMIT; END LOOP; END $$');
        const vacPid: number = await waitFor('an anti-wraparound autovacuum on articles', async () =>
          (await admin.query(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'
                              AND query ILIKE '%articles%to prevent wraparound%'`)).rows[0]?.pid, 30000, 50);
        const r = await preflight(cluster, ['migrations/003_recreate_audit_trigger.sql']);
        assert.equal(r.verdict, 'no-go');
        const c = r.statements.flatMap((s) => s.conflicts).find((x) => x.pid === vacPid);
        assert.equal(c?.kind, 'wraparound-vacuum');
        assert.equal(c?.mode, 'ShareUpdateExclusiveLock');
        assert.match(r.reasons.join('\n'), /will not yield and must not be cancelled/);
        assert.equal(check(r, 'wraparound').status, 'warn');
        // CREATE OR REPLACE TRIGGER takes SHARE ROW EXCLUSIVE, which conflicts with the vacuum too: with lock_timeout it
        // cannot block anyone, but it cannot run until the vacuum is done
        const s = await preflight(cluster, ['safe/003_recreate_audit_trigger.sql']);
        assert.equal(s.verdict, 'wait', JSON.stringify(s.reasons));
        assert.ok(conflictPids(s).includes(vacPid));
      } finally {
        await inc.cleanup();
        await cluster.stop();
      }
    });
  });
}
