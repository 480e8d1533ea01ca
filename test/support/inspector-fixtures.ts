// Helpers for the inspector's incident tests (test/pg/inspector/**): tracked sessions and child processes that are
// always cleaned up, bounded polling, timed snapshots, and the pg_dump imitation for servers newer than Debian's
// pg_dump 15 can dump.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Cluster } from '../../src/cluster/pgcluster.js';
import { resolveTarget, type ConnectionEnv, type Target, type TargetInput } from '../../src/inspector/connection.js';
import { InspectorSession, type SessionOptions } from '../../src/inspector/inspector.js';
import type { Snapshot } from '../../src/inspector/types.js';

export const DEBIAN_PG15_BIN = '/usr/lib/postgresql/15/bin';

/** Polls fn until it returns something truthy; throws naming `what` after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20000, intervalMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { lastErr = e; }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`);
}

/** A Target for a cluster URL, resolved without the caller's environment (no PG* variables, no ~/.pgpass). */
export function targetFor(cluster: Cluster, opts: { user?: string; database?: string; name?: string; readOnly?: boolean; extra?: Partial<TargetInput>; cenv?: Partial<ConnectionEnv> } = {}): Target {
  return resolveTarget({ db: cluster.url(opts.database ?? 'postgres', opts.user ?? cluster.superuser), name: opts.name, readOnly: opts.readOnly, ...opts.extra },
    { env: {}, homeDir: '/nonexistent', ...opts.cenv });
}

const LATENCY_LOG = process.env.INSPECTOR_LATENCY_LOG;

/** One snapshot through a session, timed; asserts nothing itself. Appends the latency to $INSPECTOR_LATENCY_LOG. */
export async function timedSnapshot(session: InspectorSession, label: string): Promise<{ snap: Snapshot; ms: number }> {
  const t0 = performance.now();
  const r = await session.snapshot();
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`snapshot failed: ${r.error.code}: ${r.error.message}`);
  if (LATENCY_LOG) {
    fs.appendFileSync(LATENCY_LOG, JSON.stringify({ label, major: Math.floor(r.value.server.versionNum / 10000), ms: Math.round(ms * 10) / 10, serverMs: r.value.server.durationMs }) + '\n');
  }
  return { snap: r.value, ms };
}

/**
 * Everything an incident starts: sessions (some of them stuck in a lock queue on purpose) and child processes.
 * cleanup() terminates the backends, kills the process groups and ends the clients; call it in finally.
 */
export class Incident {
  private clients: pg.Client[] = [];
  private procs: ChildProcess[] = [];
  private sessions: InspectorSession[] = [];
  private admin?: pg.Client;

  constructor(readonly cluster: Cluster, readonly database = 'postgres') {}

  async adminClient(): Promise<pg.Client> {
    this.admin ??= await this.client('test-admin');
    return this.admin;
  }

  async client(application: string, opts: { user?: string; database?: string } = {}): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.cluster.url(opts.database ?? this.database, opts.user ?? this.cluster.superuser), application_name: application });
    c.on('error', () => undefined); // terminated on purpose during cleanup
    await c.connect();
    this.clients.push(c);
    return c;
  }

  /** Sends a statement that is expected to block; the promise resolves to the error (or undefined) when it ends. */
  fire(c: pg.Client, sql: string): Promise<Error | undefined> {
    return c.query(sql).then(() => undefined, (e: Error) => e);
  }

  async pidOf(c: pg.Client): Promise<number> {
    return (c as unknown as { processID: number }).processID;
  }

  /** Waits until pid has an ungranted lock (it joined a lock queue). */
  async waitUntilWaiting(pid: number, what = `pid ${pid} to wait for a lock`): Promise<void> {
    const admin = await this.adminClient();
    await waitFor(what, async () => (await admin.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [pid])).rowCount);
  }

  session(target: Target, opts: SessionOptions = {}): InspectorSession {
    const s = new InspectorSession(target, opts);
    this.sessions.push(s);
    return s;
  }

  /** Spawns a process in its own process group (so it can be stopped and killed as a whole). */
  spawn(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts, detached: true });
    p.on('error', () => undefined);
    this.procs.push(p);
    return p;
  }

  signalGroup(p: ChildProcess, sig: NodeJS.Signals): void {
    if (p.pid) { try { process.kill(-p.pid, sig); } catch { /* gone */ } }
  }

  async cleanup(): Promise<void> {
    for (const s of this.sessions) await s.close().catch(() => undefined);
    for (const p of this.procs) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      this.signalGroup(p, 'SIGKILL'); // SIGKILL reaches stopped processes too
      await Promise.race([new Promise((r) => p.once('exit', r)), sleep(3000)]);
    }
    if (this.cluster.running) {
      try {
        const admin = await this.adminClient();
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                           WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`);
        for (const r of (await admin.query('SELECT gid, database FROM pg_prepared_xacts')).rows) {
          if (r.database !== this.database) continue;
          await admin.query(`ROLLBACK PREPARED '${String(r.gid).replace(/'/g, "''")}'`).catch(() => undefined);
        }
        for (const r of (await admin.query('SELECT slot_name FROM pg_replication_slots WHERE NOT active')).rows) {
          await admin.query('SELECT pg_drop_replication_slot($1)', [r.slot_name]).catch(() => undefined);
        }
      } catch { /* the cluster is stopped next anyway */ }
    }
    for (const c of this.clients) {
      // Sockets paused on purpose (a COPY nobody reads) never see the end message: destroy them.
      const stream = (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
      await Promise.race([c.end().catch(() => undefined), sleep(500)]);
      try { stream?.destroy(); } catch { /* already closed */ }
    }
    this.clients = [];
    this.procs = [];
    this.sessions = [];
    this.admin = undefined;
  }
}

/**
 * pg_dump's lock shape for servers Debian's pg_dump 15 cannot dump (16+), as postgres-facts.md §2a describes: a leader
 * (application_name=pg_dump) in a REPEATABLE READ transaction that exports its snapshot and holds AccessShareLock on
 * every table, and a worker that imports the snapshot, locks one table NOWAIT and runs `COPY … TO stdout` whose output
 * nobody reads (its socket is paused, so the backend stalls in ClientWrite as a real worker's does on a slow pipe).
 */
export async function imitatePgDump(inc: Incident, tables: string[], copyTable: string): Promise<{ leader: number; worker: number }> {
  const leader = await inc.client('pg_dump');
  await leader.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  const snap = (await leader.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0].s;
  await leader.query(`LOCK TABLE ${tables.join(', ')} IN ACCESS SHARE MODE`);
  const worker = await inc.client('pg_dump');
  await worker.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  await worker.query(`SET TRANSACTION SNAPSHOT '${snap}'`);
  await worker.query(`LOCK TABLE ${copyTable} IN ACCESS SHARE MODE NOWAIT`);
  void inc.fire(worker, `COPY ${copyTable} TO stdout;`);
  (worker as unknown as { connection: { stream: { pause(): void } } }).connection.stream.pause();
  const workerPid = await inc.pidOf(worker);
  const admin = await inc.adminClient();
  await waitFor('the imitated pg_dump worker to stall in ClientWrite', async () =>
    (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'ClientWrite'`, [workerPid])).rowCount, 10000);
  return { leader: await inc.pidOf(leader), worker: workerPid };
}

export function tmpDir(prefix: string): string {
  const base = path.join(process.env.TMPDIR ?? '/tmp', 'pg-preflight-inspector-tests');
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  const d = fs.mkdtempSync(path.join(base, `${prefix}-`));
  fs.chmodSync(d, 0o755);
  return d;
}
