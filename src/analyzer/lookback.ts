// Which per-statement rules look at other statements: the incremental analysis (incremental.ts) runs those again when
// a statement they may have looked at changes.
import type { FileInfo, StatementInfo } from './analyze.js';

// A per-statement rule may look at the statements before its own (the locks its transaction already holds, a schema
// created earlier…). The incremental analysis must then run it again when one of those statements changes. Rules do
// not declare this: the engine observes it. While a rule runs, reading `file.statements` marks it as looking back
// over the whole file; `transactionStatements(file)` (for rules that look back within their transaction) marks it
// as looking back over its transaction only; the queries of rules/utils/transaction.ts (heldStatements) narrow that
// to the relations and the first statement they read.

export type LookBackScope = 'transaction-held' | 'transaction' | 'file';
const RAW_STATEMENTS = Symbol('statements');

/**
 * What a rule that reads its transaction's earlier statements only through the narrow queries of
 * rules/utils/transaction.ts looked at: the relations it asked about (what the transaction locked on them) and the
 * first earlier statement a `pick` chose (null: none did). It must run again only when a changed statement of its
 * transaction locks one of those relations, or `pick` chooses a changed statement before that first one, or the
 * first one moved to another line (messages name its line).
 */
export interface HeldLookBack {
  relations: readonly string[];
  first?: { stmt: StatementInfo | null; line: number; pick: (prev: StatementInfo) => unknown };
}

export interface LookBackRecord extends Partial<HeldLookBack> { scope: LookBackScope }

export const lookBackProbe = {
  active: false, file: false, transaction: false,
  held: false, relations: [] as string[], first: undefined as HeldLookBack['first'],
  reset(): void {
    this.file = false; this.transaction = false;
    this.held = false; this.relations.length = 0; this.first = undefined;
  },
  /** The look-back the running rule made, if any: the widest scope it read wins. */
  result(): LookBackRecord | undefined {
    if (this.file) return { scope: 'file' };
    if (this.transaction) return { scope: 'transaction' };
    if (this.held) return { scope: 'transaction-held', relations: this.relations.length ? [...this.relations] : NO_RELATIONS, first: this.first };
    return undefined;
  },
};
const NO_RELATIONS: readonly string[] = [];

/**
 * What a whole-file rule (checkFile) read, observed while it runs, so that the incremental analysis can keep its
 * findings when nothing of that changed: the kinds of statements it asked for (statementsOfKind), or everything
 * (`file.statements`, the file's text, statement count or end state). Its reads of `file.schemaAfter` are tracked by
 * the schema model itself.
 */
export const fileRuleProbe = { active: false, all: false, kinds: new Set<string>(), txns: new Set<number>() };

type FileInfoFields = Omit<FileInfo, 'statements'>;
export function newFileInfo(fields: FileInfoFields): FileInfo {
  const file = fields as FileInfo & { [RAW_STATEMENTS]: StatementInfo[] };
  file[RAW_STATEMENTS] = [];
  Object.defineProperty(file, 'statements', {
    enumerable: true,
    get(this: typeof file) {
      if (lookBackProbe.active) lookBackProbe.file = true;
      if (fileRuleProbe.active) fileRuleProbe.all = true;
      return this[RAW_STATEMENTS];
    },
    set(this: typeof file, v: StatementInfo[]) { this[RAW_STATEMENTS] = v; },
  });
  // What changes with every edit besides the statements: reading it counts as reading everything.
  for (const key of ['text', 'statementCount', 'endsInTransaction'] as const) {
    let value = file[key];
    Object.defineProperty(file, key, {
      enumerable: true,
      get() { if (fileRuleProbe.active) fileRuleProbe.all = true; return value; },
      set(v: never) { value = v; },
    });
  }
  return file;
}

/**
 * The file's statements of the given kinds, in order: for a rule that reads no other statement. A whole-file rule
 * that reads only these (and the schema) keeps its findings across edits that change no statement of these kinds.
 * For a per-statement rule it is a look-back over the whole file.
 */
export function statementsOfKind(file: FileInfo, kinds: readonly string[]): StatementInfo[] {
  if (lookBackProbe.active) lookBackProbe.file = true;
  if (fileRuleProbe.active) for (const k of kinds) fileRuleProbe.kinds.add(k);
  const out: StatementInfo[] = [];
  for (const s of rawStatements(file)) if (kinds.includes(s.kind)) out.push(s);
  return out;
}

/**
 * Every statement of `stmt`'s transaction (before and after it), for a whole-file rule: it keeps its findings across
 * edits that change nothing in that transaction. Outside a transaction, the statement alone. For a per-statement
 * rule it is a look-back over the whole file (it sees later statements too).
 */
export function transactionStatementsOf(file: FileInfo, stmt: StatementInfo): StatementInfo[] {
  if (lookBackProbe.active) lookBackProbe.file = true;
  const txn = stmt.transactionId;
  if (txn < 0) return [stmt];
  if (fileRuleProbe.active) fileRuleProbe.txns.add(txn);
  const all = rawStatements(file);
  let from = stmt.index, to = stmt.index + 1;
  while (from > 0 && all[from - 1].transactionId === txn) from--;
  while (to < all.length && all[to].transactionId === txn) to++;
  return all.slice(from, to);
}

/** The file's statements, for a rule that looks back only within its statement's transaction. */
export function transactionStatements(file: FileInfo): StatementInfo[] {
  if (lookBackProbe.active) lookBackProbe.transaction = true;
  return rawStatements(file);
}

/**
 * The file's statements, for the queries of rules/utils/transaction.ts that note exactly what they read of the
 * earlier statements of a transaction: the relations asked about (noteRelation) and the first statement a pick
 * chose (noteFirst). They read, of those statements, only what lockSummary() covers.
 */
export function heldStatements(file: FileInfo): StatementInfo[] {
  if (lookBackProbe.active) lookBackProbe.held = true;
  return rawStatements(file);
}

export function noteRelation(relation: string): void {
  if (lookBackProbe.active) lookBackProbe.relations.push(relation);
}

export function noteFirst(stmt: StatementInfo | undefined, pick: (prev: StatementInfo) => unknown): void {
  if (!lookBackProbe.active) return;
  // One first statement per rule run; a rule that asks twice is treated as reading its whole transaction.
  if (lookBackProbe.first) lookBackProbe.transaction = true;
  else lookBackProbe.first = { stmt: stmt ?? null, line: stmt ? stmt.range.start.line : -1, pick };
}

/** The statements, without marking the running rule (the engine's own reads and writes). */
export function rawStatements(file: FileInfo): StatementInfo[] {
  return (file as FileInfo & { [RAW_STATEMENTS]?: StatementInfo[] })[RAW_STATEMENTS] ?? file.statements;
}

