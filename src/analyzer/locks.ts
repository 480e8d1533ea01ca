// PostgreSQL's table-level lock modes and their conflict table (PostgreSQL docs, "Explicit Locking", Table 13.2).
import { LOCK_MODES, type LockMode } from './types.js';

const CONFLICTS: Record<LockMode, LockMode[]> = {
  AccessShareLock: ['AccessExclusiveLock'],
  RowShareLock: ['ExclusiveLock', 'AccessExclusiveLock'],
  RowExclusiveLock: ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareUpdateExclusiveLock: ['ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareRowExclusiveLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ExclusiveLock: ['RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  AccessExclusiveLock: [...LOCK_MODES],
};

export function conflicts(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

export function conflictingModes(mode: LockMode): readonly LockMode[] {
  return CONFLICTS[mode];
}

export function strength(mode: LockMode): number {
  return LOCK_MODES.indexOf(mode);
}

export function stronger(a: LockMode, b: LockMode): LockMode {
  return strength(a) >= strength(b) ? a : b;
}

export interface Blocks {
  /** SELECT (AccessShareLock) waits. */
  reads: boolean;
  /** INSERT / UPDATE / DELETE (RowExclusiveLock) wait. */
  writes: boolean;
  /** VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY and other DDL (ShareUpdateExclusiveLock) wait. */
  ddl: boolean;
  /** SELECT … FOR UPDATE / FOR SHARE and foreign-key checks (RowShareLock) wait. */
  rowLocks: boolean;
}

export function blocks(mode: LockMode): Blocks {
  return {
    reads: conflicts(mode, 'AccessShareLock'),
    writes: conflicts(mode, 'RowExclusiveLock'),
    ddl: conflicts(mode, 'ShareUpdateExclusiveLock'),
    rowLocks: conflicts(mode, 'RowShareLock'),
  };
}

/** "reads and writes", "writes", "other DDL and VACUUM", "nothing but ACCESS EXCLUSIVE". */
export function describeBlocks(mode: LockMode): string {
  const b = blocks(mode);
  if (b.reads) return 'reads and writes';
  if (b.rowLocks) return 'writes and SELECT … FOR UPDATE (reads still run)';
  if (b.writes) return 'writes (reads still run)';
  if (b.ddl) return 'VACUUM, ANALYZE and other DDL (reads and writes still run)';
  return 'only ACCESS EXCLUSIVE requests';
}

/** Short R/W/D flags for a terminal column: "R W D", "- W D", "- - D". */
export function blockFlags(mode: LockMode): string {
  const b = blocks(mode);
  return `${b.reads ? 'R' : '-'}${b.writes ? 'W' : '-'}${b.ddl ? 'D' : '-'}`;
}

/** The SQL spelling of a mode: ACCESS EXCLUSIVE, SHARE ROW EXCLUSIVE … */
export function sqlModeName(mode: LockMode): string {
  return mode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

export function isLockMode(s: string): s is LockMode {
  return (LOCK_MODES as readonly string[]).includes(s);
}
