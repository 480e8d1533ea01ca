// Observes, on a real cluster, which table-level locks each catalog entry takes and which relations it rewrites.
//
// Transactional entries: in a copy of the fixture template (CREATE DATABASE … TEMPLATE; one per worker, reused from
// entry to entry since every entry ends in ROLLBACK — checked to give the same records as one copy per entry), runs
//   BEGIN; <setup>; [snapshot]; <statement>; [read pg_locks of pg_backend_pid()]; ROLLBACK
// Locks are read for that backend (locktype 'relation'), kept for relations of schema public that exist in the fixture
// (named public.<name>, as before the statement: a renamed or moved relation keeps its old name), minus the
// (relation, mode) pairs the setup already held; the strongest mode per relation is kept. A relation whose
// pg_class.relfilenode changed between the snapshot and the end of the statement was rewritten.
//
// Non-transactional entries (CONCURRENTLY, VACUUM …) commit internally, so their locks are watched from other
// sessions, deterministically: before the statement starts, one "block" session per relation of the entry's `family`
// (the tables, their partitions/children and all their indexes) holds an AccessExclusiveLock on it, so the
// statement's first request on each relation waits; each time the statement waits for one of our sessions
// (pg_blocking_pids), its locks are read from pg_locks and that session is released. A released table's block is
// followed by a "catch" session (AccessShareLock) so that later waits for lockers (DROP INDEX CONCURRENTLY waits for
// every transaction using the table) stop there too; once the statement waits for other transactions, "reader"
// sessions holding AccessShareLock on the whole family make any later AccessExclusiveLock request wait as well.
// A server-side sampler loop records the rest; what only it saw is reported apart (`sampledOnly`), since it depends
// on timing (it is typically the final AccessExclusiveLock on an index that is already dead, which cannot block
// anybody). Rewrites are found by comparing relfilenodes after the statement has finished.
// Entries that drop and re-create a relation under the same name (indexes rebuilt by ALTER COLUMN TYPE, REINDEX
// CONCURRENTLY) count as rewritten.
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
  /** non-transactional entries: stronger modes that only the timing-dependent sampler saw (information only) */
  sampledOnly?: Record<string, LockMode>;
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

  private adminQueue: Promise<unknown> = Promise.resolve();
  /** One query at a time on the shared admin connection. */
  private adminQuery(sql: string): Promise<unknown> {
    const run = this.adminQueue.then(() => this.admin!.query(sql));
    this.adminQueue = run.catch(() => undefined);
    return run;
  }

  private async freshDb(): Promise<string> {
    const name = `obs_${process.pid}_${++this.seq}`;
    // FILE_COPY is cheaper than WAL_LOG (15+ default) for a small template on a throwaway cluster
    const strategy = this.major >= 15 ? ' STRATEGY FILE_COPY' : '';
    await this.adminQuery(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}${strategy}`);
    return name;
  }

  private async dropDb(name: string): Promise<void> {
    await this.adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  }

  private connect(db: string, app: string): Promise<pg.Client> {
    return this.cluster.connect({ database: db, application_name: app }).then(async (c) => {
      await c.query("SET lock_timeout = '20s'; SET statement_timeout = '60s'; SET client_min_messages = warning");
      return c;
    });
  }

  /** Observes one entry in a database of its own. */
  async observe(entry: CatalogEntry): Promise<ObservedRecord> {
    const db = await this.freshDb();
    try {
      if (entry.nonTransactional) return await this.observeOutside(entry, db);
      const c = await this.connect(db, 'observe');
      try { return await this.observeInside(entry, c); } finally { await c.end().catch(() => undefined); }
    } finally {
      await this.dropDb(db);
    }
  }

  /**
   * Observes several entries. Transactional ones run `concurrency` at a time, each worker in its own copy of the
   * template that it reuses from entry to entry (every entry ends in ROLLBACK, so the copy stays pristine); the
   * non-transactional ones then run one at a time, each in a fresh copy.
   */
  async observeAll(entries: CatalogEntry[], concurrency = 3, onRecord?: (r: ObservedRecord) => void): Promise<ObservedRecord[]> {
    const out = new Map<string, ObservedRecord>();
    const inside = entries.filter((e) => !e.nonTransactional);
    const outside = entries.filter((e) => e.nonTransactional);
    let next = 0;
    const worker = async () => {
      if (next >= inside.length) return;
      const db = await this.freshDb();
      let c: pg.Client | undefined;
      try {
        while (next < inside.length) {
          const e = inside[next++];
          c ??= await this.connect(db, 'observe');
          let r: ObservedRecord;
          try {
            r = await this.observeInside(e, c);
          } catch (err) {
            r = this.record(e, [], new Map(), new Map(), `observer: ${errText(err)}`);
            await c.end().catch(() => undefined);
            c = undefined;
          }
          out.set(e.id, r);
          onRecord?.(r);
        }
      } finally {
        await c?.end().catch(() => undefined);
        await this.dropDb(db);
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
    after: Map<number, string>, error?: string,
    names?: { namesBefore: Map<string, string>; namesAfter: Map<string, string> }): ObservedRecord {
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
      let now = after.get(oid);
      const rel = byOid.get(oid);
      // dropped and re-created under the same name (indexes rebuilt by ALTER COLUMN TYPE, REINDEX CONCURRENTLY)
      if (now === undefined && rel && names && names.namesBefore.get(rel.name) === fn) now = names.namesAfter.get(rel.name);
      if (now === undefined || now === fn || fn === '0') continue; // dropped, unchanged, or no storage
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

  private async observeInside(entry: CatalogEntry, c: pg.Client): Promise<ObservedRecord> {
    await c.query('BEGIN');
    try {
      if (entry.setup) await c.query(entry.setup);
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      return this.record(entry, [], new Map(), new Map(), `setup failed: ${errText(err)}`);
    }
    const namesBefore = await this.names(c);
    const held = new Set((await c.query(MY_LOCKS_SQL)).rows.map((r: { oid: number; mode: string }) => `${r.oid}/${r.mode}`));
    const before = await this.filenodes(c);
    let error: string | undefined;
    let lockRows: { oid: number; mode: string }[] = [];
    let after = before;
    let namesAfter: Map<string, string> | undefined;
    try {
      await c.query(entry.sql);
      lockRows = (await c.query(MY_LOCKS_SQL)).rows.filter((r: { oid: number; mode: string }) => !held.has(`${r.oid}/${r.mode}`));
      after = await this.filenodes(c);
      namesAfter = await this.names(c);
    } catch (err) {
      error = errText(err);
    }
    await c.query('ROLLBACK');
    return this.record(entry, lockRows, before, after, error, namesAfter && { namesBefore, namesAfter });
  }

  private async observeOutside(entry: CatalogEntry, db: string): Promise<ObservedRecord> {
    const clients: pg.Client[] = [];
    const open = async (database: string, app: string) => {
      const c = await this.connect(database, app);
      clients.push(c);
      return c;
    };
    const seen: { oid: number; mode: string }[] = [];
    try {
      // meta: catalog reads in the entry's database; ctl and sampler live in another database so that their
      // snapshots never hold up CREATE INDEX CONCURRENTLY & co. (those wait only for snapshots of their own database)
      const meta = await open(db, 'observe-meta');
      const ctl = await open('postgres', 'observe-ctl');
      const sampler = await open('postgres', 'observe-sampler');
      const runner = await open(db, `observe:${entry.id}`);
      if (entry.setup) {
        try { await runner.query(entry.setup); } catch (err) {
          return this.record(entry, [], new Map(), new Map(), `setup failed: ${errText(err)}`);
        }
      }
      const pidOf = async (c: pg.Client): Promise<number> => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const runnerPid = await pidOf(runner);
      const samplerPid = await pidOf(sampler);
      await runner.query('SET statement_timeout = 0; SET lock_timeout = 0');
      const before = await this.filenodes(meta);
      const namesBefore = await this.names(meta);
      const family = entry.family?.length ? await this.family(meta, entry.family) : [];
      const familyTables = family.filter((r) => r.relkind !== 'i' && r.relkind !== 'I');

      // Sessions the statement may have to wait for:
      //  'block'  — AccessExclusiveLock on one relation of the family, taken before the statement starts: its first
      //             lock request on each relation waits, and is seen;
      //  'catch'  — AccessShareLock on one table, queued behind that table's 'block' when the statement gets past it,
      //             so that the statement's later waits for lockers (DROP INDEX CONCURRENTLY …) stop on it;
      //  'reader' — AccessShareLock on every table and index of the family, armed once all 'block's are gone and
      //             re-armed before each release, so that any later AccessExclusiveLock request (the final drop of
      //             an index, of a detached partition) waits and is seen;
      //  'entry'  — the catalog entry's own blocker.
      type Kind = 'block' | 'catch' | 'reader' | 'entry';
      interface Session { client: pg.Client; pid: number; kind: Kind; rel?: { name: string; relkind: string }; live: boolean; pending?: Promise<unknown> }
      const sessions = new Map<number, Session>();
      const start = async (kind: Kind, sqls: string[], rel?: Session['rel'], wait = true): Promise<Session> => {
        const client = await open(db, `observe-${kind}${rel ? `:${rel.name}` : ''}`);
        const s: Session = { client, pid: await pidOf(client), kind, rel, live: true };
        sessions.set(s.pid, s);
        await client.query(`SET lock_timeout = '${kind === 'block' ? '5s' : '30s'}'`);
        await client.query('BEGIN');
        const run = (async () => { for (const q of sqls) await client.query(q); })();
        s.pending = run.then(() => { s.pending = undefined; }, () => { s.live = false; s.pending = undefined; });
        if (wait) await s.pending;
        return s;
      };
      const release = async (s: Session) => {
        if (!s.live) return;
        s.live = false;
        if (s.pending) {
          await ctl.query('SELECT pg_cancel_backend($1)', [s.pid]).catch(() => undefined);
          await s.pending;
        }
        await s.client.query('ROLLBACK').catch(() => undefined);
      };
      const readerSql = () => familyTables.map((t) => `SELECT 1 FROM ONLY ${t.name} LIMIT 0`);
      const armReader = async () => {
        if (!familyTables.length) return;
        const r = await start('reader', readerSql(), undefined, false);
        const until = Date.now() + 300;
        while (r.pending && Date.now() < until) await sleep(2);
        if (r.pending) await release(r); // could not get its locks (the statement holds an AccessExclusiveLock)
      };

      for (const rel of family) {
        await start('block', [rel.relkind === 'i' || rel.relkind === 'I'
          ? `ALTER INDEX ${rel.name} SET TABLESPACE pg_default`
          : `LOCK TABLE ONLY ${rel.name} IN ACCESS EXCLUSIVE MODE`], rel);
      }
      if (entry.blocker) await start('entry', [entry.blocker]);

      // the sampler: a server-side loop recording every relation lock of the statement until an advisory lock frees
      // up (what it sees only is reported apart: it depends on timing)
      const key = 77_000 + Number(db.split('_').pop());
      await ctl.query('SELECT pg_advisory_lock($1)', [key]);
      await sampler.query('SET statement_timeout = 0; CREATE TEMP TABLE seen (oid oid, mode text, PRIMARY KEY (oid, mode))');
      const sampling = sampler.query(`
        DO $$
        DECLARE deadline timestamptz := clock_timestamp() + interval '120 seconds';
        BEGIN
          LOOP
            INSERT INTO seen SELECT l.relation, l.mode FROM pg_locks l
              WHERE l.pid = ${runnerPid} AND l.locktype = 'relation' AND l.relation IS NOT NULL
              ON CONFLICT DO NOTHING;
            EXIT WHEN clock_timestamp() > deadline OR pg_try_advisory_lock(${key});
          END LOOP;
        END $$`).then(() => undefined, (err) => errText(err));
      for (let i = 0; i < 400; i++) {
        const r = await ctl.query('SELECT state FROM pg_stat_activity WHERE pid = $1', [samplerPid]);
        if (r.rows[0]?.state === 'active') break;
        await sleep(5);
      }

      let error: string | undefined;
      let done = false;
      const running = runner.query(entry.sql).then(() => undefined, (err) => { error = errText(err); }).finally(() => { done = true; });
      const deadline = Date.now() + 60_000;
      let rounds = 0;
      while (!done) {
        const blockedBy: number[] = (await ctl.query('SELECT pg_blocking_pids($1) AS p', [runnerPid])).rows[0].p ?? [];
        const ours = blockedBy.map((p) => sessions.get(p)).filter((s): s is Session => !!s?.live);
        if (!ours.length && Date.now() < deadline) { await sleep(1); continue; }
        if (++rounds > 500 || Date.now() > deadline) {
          for (const s of sessions.values()) await release(s);
          continue;
        }
        seen.push(...(await ctl.query(`SELECT relation::int AS oid, mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation'`, [runnerPid])).rows);
        if (process.env.OBSERVE_DEBUG) console.error(entry.id, rounds, ours.map((s) => `${s.kind}:${s.rel?.name ?? ""}`).join(","), JSON.stringify(seen.slice(-12)));
        const blocks = ours.filter((s) => s.kind === 'block');
        if (blocks.length) {
          for (const b of blocks) {
            if (b.rel && b.rel.relkind !== 'i' && b.rel.relkind !== 'I') {
              await start('catch', [`LOCK TABLE ONLY ${b.rel.name} IN ACCESS SHARE MODE`], b.rel, false);
            }
          }
          await sleep(5); // let the catchers queue up behind the blockers
          for (const b of blocks) await release(b);
        } else {
          const waits: string[] = (await ctl.query('SELECT locktype FROM pg_locks WHERE pid = $1 AND NOT granted', [runnerPid])).rows.map((r) => r.locktype);
          if (!waits.includes('relation')) {
            // waiting for other transactions to finish (WaitForLockers, WaitForOlderSnapshots): the statement is
            // past its first lock requests, so swap the remaining blockers for a reader that will catch any later
            // AccessExclusiveLock request
            for (const s of sessions.values()) if (s.kind === 'block') await release(s);
            await armReader();
          }
          for (const s of ours) await release(s);
        }
      }
      await running;
      for (const s of sessions.values()) await release(s);
      await ctl.query('SELECT pg_advisory_unlock($1)', [key]);
      const samplerError = await sampling;
      const sampled = (await sampler.query('SELECT oid::int AS oid, mode FROM seen')).rows as { oid: number; mode: string }[];
      const after = await this.filenodes(meta);
      const namesAfter = await this.names(meta);
      const rec = this.record(entry, seen, before, after, error ?? (samplerError ? `sampler: ${samplerError}` : undefined), { namesBefore, namesAfter });
      const extra = this.record(entry, sampled, new Map(), new Map()).locks;
      const sampledOnly: Record<string, LockMode> = {};
      for (const [rel, mode] of Object.entries(extra)) if (strongerMode(rec.locks[rel], mode) !== rec.locks[rel]) sampledOnly[rel] = mode;
      if (Object.keys(sampledOnly).length) rec.sampledOnly = sampledOnly;
      return rec;
    } finally {
      for (const c of clients) await c.end().catch(() => undefined);
    }
  }

  /** The named tables, their partitions / inheritance children, and every index of those. */
  private async family(c: pg.Client, tables: string[]): Promise<{ name: string; relkind: string }[]> {
    const r = await c.query(`
      WITH RECURSIVE fam(oid) AS (
        SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])
        UNION
        SELECT i.inhrelid FROM pg_inherits i JOIN fam f ON i.inhparent = f.oid
      ), rels AS (
        SELECT oid FROM fam
        UNION
        SELECT x.indexrelid FROM pg_index x WHERE x.indrelid IN (SELECT oid FROM fam)
      )
      SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, c.relkind::text AS relkind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN rels r ON r.oid = c.oid
      ORDER BY c.relkind IN ('i', 'I'), c.oid`, [tables]);
    return r.rows;
  }

  private async names(c: pg.Client): Promise<Map<string, string>> {
    const rows = (await c.query(REL_SQL)).rows as RelInfo[];
    return new Map(rows.map((r) => [r.name, r.relfilenode]));
  }
}
