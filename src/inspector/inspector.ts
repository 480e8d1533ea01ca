// snapshot(): one read-only pass over the catalog questions of queries/, typed. A section that fails (a lock_timeout,
// a view this server lacks) becomes a note and an empty section; a broken connection fails the whole snapshot with a
// reason a user can read. No vscode, no UI types: the tree view maps these results to TreeItems.
import { assess } from './assess.js';
import { connect, describeError, type Connection, type ConnectOptions, type Target } from './connection.js';
import { backupsQuery } from './queries/backups.js';
import { blockingQuery } from './queries/blocking.js';
import { connectionsQuery } from './queries/connections.js';
import { copyProgressQuery, type CopyProgress } from './queries/copy-progress.js';
import { deadTuplesQuery } from './queries/dead-tuples.js';
import { indexBuildsQuery } from './queries/index-builds.js';
import { invalidIndexesQuery } from './queries/invalid-indexes.js';
import { lockQueuesQuery } from './queries/lock-queues.js';
import { serverQuery, type ServerRow } from './queries/server.js';
import { sessionsQuery } from './queries/sessions.js';
import { DEFAULT_LIMITS, runQuery, type Limits, type Query, type QueryContext } from './queries/sql.js';
import { vacuumsQuery } from './queries/vacuums.js';
import { wraparoundQuery } from './queries/wraparound.js';
import { xminHoldersQuery } from './queries/xmin-holders.js';
import { cancelBackend, precheck, terminateBackend, type ActionOptions, type ActionResult } from './actions.js';
import {
  fail, ok, type InspectorClient, type InspectorError, type Note, type Result, type SectionName, type Snapshot,
} from './types.js';

export interface SnapshotOptions {
  /** Display name of the target (never a URL with a password). */
  target?: string;
  limits?: Partial<Limits>;
  /**
   * Time budget for the whole snapshot: sections not yet asked when it runs out are skipped with a note, so a
   * struggling server gets fewer questions rather than a longer wait. Default 4000 ms.
   */
  budgetMs?: number;
  /** The inspector's own backend pid, when known (it is excluded by every query anyway). */
  selfPid?: number;
  /**
   * The previous snapshot of the same target: its catalog-wide sections (wraparound, deadTuples), which read every
   * row of pg_class and move slowly, are reused while younger than slowSectionsMaxAgeMs. server.reused says which.
   */
  previous?: Snapshot;
  /** Default 30000; 0 = always ask. */
  slowSectionsMaxAgeMs?: number;
}

/** Sections that scan every relation: O(tables), and they change over minutes, not seconds. */
export const SLOW_SECTIONS = ['wraparound', 'deadTuples'] as const;
const DEFAULT_SLOW_MAX_AGE_MS = 30000;

const DEFAULT_BUDGET_MS = 4000;

/** Errors that mean the connection itself is gone (no SQLSTATE, or an admin/crash shutdown). */
function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  if (code && /^[0-9A-Z]{5}$/.test(code)) return /^(57P0[1-3]|08...)$/.test(code);
  return true;
}

function emptySnapshot(server: ServerRow, target: string, fetchedAt: string): Snapshot {
  return {
    server: {
      version: server.version, versionNum: server.versionNum, uptime: server.uptime, startedAt: server.startedAt,
      database: server.database, user: server.user, target, inRecovery: server.inRecovery, tls: server.tls, pid: server.pid,
      session: server.session, settings: server.settings, fetchedAt, durationMs: 0, timings: {}, reused: {},
    },
    privileges: server.privileges,
    alerts: [],
    sessions: { total: 0, byState: {}, byBackendType: {}, byApplication: [], top: [], omitted: 0 },
    blocking: [],
    lockQueues: [],
    backups: [],
    vacuums: [],
    indexBuilds: [],
    wraparound: {
      database: { name: server.database, ageXid: 0, percentOfFreezeMaxAge: 0, percentOfWraparound: 0, ageMxid: 0 },
      databases: [], tables: [], freezeMaxAge: 0, failsafeAge: null,
    },
    xminHolders: [],
    deadTuples: [],
    invalidIndexes: [],
    connections: { max: 0, reservedSuperuser: 0, reserved: 0, used: 0, freeForNormalRoles: 0, idleInTransaction: 0, waiting: 0, active: 0 },
    notes: [],
    truncated: {},
  };
}

/** Takes one snapshot over an already-open, read-only client. Never throws. */
export async function snapshot(client: InspectorClient, opts: SnapshotOptions = {}): Promise<Result<Snapshot>> {
  const t0 = performance.now();
  const fetchedAt = new Date().toISOString();
  const limits: Limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  const budget = opts.budgetMs ?? DEFAULT_BUDGET_MS;

  let server: ServerRow;
  const ctx0: QueryContext = { versionNum: 0, limits };
  try {
    server = (await runQuery(client, serverQuery, ctx0))!;
  } catch (e) {
    return fail(describeError(e, undefined, 'query'));
  }
  const ctx: QueryContext = { versionNum: server.versionNum, limits };
  const snap = emptySnapshot(server, opts.target ?? server.database, fetchedAt);
  snap.server.timings.server = round(performance.now() - t0);
  const notes: Note[] = snap.notes;

  let lost: InspectorError | undefined;
  const ask = async <T>(q: Query<T>, apply: (v: T) => void): Promise<void> => {
    if (lost) return;
    if (performance.now() - t0 > budget) {
      notes.push({ section: q.section, level: 'warning', message: `skipped: the snapshot used up its ${budget} ms budget` });
      return;
    }
    const s = performance.now();
    let asked = true;
    try {
      const v = await runQuery(client, q, ctx);
      if (v === undefined) asked = false;
      else apply(v);
    } catch (e) {
      if (isConnectionFailure(e)) { lost = describeError(e, undefined, 'query'); return; }
      notes.push({ section: q.section, level: 'error', message: describeError(e, undefined, 'query').message });
    } finally {
      if (asked) snap.server.timings[q.section] = round(performance.now() - s);
    }
  };
  const trunc = (section: SectionName, n: number) => { if (n > 0) snap.truncated[section] = n; };

  // Most urgent questions first: if the budget runs out, what is left is the slow-moving state.
  let waiters: Set<number> | undefined;
  let waitersTotal: number | undefined;
  await ask(blockingQuery, (v) => {
    snap.blocking = v.nodes;
    trunc('blocking', v.omitted);
    ctx.relationWaits = v.relationWaits;
    waitersTotal = v.waitersTotal;
    waiters = new Set(v.nodes.filter((n) => n.waitingFor).map((n) => n.pid));
    if (v.waitersNotExamined) notes.push({ section: 'blocking', level: 'info', message: `${v.waitersNotExamined} more waiting sessions were not examined (limit ${limits.waiters})` });
  });
  await ask(lockQueuesQuery, (v) => { snap.lockQueues = v.queues; trunc('lockQueues', v.omitted); });
  await ask(connectionsQuery, (v) => { snap.connections = { ...v, waiting: waitersTotal ?? v.waiting }; });
  await ask(backupsQuery, (v) => { snap.backups = v.backups; trunc('backups', v.omitted); });
  let copies: CopyProgress[] = [];
  if (snap.backups.length > 0) await ask(copyProgressQuery, (v) => { copies = v; });
  await ask(vacuumsQuery, (v) => { snap.vacuums = v.vacuums; trunc('vacuums', v.omitted); });
  await ask(indexBuildsQuery, (v) => { snap.indexBuilds = v.builds; trunc('indexBuilds', v.omitted); });
  await ask(sessionsQuery, (v) => {
    // pg_locks (through the blocking graph) knows every waiter, also those a plain role cannot see waiting
    if (waiters) for (const s of v.top) s.waitingForLock = s.waitingForLock || waiters.has(s.pid);
    snap.sessions = v;
    trunc('sessions', v.omitted);
  });
  await ask(xminHoldersQuery, (v) => { snap.xminHolders = v.holders; trunc('xminHolders', v.omitted); });
  const prev = opts.previous;
  const maxAge = opts.slowSectionsMaxAgeMs ?? DEFAULT_SLOW_MAX_AGE_MS;
  const reusable = (section: (typeof SLOW_SECTIONS)[number]): boolean => {
    if (!prev || maxAge <= 0 || prev.server.database !== server.database) return false;
    const at = prev.server.reused[section] ?? prev.server.fetchedAt;
    if (Date.parse(fetchedAt) - Date.parse(at) >= maxAge) return false;
    snap.server.reused[section] = at;
    return true;
  };
  if (reusable('wraparound')) snap.wraparound = prev!.wraparound;
  else await ask(wraparoundQuery, (v) => { snap.wraparound = v; });
  if (reusable('deadTuples')) snap.deadTuples = prev!.deadTuples;
  else await ask(deadTuplesQuery, (v) => { snap.deadTuples = v; });
  await ask(invalidIndexesQuery, (v) => { snap.invalidIndexes = v.indexes; trunc('invalidIndexes', v.omitted); });
  if (lost) return fail(lost);

  for (const b of snap.backups) {
    const c = copies.find((x) => x.pid === b.pid);
    if (c) b.copy = { relation: c.relation, command: c.command, type: c.type, bytesProcessed: c.bytesProcessed, tuplesProcessed: c.tuplesProcessed };
  }
  notes.push(...privilegeNotes(snap), ...versionNotes(snap));
  snap.alerts = assess(snap);
  snap.server.durationMs = round(performance.now() - t0);
  return ok(snap);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** What a role without pg_read_all_stats cannot see, said per section (postgres-facts.md §3.2). */
export function privilegeNotes(s: Snapshot): Note[] {
  if (s.privileges.level !== 'plain') return [];
  const user = s.server.user;
  const grant = `grant pg_monitor (or pg_read_all_stats) to ${user}`;
  const out: Note[] = [
    { section: 'sessions', level: 'warning', message: `query, state and wait of other roles' sessions hidden: ${grant}` },
    { section: 'blocking', level: 'warning', message: `query hidden: ${grant} (the tree and lock modes are still complete)` },
    { section: 'backups', level: 'warning', message: `only pg_dump sessions are recognisable; COPY TO and base backups of other roles are invisible: ${grant}` },
    { section: 'vacuums', level: 'warning', message: `relation, phase and whether a vacuum is anti-wraparound are hidden: ${grant}` },
    { section: 'indexBuilds', level: 'warning', message: `relation and phase of other roles' index builds hidden: ${grant}` },
  ];
  if (!s.privileges.signalBackend) {
    out.push({ section: 'blocking', level: 'info', message: `cancel/terminate works on ${user}'s own sessions only: grant pg_signal_backend to ${user}` });
  }
  return out;
}

export function versionNotes(s: Snapshot): Note[] {
  const out: Note[] = [];
  if (s.server.versionNum < 140000) {
    out.push({ section: 'backups', level: 'info', message: 'COPY progress needs PostgreSQL 14 (pg_stat_progress_copy); not shown' });
    if (s.lockQueues.length > 0) {
      out.push({ section: 'lockQueues', level: 'info', message: 'PostgreSQL 13 has no pg_locks.waitstart: queue positions follow query start times' });
    }
  }
  if (s.privileges.useReservedConnections === false && !s.privileges.superuser) {
    out.push({ section: 'connections', level: 'info', message: `when connection slots run out, ${s.server.user} will be refused: grant pg_use_reserved_connections to ${s.server.user}` });
  } else if (s.privileges.useReservedConnections === null && !s.privileges.superuser) {
    out.push({ section: 'connections', level: 'info', message: `when connection slots run out, only superusers get in before PostgreSQL 16; ${s.server.user} will be refused` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------

export interface SessionOptions extends SnapshotOptions {
  connectOptions?: ConnectOptions;
  /** For tests: how to open the connection. */
  open?: (target: Target, opts?: ConnectOptions) => Promise<Result<Connection>>;
}

/**
 * One target, one connection: opened lazily, reused across refreshes, reopened after it breaks. Calls are
 * serialised, so a refresh timer that fires during a slow snapshot waits instead of opening a second connection.
 */
export class InspectorSession {
  private conn: Connection | undefined;
  private last: Snapshot | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(readonly target: Target, private readonly opts: SessionOptions = {}) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async connection(): Promise<Result<Connection>> {
    if (this.closed) return fail({ code: 'internal', message: 'the inspector session was closed' });
    if (this.conn && !this.conn.broken) return ok(this.conn);
    if (this.conn) { await this.conn.close(); this.conn = undefined; }
    const r = await (this.opts.open ?? connect)(this.target, this.opts.connectOptions);
    if (r.ok) this.conn = r.value;
    return r;
  }

  snapshot(): Promise<Result<Snapshot>> {
    return this.serial(async () => {
      const c = await this.connection();
      if (!c.ok) return c;
      const r = await snapshot(c.value.client, {
        ...this.opts, target: this.opts.target ?? this.target.name, selfPid: c.value.pid, previous: this.last,
      });
      if (r.ok) this.last = r.value;
      if (!r.ok && (r.error.code === 'lost' || r.error.code === 'unreachable' || c.value.broken)) {
        await c.value.close();
        this.conn = undefined;
      }
      if (r.ok) {
        for (const w of this.target.warnings) r.value.notes.push({ section: 'connection', level: 'info', message: w });
      }
      return r;
    });
  }

  /** The next snapshot asks every question again (e.g. after the user pressed refresh). */
  invalidate(): void {
    this.last = undefined;
  }

  /**
   * Runs `fn` with this session's read-only client, in turn with the session's other questions (the preflight asks
   * its focused lock and size questions this way, on the same single connection). Errors become a readable Result.
   */
  withClient<T>(fn: (client: InspectorClient) => Promise<T>): Promise<Result<T>> {
    return this.serial(async () => {
      const c = await this.connection();
      if (!c.ok) return c;
      try {
        return ok(await fn(c.value.client));
      } catch (e) {
        return fail(describeError(e, undefined, 'query'));
      }
    });
  }

  /** Cancel the query of a pid (pg_cancel_backend). See actions.ts for the guards. */
  cancel(pid: number, opts: ActionOptions = {}): Promise<ActionResult> {
    const refused = precheck(this.target, pid);
    if (refused) return Promise.resolve(refused);
    return this.serial(async () => {
      const c = await this.connection();
      if (!c.ok) return c;
      return cancelBackend(c.value.client, this.target, pid, { ...opts, selfPid: c.value.pid });
    });
  }

  /** Terminate the session of a pid (pg_terminate_backend). See actions.ts for the guards. */
  terminate(pid: number, opts: ActionOptions = {}): Promise<ActionResult> {
    const refused = precheck(this.target, pid);
    if (refused) return Promise.resolve(refused);
    return this.serial(async () => {
      const c = await this.connection();
      if (!c.ok) return c;
      return terminateBackend(c.value.client, this.target, pid, { ...opts, selfPid: c.value.pid });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.chain.catch(() => undefined);
    await this.conn?.close();
    this.conn = undefined;
  }
}

/** Connect, take one snapshot, disconnect: the CLI's path. */
export async function inspectOnce(target: Target, opts: SessionOptions = {}): Promise<Result<Snapshot>> {
  const s = new InspectorSession(target, opts);
  try {
    return await s.snapshot();
  } finally {
    await s.close();
  }
}
