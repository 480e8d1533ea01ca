// Public shapes of the analyzer. Everything here is plain data: the CLI prints it as JSON, the extension maps it to
// VS Code types, the preflight joins it with a live snapshot.

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

/** Table-level lock modes, named exactly as `pg_locks.mode` names them, weakest first. */
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

export type RelKind = 'table' | 'partitioned table' | 'index' | 'partitioned index' | 'sequence' | 'view' | 'materialized view' | 'foreign table' | 'unknown';

export interface LockEffect {
  /** Schema-qualified, as PostgreSQL's regclass output prints it (quoted only where needed): `public.articles`. */
  relation: string;
  mode: LockMode;
  relkind: RelKind;
  /** True when the statement does not name the relation: the table of a dropped index, a rebuilt index, a partition. */
  implicit: boolean;
  /** True when the relation was created earlier in the same migration (it cannot be busy). */
  createdInMigration: boolean;
  /** For an index (or partitioned index) the schema knows: the table it belongs to. */
  table?: string;
  /** Why this lock is taken, in a few words ("ALTER COLUMN TYPE", "index of a rewritten table"). */
  reason: string;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface TextEdit { range: Range; newText: string }
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** False for a suggestion: applying it changes behaviour (transaction, lock), so it is never applied automatically. */
  isPreferred: boolean;
}

export interface Finding {
  ruleId: string;
  messageId: string;
  severity: Severity;
  message: string;
  help: string;
  statementIndex: number;
  range: Range;
  fix?: Fix;
}

export interface ParseProblem { message: string; range: Range; statementIndex?: number }
