// Preflight of a 200-statement migration against a live target, on a private cluster: 200 tables (the migration
// touches 100 of them), a pg_dump-like backup holding every table, 40 sessions holding locks, 10 idle transactions.
//   node --import tsx bench/preflight.ts [--major 18] [--runs 20] [--statements 200]
// Prints the wall time of runPreflight (snapshot + the migration's relations + analysis + judgement): p50/p95/max,
// and the live question's own server time. Goal: ≤ 1000 ms. A benchmark, not a test: it always exits 0.
import { startCluster } from '../src/cluster/pgcluster.js';
import { resolveTarget } from '../src/inspector/connection.js';
import { InspectorSession } from '../src/inspector/inspector.js';
import { runPreflight } from '../src/preflight/preflight.js';
import type pg from 'pg';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const major = arg('major', Number(process.env.PG_MAJORS?.split(',')[0] ?? 18));
const RUNS = arg('runs', 20);
const STATEMENTS = arg('statements', 200);
const TABLES = 200;
const GOAL_MS = 1000;

const cluster = await startCluster({ major, name: 'bench-preflight', settings: { max_connections: 100, autovacuum: 'off' } });
const clients: pg.Client[] = [];
try {
  const admin = await cluster.connect({ application_name: 'bench-setup' });
  clients.push(admin);
  const ddl: string[] = [];
  for (let i = 0; i < TABLES; i++) {
    ddl.push(`CREATE TABLE t${i} (id bigint PRIMARY KEY, a int, b text); CREATE INDEX t${i}_a_idx ON t${i} (a);`);
  }
  await admin.query(ddl.join('\n'));
  await admin.query(`INSERT INTO t0 SELECT g, g % 100, md5(g::text) FROM generate_series(1, 200000) g`);
  await admin.query('ANALYZE');

  const dump = await cluster.connect({ application_name: 'pg_dump' });
  clients.push(dump);
  await dump.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  await dump.query(`LOCK TABLE ${Array.from({ length: TABLES }, (_, i) => `t${i}`).join(', ')} IN ACCESS SHARE MODE`);
  for (let i = 0; i < 50; i++) {
    const c = await cluster.connect({ application_name: `web-${i}` });
    clients.push(c);
    await c.query('BEGIN');
    await c.query(`SELECT count(*) FROM t${i % 20}`);
    if (i >= 40) await c.query(`UPDATE t${i % 20} SET a = a WHERE id = 1`);
  }

  const lines = ["SET lock_timeout = '2s';", "SET statement_timeout = '30s';"];
  for (let i = 0; lines.length < STATEMENTS; i++) {
    const t = `t${i % 100}`;
    lines.push(i % 4 === 0 ? `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS c${i} int;`
      : i % 4 === 1 ? `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${t}_b${i}_idx ON ${t} (b);`
        : i % 4 === 2 ? `UPDATE ${t} SET a = 0 WHERE id = ${i};`
          : `ALTER TABLE ${t} ALTER COLUMN a TYPE bigint;`);
  }
  const text = lines.join('\n') + '\n';
  const target = resolveTarget({ db: cluster.url('postgres'), name: 'bench' }, { env: {}, homeDir: '/nonexistent' });
  const session = new InspectorSession(target);
  const times: number[] = [];
  let last;
  try {
    for (let i = 0; i < RUNS + 1; i++) {
      const t0 = performance.now();
      const r = await runPreflight({ files: [{ path: '/tmp/bench-migration.sql', text }], config: { useEarlierMigrations: false }, session });
      const ms = performance.now() - t0;
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      last = r.value;
      if (i > 0) times.push(ms); // the first run loads the parser and prepares the statements
      if (process.argv.includes('--verbose')) console.log(`run ${i}: ${ms.toFixed(0)} ms ${JSON.stringify(r.value.timings)}`);
    }
  } finally {
    await session.close();
  }
  const conflicts = last!.statements.reduce((n, s) => n + s.conflicts.length, 0);
  console.log(`preflight, ${STATEMENTS} statements, ${TABLES} tables, PostgreSQL ${cluster.major}: ` +
    `p50 ${pct(times, 50).toFixed(0)} ms, p95 ${pct(times, 95).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms over ${RUNS} runs ` +
    `(verdict ${last!.verdict}, ${conflicts} conflicts) — goal ≤ ${GOAL_MS} ms: ${pct(times, 95) <= GOAL_MS ? 'PASS' : 'MISS'}`);
} finally {
  for (const c of clients) await c.end().catch(() => undefined);
  await cluster.stop();
}
