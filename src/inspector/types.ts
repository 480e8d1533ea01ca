// The live inspector's typed results. The JSON keys of Snapshot are a contract other tools rely on (the tree view,
// `pg-preflight inspect --format json`, the preflight): keep them, add fields freely.

/** The only thing the inspector needs from a database driver. pg.Client satisfies it structurally. */
export interface InspectorClient {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export type Result<T, E = InspectorError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<E = InspectorError>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

export type ErrorCode =
  | 'unreachable' // DNS, refused, timed out, TLS failure
  | 'auth' // password, pg_hba, missing password
  | 'no-database'
  | 'too-many-connections' // including "remaining connection slots are reserved"
  | 'starting-up' // 57P03: starting up, shutting down, recovery not consistent
  | 'config' // the connection options themselves are wrong (bad URL, unknown sslmode, missing root cert)
  | 'lost' // the connection broke during a snapshot
  | 'timeout' // a query exceeded its time budget
  | 'permission'
  | 'read-only' // an action on a read-only target
  | 'wraparound-vacuum' // an action against an anti-wraparound autovacuum without confirmWraparound
  | 'not-found' // an action against a pid that is gone
  | 'invalid'
  | 'internal';

export interface InspectorError {
  code: ErrorCode;
  /** One line a user can act on; never contains a password. */
  message: string;
  /** More context (redacted), e.g. the server's own message. */
  detail?: string;
  /** SQLSTATE when the server reported one. */
  sqlState?: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// snapshot

export interface Snapshot {
  server: ServerInfo;
  privileges: Privileges;
  /** The most alarming findings first; derived from the sections below (assess.ts). */
  alerts: Alert[];
  sessions: Sessions;
  blocking: BlockingNode[];
  lockQueues: LockQueue[];
  backups: Backup[];
  vacuums: Vacuum[];
  indexBuilds: IndexBuild[];
  wraparound: Wraparound;
  xminHolders: XminHolder[];
  deadTuples: DeadTuples[];
  invalidIndexes: InvalidIndex[];
  connections: Connections;
  /** Degradations and failures per section: hidden columns, skipped views, a section that timed out. */
  notes: Note[];
  /** When a section was cut to its top-N: how many entries were left out. */
  truncated: Partial<Record<SectionName, number>>;
}

export type SectionName =
  | 'server' | 'sessions' | 'blocking' | 'lockQueues' | 'backups' | 'copyProgress' | 'vacuums' | 'indexBuilds'
  | 'wraparound' | 'xminHolders' | 'deadTuples' | 'invalidIndexes' | 'connections';

export interface Note {
  section: SectionName | 'connection';
  level: 'info' | 'warning' | 'error';
  message: string;
}

export type Severity = 'critical' | 'warning' | 'info';

export interface Alert {
  severity: Severity;
  section: SectionName;
  /** Stable id for the kind of alert, e.g. "lock-pile-up", "wraparound-vacuum-blocking". */
  kind: string;
  message: string;
  /** The sessions involved, when any (for "show in tree" / cancel actions). */
  pids?: number[];
  relation?: string;
}

export interface ServerInfo {
  /** server_version, e.g. "15.8" or "18.4" */
  version: string;
  /** server_version_num, e.g. 150008 */
  versionNum: number;
  /** seconds since the postmaster started */
  uptime: number;
  startedAt: string;
  database: string;
  user: string;
  /** The target's display name: its name if given, else the redacted URL. */
  target: string;
  inRecovery: boolean;
  /** Whether this inspector's own connection uses TLS. */
  tls: boolean | null;
  /** This inspector's own backend pid (excluded from every section). */
  pid: number;
  /** The session's safety settings as the server reports them. */
  session: { readOnly: boolean; lockTimeout: string; statementTimeout: string; applicationName: string };
  settings: Record<string, string>;
  fetchedAt: string;
  durationMs: number;
  /** Per-section query time in ms (sections not asked this time are absent). */
  timings: Partial<Record<SectionName, number>>;
  /** Sections taken over from the previous snapshot of a session (slow-moving, catalog-wide), with their fetchedAt. */
  reused: Partial<Record<SectionName, string>>;
}

export interface Privileges {
  /** 'superuser' and 'monitor' see everything; 'plain' sees other roles' sessions without query, state or wait. */
  level: 'superuser' | 'monitor' | 'plain';
  superuser: boolean;
  pgMonitor: boolean;
  readAllStats: boolean;
  signalBackend: boolean;
  /** null before PostgreSQL 16, where the role does not exist. */
  useReservedConnections: boolean | null;
  /** Can this role get in when only reserved slots are left? */
  canUseReservedSlots: boolean;
}

export interface SessionInfo {
  pid: number;
  database: string | null;
  user: string | null;
  application: string;
  clientAddr: string | null;
  backendType: string | null;
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  /** Waiting for a heavyweight lock (from pg_locks, so also visible to plain roles). */
  waitingForLock: boolean;
  xactStart: string | null;
  queryStart: string | null;
  /** Seconds since xact_start (or query_start). */
  xactSeconds: number | null;
  querySeconds: number | null;
  /** Whitespace-collapsed, truncated; null when hidden by privileges. */
  query: string | null;
  queryHidden: boolean;
  backendXmin: number | null;
}

export interface Sessions {
  /** Every backend except this inspector's own. */
  total: number;
  byState: Record<string, number>;
  byBackendType: Record<string, number>;
  /** Top applications by session count. */
  byApplication: { application: string; count: number }[];
  /** The most interesting sessions (waiting, then the oldest non-idle transactions), at most `limit`. */
  top: SessionInfo[];
  omitted: number;
}

export interface LockTarget {
  locktype: string;
  mode: string;
  /** Schema-qualified relation for relation/page/tuple locks in this database. */
  relation: string | null;
  /** For transactionid locks: the xid waited for. */
  transactionId: number | null;
}

export interface BlockingNode {
  /** 0 = a prepared transaction (pg_blocking_pids reports those as pid 0). */
  pid: number;
  kind: 'session' | 'prepared';
  /** For prepared transactions: the gid. */
  gid?: string;
  /** Sessions this one waits for, from pg_blocking_pids() (holders and requests queued ahead of it). */
  blockedBy: number[];
  /** When blockedBy contains 0: the prepared transactions behind it. */
  blockedByPrepared?: string[];
  root: boolean;
  /** 0 for roots; distance from the nearest root otherwise. */
  depth: number;
  /** Sessions waiting directly on this one / through any chain. */
  blocks: number;
  blocksTotal: number;
  waitingFor: LockTarget | null;
  waitSeconds: number | null;
  application: string | null;
  user: string | null;
  backendType: string | null;
  state: string | null;
  xactSeconds: number | null;
  query: string | null;
  queryHidden: boolean;
}

export interface LockHolder {
  /** 0 = prepared transaction */
  pid: number;
  gid?: string;
  mode: string;
  application: string | null;
  /** This holder is also waiting for a stronger lock here (DROP TRIGGER holds AccessShare, waits AccessExclusive). */
  alsoWaiting: boolean;
  /** The holder's mode conflicts with at least one waiting request here. */
  blocksWaiters: boolean;
  query: string | null;
}

export interface LockWaiter {
  pid: number;
  mode: string;
  /** 1 = first in the queue. */
  position: number;
  /** "held": a granted conflicting lock holds it; "queued": it waits only behind another waiter's request. */
  reason: 'held' | 'queued';
  /** Holders of a granted conflicting lock (0 = prepared transaction). */
  heldBy: number[];
  /** Conflicting requests ahead of it in the queue. */
  queuedBehind: number[];
  application: string | null;
  waitSeconds: number | null;
  query: string | null;
}

export interface LockQueue {
  relation: string;
  holders: LockHolder[];
  waiters: LockWaiter[];
  holdersTotal: number;
  waitersTotal: number;
  /** What the first waiting request blocks, e.g. "reads and writes" for an AccessExclusiveLock. */
  headBlocks: string | null;
}

export type BackupKind = 'pg_dump' | 'copy' | 'basebackup' | 'low-level';

export interface Backup {
  pid: number;
  kind: BackupKind;
  /** pg_dump: the leader holds every table's AccessShareLock, workers COPY one table each. */
  role?: 'leader' | 'worker';
  application: string;
  user: string | null;
  clientAddr: string | null;
  state: string | null;
  xactSeconds: number | null;
  /** Relations it holds locks on (user tables, contested ones first), at most 10. */
  relations: string[];
  relationsTotal: number;
  /** Relations among `relations` that have waiting lock requests right now. */
  contested: string[];
  backendXmin: number | null;
  query: string | null;
  copy?: { relation: string | null; command: string; type: string; bytesProcessed: number; tuplesProcessed: number };
  basebackup?: { phase: string; streamedBytes: number | null; totalBytes: number | null };
}

export interface Vacuum {
  pid: number;
  database: string | null;
  relation: string | null;
  /** null when the query text is hidden (plain role). */
  wraparound: boolean | null;
  auto: boolean | null;
  /** VACUUM FULL / CLUSTER (pg_stat_progress_cluster) */
  full: boolean;
  phase: string | null;
  percent: number | null;
  heapBlocksTotal: number | null;
  heapBlocksScanned: number | null;
  indexVacuumCount: number | null;
  runningSeconds: number | null;
  waitEvent: string | null;
  query: string | null;
}

export interface IndexBuild {
  pid: number;
  database: string | null;
  relation: string | null;
  index: string | null;
  command: string | null;
  phase: string | null;
  percent: number | null;
  /** CREATE INDEX CONCURRENTLY waits for these transactions (current_locker_pid, lockers). */
  currentLockerPid: number | null;
  lockersTotal: number | null;
  lockersDone: number | null;
  runningSeconds: number | null;
  query: string | null;
}

export interface WraparoundTable {
  relation: string;
  /** The table a TOAST table belongs to. */
  toastOf: string | null;
  ageXid: number;
  freezeMaxAge: number;
  percentOfFreezeMaxAge: number;
  /** Past its freeze max age: an anti-wraparound autovacuum is due and will not yield to locks. */
  autovacuumForced: boolean;
  ageMxid: number;
  sizeBytesEstimate: number;
}

export interface WraparoundDatabase {
  name: string;
  ageXid: number;
  percentOfFreezeMaxAge: number;
  /** Of the 2^31 hard limit */
  percentOfWraparound: number;
  ageMxid: number;
}

export interface Wraparound {
  database: WraparoundDatabase;
  /** All databases, oldest first, at most 5 */
  databases: WraparoundDatabase[];
  tables: WraparoundTable[];
  freezeMaxAge: number;
  failsafeAge: number | null;
}

export type XminHolderKind = 'backend' | 'prepared' | 'slot' | 'slot-catalog' | 'standby';

export interface XminHolder {
  kind: XminHolderKind;
  /** pid for backends and standbys, gid for prepared transactions, slot name for slots */
  id: string;
  pid?: number;
  xmin: number;
  ageXid: number;
  database: string | null;
  /** What it keeps VACUUM from cleaning: every table, only system catalogs, or only shared catalogs (other database). */
  holdsBack: 'all' | 'catalogs' | 'shared-catalogs';
  application?: string | null;
  state?: string | null;
  since?: string | null;
  seconds?: number | null;
  query?: string | null;
  /** slots */
  slotType?: string;
  plugin?: string | null;
  active?: boolean;
  walStatus?: string | null;
  /** A statement that releases it (for the UI; the inspector never runs it). */
  fix: string;
}

export interface DeadTuples {
  relation: string;
  dead: number;
  live: number;
  percentDead: number | null;
  /** n_dead_tup above which autovacuum triggers (threshold + scale factor × reltuples). */
  autovacuumThreshold: number;
  autovacuumEnabled: boolean;
  lastVacuum: string | null;
  lastAutovacuum: string | null;
}

export interface InvalidIndex {
  index: string;
  table: string;
  valid: boolean;
  ready: boolean;
  live: boolean;
  /** `_ccnew`/`_ccold` leftovers of an interrupted REINDEX CONCURRENTLY */
  reindexLeftover: boolean;
  sizeBytesEstimate: number;
  definition: string;
}

export interface Connections {
  max: number;
  reservedSuperuser: number;
  /** reserved_connections (16+), 0 before */
  reserved: number;
  /** Client backends, this inspector's own connection included */
  used: number;
  /** Slots left for roles without reserved-slot privileges (negative when reserved slots are in use) */
  freeForNormalRoles: number;
  idleInTransaction: number;
  /** Sessions waiting for a heavyweight lock */
  waiting: number;
  active: number;
}
