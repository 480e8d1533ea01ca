// Rules about what a transaction already did before a statement (the locks it holds, the first ACCESS EXCLUSIVE…):
// folds over the earlier statements of the same transaction, kept per file and rule so that checking the statements
// in order costs one pass per transaction.
//
// The incremental analysis runs such a rule again on a later statement when an earlier statement of its transaction
// changes. How much it runs again depends on what the rule read (lookback.ts observes it):
// locksHeldBefore(), relationsLockedBefore() and firstInTransactionBefore() note the relations asked about and the
// first statement picked: the rule runs again only when a changed statement locks one of those relations, is picked
// before that first one, or that first one moved to another line.
import type { FileInfo, StatementInfo } from '../../analyze.js';
import type { LockEffect, LockMode } from '../../types.js';
import { heldStatements, noteFirst, noteRelation } from '../../lookback.js';
import { strength } from '../../locks.js';
import { statementLabel } from './group-c.js';

interface Fold<S> { txn: number; next: number; state: S }
const folds = new WeakMap<FileInfo, Map<object, Fold<unknown>>>();

/**
 * The fold of `key` for `stmt` over the earlier statements of its transaction, advanced to just before it (restarted
 * at the transaction's start when behind). A transaction's statements are consecutive.
 */
function advance<S>(key: object, file: FileInfo, statements: StatementInfo[], stmt: StatementInfo, init: () => S,
  step: (state: S, prev: StatementInfo) => S): Fold<S> {
  const txn = stmt.transactionId;
  let perFile = folds.get(file);
  if (!perFile) folds.set(file, (perFile = new Map()));
  let f = perFile.get(key) as Fold<S> | undefined;
  if (!f || f.txn !== txn || f.next > stmt.index) {
    let start = stmt.index;
    while (start > 0 && statements[start - 1]?.transactionId === txn) start--;
    f = { txn, next: start, state: init() };
    perFile.set(key, f);
  }
  for (; f.next < stmt.index; f.next++) {
    const prev = statements[f.next];
    if (!prev) break;
    f.state = step(f.state, prev);
  }
  return f;
}

/** What the transaction locks, seen through the relations asked about. */
export interface HeldLocks { get(relation: string): LockMode | undefined }

const HELD = {};
const NOTHING_HELD: HeldLocks = { get: () => undefined };

/**
 * The table locks the statement's transaction already holds when the statement starts: relation → strongest mode
 * (since the transaction's start or its last COMMIT … AND CHAIN). Each relation asked about is noted.
 */
export function locksHeldBefore(file: FileInfo, stmt: StatementInfo): HeldLocks {
  if (stmt.transactionId < 0) return NOTHING_HELD;
  const held = advance(HELD, file, heldStatements(file), stmt, () => new Map<string, LockMode>(), (h, prev) => {
    if (endsTransaction(prev)) return new Map();
    for (const l of prev.locks) {
      const had = h.get(l.relation);
      if (!had || strength(l.mode) > strength(had)) h.set(l.relation, l.mode);
    }
    return h;
  }).state;
  return { get(relation) { noteRelation(relation); return held.get(relation); } };
}

/** Whether the transaction locked a relation before the statement, seen through the relations asked about. */
export interface LockedRelations { has(relation: string): boolean }

/**
 * The relations of the locks `pick` chooses among each earlier statement's locks in the statement's transaction
 * (since its start or its last COMMIT … AND CHAIN). `key` identifies the query (one per rule and pick). Each
 * relation asked about is noted.
 */
export function relationsLockedBefore(key: object, file: FileInfo, stmt: StatementInfo, pick: (prev: StatementInfo) => LockEffect[]): LockedRelations {
  if (stmt.transactionId < 0) return { has: () => false };
  const locked = advance(key, file, heldStatements(file), stmt, () => new Set<string>(), (h, prev) => {
    if (endsTransaction(prev)) return new Set();
    for (const l of pick(prev)) h.add(l.relation);
    return h;
  }).state;
  return { has(relation) { noteRelation(relation); return locked.has(relation); } };
}

interface First<T> { stmt: StatementInfo; value: T }
const NO_FIRST = { stmt: undefined, value: undefined };

/**
 * The first earlier statement of the statement's transaction (since its start or its last COMMIT … AND CHAIN) for
 * which `pick` gives a value, with that value; undefined when none does. `key` identifies the query (one per rule).
 * `pick` may read of a statement only what lockSummary() covers; the statement it chose is noted.
 */
export function firstInTransactionBefore<T>(key: object, file: FileInfo, stmt: StatementInfo, pick: (prev: StatementInfo) => T | undefined): First<T> | undefined {
  if (stmt.transactionId < 0) return undefined;
  const found = advance<First<T> | typeof NO_FIRST>(key, file, heldStatements(file), stmt, () => NO_FIRST, (h, prev) => {
    if (endsTransaction(prev)) return NO_FIRST;
    if (h.stmt) return h;
    const value = pick(prev);
    return value === undefined ? h : { stmt: prev, value };
  }).state;
  noteFirst(found.stmt, pick);
  return found.stmt ? found as First<T> : undefined;
}

/**
 * What the queries above may read of an earlier statement: their `step` and `pick` functions read nothing else of it (its range aside, which the incremental analysis tracks itself).
 * When a statement is analysed again and this is unchanged, later statements of its transaction need not be checked
 * again by those rules.
 */
export function lockSummary(stmt: StatementInfo): string {
  let s = `${stmt.kind}|${stmt.transactionId}|${stmt.effects.transaction ?? ''}|${statementLabel(stmt)}`;
  for (const l of stmt.locks) s += `|${l.relation}:${l.mode}:${l.relkind}:${l.implicit ? 1 : 0}:${l.createdInMigration ? 1 : 0}`;
  return s;
}

/** The statement ends its transaction (COMMIT, ROLLBACK, PREPARE TRANSACTION). */
export function endsTransaction(stmt: StatementInfo): boolean {
  const tc = stmt.effects.transaction;
  return tc === 'commit' || tc === 'rollback' || tc === 'prepare';
}
