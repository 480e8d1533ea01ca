// Observes, on a real cluster, which table-level locks each catalog entry takes and which relations it rewrites.
//
// Transactional entries: in a fresh database cloned from the fixture template, one session runs
//   BEGIN; <setup>; [snapshot]; <statement>; [read pg_locks of pg_backend_pid()]; ROLLBACK
// Locks are read for that backend (locktype 'relation'), kept for relations of schema public that exist in the fixture
// (named public.<name>, as before the statement: a renamed or moved relation keeps its old name), minus the
// (relation, mode) pairs the setup already held; the strongest mode per relation is kept. A relation whose
// pg_class.relfilenode changed between the snapshot and the end of the statement was rewritten.
//
// Non-transactional entries (CONCURRENTLY, VACUUM …) commit internally, so the locks are watched from outside: a
// sampler session runs a server-side loop that records every relation lock (granted or awaited) of the statement's
// backend until told to stop; an optional `blocker` transaction in a third session makes the statement wait at a
// known point (CREATE INDEX CONCURRENTLY waits for writers, VACUUM FULL for readers) so the locks it holds there are
// seen for certain. Rewrites are found by comparing relfilenodes after the statement has finished.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Cluster } from '../../src/cluster/pgcluster.js';
import type { CatalogEntry } from './lock-catalog.js';
import { repoRoot } from '../support/pg.js';

export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

export function strongerMode(a: LockMode | undefined, b: LockMode): LockMode {
  if (!a) return b;
  return LOCK_MODES.indexOf(b) > LOCK_MODES.indexOf(a) ? b : a;
}

export interface ObservedRecord {
  id: string;
  major: number;
  /** pre-existing public relation -> strongest lock mode the statement took on it */
  locks: Record<string, LockMode>;
  /** pre-existing public relations whose relfilenode changed (tables, indexes, sequences, matviews) */
  rewrote: string[];
  /** relkind letter (pg_class.relkind) of every relation named in locks / rewrote */
  kinds: Record<string, string>;
  /** TOAST tables (named after their owner) locked / rewritten: information only, never compared */
  toast?: { locks: Record<string, LockMode>; rewrote: string[] };
  error?: string;
}

const ROOT = repoRoot();
export const FIXTURE_SCHEMA_FILE = path.join(ROOT, 'test', 'pg', 'fixture-schema.sql');
export const FIXTURE_DATA_FILE = path.join(ROOT, 'test', 'pg', 'fixture-data.sql');
export const TEMPLATE_DB = 'lock_fixture';

/** Settings for an observer cluster: no autovacuum (its locks and cancellations would only add noise). */
export const OBSERVER_SETTINGS: Record<string, string | number | boolean> = {
  autovacuum: 'off',
  max_connections: 60,
  log_lock_waits: 'off',
  log_min_messages: 'warning',
  log_min_error_statement: 'panic',
};

interface RelInfo { oid: number; name: string; relkind: string; relfilenode: string; toast: number }

const REL_SQL = `
  SELECT c.oid::int AS oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, c.relkind::text AS relkind,
         c.relfilenode::text AS relfilenode, c.reltoastrelid::int AS toast
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public'
  ORDER BY c.oid`;
const FILENODE_SQL = `SELECT oid::int AS oid, relfilenode::text AS relfilenode FROM pg_class WHERE oid = ANY($1::oid[])`;
const MY_LOCKS_SQL = `
  SELECT relation::int AS oid, mode FROM pg_locks
  WHERE pid = pg_backend_pid() AND locktype = 'relation' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

function errText(err: unknown): string {
  const e = err as { message?: string; code?: string };
  return `${e?.code ? `${e.code}: ` : ''}${e?.message ?? String(err)}`;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

export class LockObserver {
  private admin?: pg.Client;
  private rels: RelInfo[] = [];
  private seq = 0;
  constructor(readonly cluster: Cluster, readonly opts: { schemaSql?: string; dataSql?: string } = {}) {}

  get major(): number { return this.cluster.major; }

  /** Creates the roles the catalog needs and the template database holding the fixture. */
  async prepare(): Promise<void> {
    const admin = await this.cluster.connect({ application_name: 'lock-observer-admin' });
    this.admin = admin;
    for (const role of ['app_reader', 'app_owner']) {
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (!exists.rowCount) await admin.query(`CREATE ROLE ${role}`);
    }
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB} TEMPLATE template0`);
    const c = await this.cluster.connect({ database: TEMPLATE_DB });
    try {
      await c.query(this.opts.schemaSql ?? fs.readFileSync(FIXTURE_SCHEMA_FILE, 'utf8'));
      await c.query(this.opts.dataSql ?? fs.readFileSync(FIXTURE_DATA_FILE, 'utf8'));
      await c.query('CHECKPOINT');
      this.rels = (await c.query(REL_SQL)).rows;
    } finally {
      await c.end();
    }
  }

  /** Public relations of the fixture (OIDs are the same in every copy of the template). */
  get fixtureRelations(): string[] { return this.rels.map((r) => r.name); }

  private async freshDb(): Promise<string> {
    const name = `obs_${process.pid}_${++this.seq}`;
    // FILE_COPY is cheaper than WAL_LOG (15+ default) for a small template on a throwaway cluster
    const strategy = this.major >= 15 ? ' STRATEGY FILE_COPY' : '';
    await this.admin!.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}${strategy}`);
    return name;
  }

  private async dropDb(name: string): Promise<void> {
    await this.admin!.query(`DROP DATABASE IF EXISTS ${name}${this.major >= 13 ? ' WITH (FORCE)' : ''}`).catch(() => undefined);
  }

  private connect(db: string, app: string): Promise<pg.Client> {
    return this.cluster.connect({ database: db, application_name: app }).then(async (c) => {
      await c.query("SET lock_timeout = '20s'; SET statement_timeout = '60s'; SET client_min_messages = warning");
      return c;
    });
  }

  async observe(entry: CatalogEntry): Promise<ObservedRecord> {
    const db = await this.freshDb();
    try {
      return entry.nonTransactional ? await this.observeOutside(entry, db) : await this.observeInside(entry, db);
    } finally {
      await this.dropDb(db);
    }
  }

  /** Observes several entries, `concurrency` at a time (transactional ones); non-transactional ones run alone. */
  async observeAll(entries: CatalogEntry[], concurrency = 3, onRecord?: (r: ObservedRecord) => void): Promise<ObservedRecord[]> {
    const out = new Map<string, ObservedRecord>();
    const inside = entries.filter((e) => !e.nonTransactional);
    const outside = entries.filter((e) => e.nonTransactional);
    let next = 0;
    const worker = async () => {
      while (next < inside.length) {
        const e = inside[next++];
        const r = await this.observe(e);
        out.set(e.id, r);
        onRecord?.(r);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    for (const e of outside) {
      const r = await this.observe(e);
      out.set(e.id, r);
      onRecord?.(r);
    }
    return entries.map((e) => out.get(e.id)!);
  }

  async close(): Promise<void> {
    await this.admin?.end().catch(() => undefined);
    this.admin = undefined;
  }

  // -------------------------------------------------------------------------------------------------------------------

  private record(entry: CatalogEntry, lockRows: { oid: number; mode: string }[], before: Map<number, string>,
    after: Map<number, string>, error?: string): ObservedRecord {
    const byOid = new Map(this.rels.map((r) => [r.oid, r]));
    const toastOwner = new Map(this.rels.filter((r) => r.toast).map((r) => [r.toast, r]));
    const locks: Record<string, LockMode> = {};
    const kinds: Record<string, string> = {};
    const toastLocks: Record<string, LockMode> = {};
    for (const { oid, mode } of lockRows) {
      if (!(LOCK_MODES as readonly string[]).includes(mode)) continue;
      const rel = byOid.get(oid);
      if (rel) {
        locks[rel.name] = strongerMode(locks[rel.name], mode as LockMode);
        kinds[rel.name] = rel.relkind;
        continue;
      }
      const owner = toastOwner.get(oid);
      if (owner) toastLocks[owner.name] = strongerMode(toastLocks[owner.name], mode as LockMode);
    }
    const rewrote: string[] = [];
    const toastRewrote: string[] = [];
    for (const [oid, fn] of before) {
      const now = after.get(oid);
      if (now === undefined || now === fn || fn === '0') continue; // dropped, unchanged, or no storage
      const rel = byOid.get(oid);
      if (rel) { rewrote.push(rel.name); kinds[rel.name] = rel.relkind; continue; }
      const owner = toastOwner.get(oid);
      if (owner) toastRewrote.push(owner.name);
    }
    const rec: ObservedRecord = { id: entry.id, major: this.major, locks: sortKeys(locks), rewrote: rewrote.sort(), kinds: sortKeys(kinds) };
    if (Object.keys(toastLocks).length || toastRewrote.length) rec.toast = { locks: sortKeys(toastLocks), rewrote: toastRewrote.sort() };
    if (error) rec.error = error;
    return rec;
  }

  private watchedOids(): number[] {
    return [...this.rels.map((r) => r.oid), ...this.rels.filter((r) => r.toast).map((r) => r.toast)];
  }

  private async filenodes(c: pg.Client): Promise<Map<number, string>> {
    const rows = (await c.query(FILENODE_SQL, [this.watchedOids()])).rows as { oid: number; relfilenode: string }[];
    return new Map(rows.map((r) => [r.oid, r.relfilenode]));
  }

  private async observeInside(entry: CatalogEntry, db: string): Promise<ObservedRecord> {
    const c = await this.connect(db, `observe:${entry.id}`);
    try {
      await c.query('BEGIN');
      try {
        if (entry.setup) await c.query(entry.setup);
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        return this.record(entry, [], new Map(), new Map(), `setup failed: ${errText(err)}`);
      }
      const held = new Set((await c.query(MY_LOCKS_SQL)).rows.map((r: { oid: number; mode: string }) => `${r.oid}/${r.mode}`));
      const before = await this.filenodes(c);
      let error: string | undefined;
      let lockRows: { oid: number; mode: string }[] = [];
      let after = before;
      try {
        await c.query(entry.sql);
        lockRows = (await c.query(MY_LOCKS_SQL)).rows.filter((r: { oid: number; mode: string }) => !held.has(`${r.oid}/${r.mode}`));
        after = await this.filenodes(c);
      } catch (err) {
        error = errText(err);
      }
      await c.query('ROLLBACK');
      return this.record(entry, lockRows, before, after, error);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  private async observeOutside(entry: CatalogEntry, db: string): Promise<ObservedRecord> {
    const clients: pg.Client[] = [];
    const open = async (app: string) => { const c = await this.connect(db, app); clients.push(c); return c; };
    try {
      const ctl = await open('observe-ctl');
      const runner = await open(`observe:${entry.id}`);
      const sampler = await open('observe-sampler');
      if (entry.setup) {
        try { await runner.query(entry.setup); } catch (err) {
          return this.record(entry, [], new Map(), new Map(), `setup failed: ${errText(err)}`);
        }
      }
      const runnerPid: number = (await runner.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const samplerPid: number = (await sampler.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await runner.query('SET statement_timeout = 0; SET lock_timeout = 0');
      const before = await this.filenodes(ctl);
      const key = 77_000 + Number(db.split('_').pop());
      await ctl.query('SELECT pg_advisory_lock($1)', [key]);
      await sampler.query('SET statement_timeout = 0; CREATE TEMP TABLE seen (oid oid, mode text, granted boolean, PRIMARY KEY (oid, mode, granted))');
      const sampling = sampler.query(`
        DO $$
        DECLARE deadline timestamptz := clock_timestamp() + interval '120 seconds';
        BEGIN
          LOOP
            INSERT INTO seen SELECT l.relation, l.mode, l.granted FROM pg_locks l
              WHERE l.pid = ${runnerPid} AND l.locktype = 'relation' AND l.relation IS NOT NULL
              ON CONFLICT DO NOTHING;
            EXIT WHEN clock_timestamp() > deadline OR pg_try_advisory_lock(${key});
          END LOOP;
        END $$`).then(() => undefined, (err) => errText(err));
      // wait until the sampler is looping
      for (let i = 0; i < 200; i++) {
        const r = await ctl.query(`SELECT state FROM pg_stat_activity WHERE pid = $1`, [samplerPid]);
        if (r.rows[0]?.state === 'active') break;
        await sleep(5);
      }
      await sleep(20);

      let blocker: pg.Client | undefined;
      if (entry.blocker) {
        blocker = await open('observe-blocker');
        await blocker.query('BEGIN');
        await blocker.query(entry.blocker);
      }
      let error: string | undefined;
      let done = false;
      const running = runner.query(entry.sql).then(() => undefined, (err) => { error = errText(err); }).finally(() => { done = true; });
      if (blocker) {
        // let the statement reach its wait on the blocker, keep it there while the sampler looks, then release
        const until = Date.now() + 10_000;
        while (!done && Date.now() < until) {
          const r = await ctl.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [runnerPid]);
          if (r.rows[0]?.wait_event_type === 'Lock') break;
          await sleep(5);
        }
        await sleep(100);
        await blocker.query('COMMIT');
      }
      await running;
      await sleep(20);
      await ctl.query('SELECT pg_advisory_unlock($1)', [key]);
      const samplerError = await sampling;
      const seen = (await sampler.query('SELECT oid::int AS oid, mode FROM seen')).rows as { oid: number; mode: string }[];
      const after = await this.filenodes(ctl);
      return this.record(entry, seen, before, after, error ?? (samplerError ? `sampler: ${samplerError}` : undefined));
    } finally {
      for (const c of clients) await c.end().catch(() => undefined);
    }
  }
}
