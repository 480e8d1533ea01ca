// The preflight report. The keys of the CLI's JSON (verdict, statements[].{index, path, locks, conflicts, reasons},
// checks[].{id, status, message}) are a contract: keep them, add fields freely.
import type { LockMode } from '../analyzer/types.js';

export type Verdict = 'go' | 'wait' | 'no-go';
export type ConflictKind = 'backup' | 'vacuum' | 'wraparound-vacuum' | 'transaction' | 'session' | 'prepared';
export type CheckStatus = 'pass' | 'warn' | 'fail';
export type CheckId = 'lock-conflicts' | 'queue-forecast' | 'cost' | 'wraparound' | 'xmin-horizon' | 'index-swaps' | 'server-version' | 'trace';

export interface PreflightLock {
  relation: string;
  mode: LockMode;
  implicit?: boolean;
  reason?: string;
}

export interface Conflict {
  /** 0 = a prepared transaction (see gid) */
  pid: number;
  kind: ConflictKind;
  /** the mode the other session holds (or requests, when `waiting`) */
  mode: string;
  relation: string;
  application: string | null;
  /** the lock this statement needs that conflicts */
  needs: string;
  /** true: a request queued ahead of us (not granted yet); false: a granted lock */
  waiting: boolean;
  gid?: string;
  state: string | null;
  query: string | null;
  /** seconds since its transaction (or, for prepared transactions, PREPARE) started */
  ageSeconds: number | null;
  /** whether it will end without anybody doing anything (a backup, a vacuum, a running query) */
  endsByItself: boolean;
  /** a regular autovacuum: cancelled by the server after deadlock_timeout once a conflicting request waits */
  yields?: boolean;
  /** vacuums and backups: what is known about their progress */
  progress?: string;
}

export interface SizeEstimate {
  relation: string;
  relpages: number;
  /** relpages × block_size */
  bytes: number;
  /** reltuples; null when the table was never vacuumed or analyzed */
  rows: number | null;
  operation: 'rewrite' | 'scan';
}

export interface DurationEstimate {
  lowSeconds: number;
  highSeconds: number;
  text: string;
}

export interface StatementReport {
  index: number;
  path: string;
  line: number;
  text: string;
  locks: PreflightLock[];
  conflicts: Conflict[];
  reasons: string[];
  verdict: Verdict;
  lockTimeout: string | null;
  sizes: SizeEstimate[];
  estimate: DurationEstimate | null;
}

export interface Check {
  id: CheckId;
  status: CheckStatus;
  message: string;
}

export interface PreflightReport {
  verdict: Verdict;
  statements: StatementReport[];
  checks: Check[];
  /** the migration-wide reasons, most serious first, each with what to do */
  reasons: string[];
  server: { version: string; versionNum: number; major: number; target: string; database: string };
  /** the major the migration was analyzed for (the server's, replacing the configured one) */
  pgVersion: number;
  configuredPgVersion: number | null;
  connections: { max: number; used: number; reserved: number; headroom: number };
  notes: string[];
  generatedAt: string;
  durationMs: number;
  /** where the time went: the snapshot, the analysis, the migration's relations (ms) */
  /** --trace only: what the server really did, statement by statement, on a scratch database */
  trace?: import('./trace.js').TraceReport;
  timings?: { snapshotMs: number; analyzeMs: number; liveMs: number; serverSnapshotMs: number };
}
