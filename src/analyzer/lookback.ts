// Which per-statement rules look at other statements: the incremental analysis (incremental.ts) runs those again when
// a statement they may have looked at changes.
import type { FileInfo, StatementInfo } from './analyze.js';

// A per-statement rule may look at the statements before its own (the locks its transaction already holds, a schema
// created earlier…). The incremental analysis must then run it again when one of those statements changes. Rules do
// not declare this: the engine observes it. While a rule runs, reading `file.statements` marks it as looking back
// over the whole file; `transactionStatements(file)` (for rules that look back within their transaction) marks it
// as looking back over its transaction only; `transactionLockStatements(file)` marks it as reading only what the
// earlier statements of its transaction lock (see there), so it runs again only when that changes.

export type LookBackScope = 'transaction-locks' | 'transaction' | 'file';
const RAW_STATEMENTS = Symbol('statements');
export const lookBackProbe = { active: false, file: false, transaction: false, transactionLocks: false };

type FileInfoFields = Omit<FileInfo, 'statements'>;
export function newFileInfo(fields: FileInfoFields): FileInfo {
  const file = fields as FileInfo & { [RAW_STATEMENTS]: StatementInfo[] };
  file[RAW_STATEMENTS] = [];
  Object.defineProperty(file, 'statements', {
    enumerable: true,
    get(this: typeof file) { if (lookBackProbe.active) lookBackProbe.file = true; return this[RAW_STATEMENTS]; },
    set(this: typeof file, v: StatementInfo[]) { this[RAW_STATEMENTS] = v; },
  });
  return file;
}

/** The file's statements, for a rule that looks back only within its statement's transaction. */
export function transactionStatements(file: FileInfo): StatementInfo[] {
  if (lookBackProbe.active) lookBackProbe.transaction = true;
  return rawStatements(file);
}

/**
 * The file's statements, for a rule that reads of the earlier statements of its transaction only their kind,
 * transactionId, effects.transaction, locks, range and statementLabel() (rules/utils/transaction.ts lockSummary()
 * is what the incremental analysis compares).
 */
export function transactionLockStatements(file: FileInfo): StatementInfo[] {
  if (lookBackProbe.active) lookBackProbe.transactionLocks = true;
  return rawStatements(file);
}

/** The statements, without marking the running rule (the engine's own reads and writes). */
export function rawStatements(file: FileInfo): StatementInfo[] {
  return (file as FileInfo & { [RAW_STATEMENTS]?: StatementInfo[] })[RAW_STATEMENTS] ?? file.statements;
}

