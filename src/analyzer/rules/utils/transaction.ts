// Rules about what a transaction already did before a statement (the locks it holds, the first ACCESS EXCLUSIVE…):
// a fold over the earlier statements of the same transaction, kept per file and rule so that checking the
// statements in order costs one pass per transaction. Reading through transactionStatements() tells the incremental
// analysis that these rules look back within their transaction.
import type { FileInfo, StatementInfo } from '../../analyze.js';
import { transactionLockStatements } from '../../lookback.js';
import { statementLabel } from './group-c.js';

interface Fold<S> { txn: number; next: number; state: S }
const folds = new WeakMap<FileInfo, Map<object, Fold<unknown>>>();

/**
 * The state after folding `step` over the statements of `stmt`'s transaction that come before it, starting from
 * `init()`; undefined outside a transaction. `key` identifies the fold (one per rule). A transaction's statements
 * are consecutive.
 */
export function foldTransactionBefore<S>(key: object, file: FileInfo, stmt: StatementInfo, init: () => S, step: (state: S, prev: StatementInfo) => S): S | undefined {
  const txn = stmt.transactionId;
  if (txn < 0) return undefined;
  const statements = transactionLockStatements(file);
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
  return f.state;
}

/**
 * What a fold over the earlier statements of a transaction may read of each: `step` functions given to
 * foldTransactionBefore() (and locksHeldBefore()) read nothing else of `prev` (its range aside, which the
 * incremental analysis tracks itself). When a statement is analysed again and this is unchanged, later statements
 * of its transaction need not be checked again by those rules.
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
