// Snapshot cost at scale: 10,000 tables, 2,000 held locks, 200 sessions (a pile-up of 50 SELECTs behind a waiting
// ALTER, a pg_dump-like holder, idle transactions), on a private cluster.
//   node --import tsx bench/inspector.ts [--major 18] [--refreshes 30] [--tables 10000]
// Prints per-refresh wall time (p50/p95/max), per-section server time, rows and bytes transferred, and the size of
// the largest list in the snapshot (it must stay bounded: top-N everywhere).
import os from 'node:os';
import pg from 'pg';
import { startCluster } from '../src/cluster/pgcluster.js';
import { connect, resolveTarget } from '../src/inspector/connection.js';
import { snapshot } from '../src/inspector/inspector.js';
import type { InspectorClient, Snapshot } from '../src/inspector/types.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const major = arg('major', Number(process.env.PG_MAJORS?.split(',')[0] ?? 18));
const refreshes = arg('refreshes', 30);
const TABLES = arg('tables', 10000);
const SESSIONS = 200;
const HOLDERS = 10;
const LOCKS_PER_HOLDER = 200;
const QUEUED = 50;
const IDLE_IN_XACT = 20;
const TARGET_MS = 150;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** The longest array anywhere in the snapshot, with its path. */
function largestList(v: unknown, at = '$'): { path: string; length: number } {
  let best = { path: at, length: Array.isArray(v) ? v.length : 0 };
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const b = largestList(x, Array.isArray(v) ? `${at}[]` : `${at}.${k}`);
      if (b.length > best.length) best = b;
    }
  }
  return best;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const cluster = await startCluster({ major, name: `bench-insp${major}`, settings: { max_connections: 260, max_locks_per_transaction: 128 } });
  const clients: pg.Client[] = [];
  const open = async (app: string) => {
    const c = await cluster.connect({ application_name: app });
    clients.push(c);
    return c;
  };
  try {
    const admin = await open('bench-admin');
    const name = (i: number) => `t_${String(i).padStart(5, '0')}`;
    for (let from = 1; from <= TABLES; from += 1000) {
      const to = Math.min(TABLES, from + 999);
      await admin.query(`DO $$ BEGIN FOR i IN ${from}..${to} LOOP
        EXECUTE format('CREATE TABLE t_%s (id int PRIMARY KEY, v text)', lpad(i::text, 5, '0'));
      END LOOP; END $$`);
    }
    // some churn so the statistics have dead tuples to rank
    await admin.query(`DO $$ BEGIN FOR i IN 1..${Math.min(TABLES, 500)} LOOP
      EXECUTE format('INSERT INTO t_%s SELECT g, ''x'' FROM generate_series(1, 20) g', lpad(i::text, 5, '0'));
      EXECUTE format('DELETE FROM t_%s WHERE id > 5', lpad(i::text, 5, '0'));
    END LOOP; END $$`);
    const setupMs = Date.now() - t0;

    // 2,000 held locks: 10 sessions × 200 tables each (the first looks like a pg_dump leader)
    for (let h = 0; h < HOLDERS; h++) {
      const c = await open(h === 0 ? 'pg_dump' : `report-${h}`);
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const tables = Array.from({ length: LOCKS_PER_HOLDER }, (_, i) => name(1 + ((h * LOCKS_PER_HOLDER + i) % TABLES)));
      await c.query(`LOCK TABLE ${tables.join(', ')} IN ACCESS SHARE MODE`);
      await c.query('SELECT 1');
    }
    // a migration waiting for AccessExclusiveLock on t_00001, and a pile-up behind it
    const mig = await open('migration');
    mig.query(`ALTER TABLE ${name(1)} ADD COLUMN x int`).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < QUEUED; i++) {
      const c = await open(`web-${i % 5}`);
      c.query(`SELECT count(*) FROM ${name(1)}`).catch(() => undefined);
    }
    for (let i = 0; i < IDLE_IN_XACT; i++) {
      const c = await open('worker');
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await c.query(`SELECT count(*) FROM ${name(100 + i)}`);
    }
    while (clients.length < SESSIONS) await open(`idle-${clients.length % 7}`);

    const facts = (await admin.query(`SELECT (SELECT count(*) FROM pg_class WHERE relkind = 'r') AS tables,
      (SELECT count(*) FROM pg_locks WHERE granted AND locktype = 'relation') AS held,
      (SELECT count(*) FROM pg_locks WHERE NOT granted) AS waiting,
      (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS sessions`)).rows[0];

    const target = resolveTarget({ db: cluster.url() }, { env: {} });
    const conn = await connect(target);
    if (!conn.ok) throw new Error(conn.error.message);
    let rows = 0;
    let bytes = 0;
    let queries = 0;
    const counting: InspectorClient = {
      async query<R>(text: string, values?: unknown[]) {
        const r = await conn.value.client.query<R>(text, values);
        queries++;
        rows += r.rows.length;
        bytes += JSON.stringify(r.rows).length;
        return r;
      },
    };
    // Two ways to refresh: a full snapshot (the CLI, or a session's first refresh) and a session refresh, which
    // reuses the catalog-wide sections (wraparound, deadTuples) while they are younger than 30 s.
    const run = async (mode: 'full' | 'refresh') => {
      const times: number[] = [];
      const sections = new Map<string, number[]>();
      let last: Snapshot | undefined;
      for (let i = 0; i < 3; i++) await snapshot(counting); // warm caches and plans
      const first = await snapshot(counting);
      if (!first.ok) throw new Error(first.error.message);
      last = first.value;
      rows = 0; bytes = 0; queries = 0;
      for (let i = 0; i < refreshes; i++) {
        const s = performance.now();
        const r = await snapshot(counting, mode === 'refresh' ? { previous: last } : {});
        times.push(performance.now() - s);
        if (!r.ok) throw new Error(r.error.message);
        last = r.value;
        for (const [k, v] of Object.entries(r.value.server.timings)) sections.set(k, [...(sections.get(k) ?? []), v ?? 0]);
      }
      return { mode, times, sections, snap: last, rows: rows / refreshes, bytes: bytes / refreshes, queries: queries / refreshes };
    };
    const full = await run('full');
    const refresh = await run('refresh');
    await conn.value.close();

    const snap = full.snap!;
    const big = largestList(snap);
    console.log(`pg-preflight inspector bench — PostgreSQL ${snap.server.version} (${snap.server.versionNum}), setup ${(setupMs / 1000).toFixed(1)} s, load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
    console.log(`  database: ${facts.tables} tables, ${facts.held} held relation locks, ${facts.waiting} waiting requests, ${facts.sessions} client sessions`);
    for (const r of [full, refresh]) {
      console.log(`  ${r.mode === 'full' ? 'full snapshot   ' : 'session refresh '} (${refreshes}×, one connection): p50 ${pct(r.times, 50).toFixed(1)} ms, p95 ${pct(r.times, 95).toFixed(1)} ms, ` +
        `min ${Math.min(...r.times).toFixed(1)} ms, max ${Math.max(...r.times).toFixed(1)} ms; ${r.queries} queries, ${r.rows} rows, ${(r.bytes / 1024).toFixed(1)} kB per refresh` +
        ` — target ≤ ${TARGET_MS} ms (p50): ${pct(r.times, 50) <= TARGET_MS ? 'met' : 'MISSED'}`);
    }
    console.log(`  snapshot: ${snap.blocking.length} blocking nodes (${snap.truncated.blocking ?? 0} omitted), ${snap.lockQueues.length} lock queue` +
      ` (${snap.lockQueues[0]?.waitersTotal ?? 0} waiters, ${snap.lockQueues[0]?.waiters.length ?? 0} listed; ${snap.lockQueues[0]?.holdersTotal ?? 0} holders, ${snap.lockQueues[0]?.holders.length ?? 0} listed),` +
      ` ${snap.backups.length} backup (${snap.backups[0]?.relationsTotal ?? 0} tables locked, ${snap.backups[0]?.relations.length ?? 0} listed),` +
      ` ${snap.sessions.top.length} of ${snap.sessions.total} sessions listed; largest list anywhere: ${big.path} = ${big.length}`);
    console.log('  server time per section, full snapshot (p50 / max ms):');
    for (const [k, v] of [...full.sections.entries()].sort((a, b) => pct(b[1], 50) - pct(a[1], 50))) {
      console.log(`    ${k.padEnd(16)} ${pct(v, 50).toFixed(1).padStart(6)} / ${Math.max(...v).toFixed(1).padStart(6)}`);
    }
    if (process.env.BENCH_JSON) {
      console.log(JSON.stringify({ major, load: os.loadavg()[0], full: { p50: pct(full.times, 50), p95: pct(full.times, 95), min: Math.min(...full.times) },
        refresh: { p50: pct(refresh.times, 50), p95: pct(refresh.times, 95), min: Math.min(...refresh.times) }, rows: full.rows, kB: full.bytes / 1024 }));
    }
  } finally {
    for (const c of clients) {
      await Promise.race([c.end().catch(() => undefined), new Promise((r) => setTimeout(r, 200))]);
    }
    await cluster.stop();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
