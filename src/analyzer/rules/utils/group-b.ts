// Helpers shared by the group-B rules (drops, renames, concurrent index maintenance, transactions).
import type { FileInfo, StatementInfo } from '../../analyze.js';
import type { Range } from '../../types.js';
import { RUNNERS } from '../../runners.js';

/** "a", "a and b", "a, b and c". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "a, b, c and 4 more" for long lists in messages. */
export function shortListOf(items: readonly string[], max = 5): string {
  if (items.length <= max) return listOf(items);
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The title of a fix that adds CONCURRENTLY: such a statement cannot run inside a transaction block. */
export function concurrentlyFixTitle(inTransaction: boolean): string {
  return inTransaction
    ? 'Add CONCURRENTLY (then move the statement out of the transaction)'
    : 'Add CONCURRENTLY (the statement must stay outside any transaction)';
}

/** How to get a statement out of the migration's transaction with the file's runner. */
export function runnerHint(file: FileInfo): string {
  return (file.runner ? RUNNERS[file.runner] : RUNNERS.psql).nonTransactionalHint;
}

/** Offset within the statement text just past the first match of `pattern` (anchored patterns only), or -1. */
export function offsetAfter(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  return m ? m.index + m[0].length : -1;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Regex source for an identifier as it may be written: bare (any case) or double-quoted. */
export function identSource(name: string): string {
  return `(?:"${escapeRegExp(name.replace(/"/g, '""'))}"|${escapeRegExp(name)}(?![\\w$]))`;
}

/**
 * True when the column was added by this migration: its table existed before the migration, the column did not.
 * Unknown tables give false, so rules stay conservative.
 */
export function columnAddedInMigration(file: FileInfo, table: string, column: string): boolean {
  const before = file.schemaBefore.get(table);
  return !!before && !before.columns.some((c) => c.name === column) && before.columns.length > 0;
}

/** Document range of the first match of an anchored-or-not pattern in a statement, for file-level rules. */
export function statementRangeOf(file: FileInfo, st: StatementInfo, pattern: RegExp): Range {
  const m = pattern.exec(st.text);
  if (!m) return st.range;
  return file.lines.range(st.start + m.index, st.start + m.index + m[0].length);
}
