// Helpers shared by the group-B rules (drops, renames, concurrent index maintenance, transactions).
import type { FileInfo, StatementInfo } from '../../analyze.js';
import type { Range } from '../../types.js';
import { RUNNERS } from '../../runners.js';
import { startsWithAsciiIgnoringCase } from '../../text.js';

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

/**
 * Finds the first match of `lead + rest` in a statement, as `ctx.rangeOf(new RegExp(lead + rest, 'i'))` would, for
 * rules that look for one clause per ALTER TABLE command: the statement is scanned once for the places `lead` matches
 * (it must not match the empty string), and `rest` is tried only there. A long ALTER TABLE with hundreds of commands
 * then costs one scan instead of one per command.
 */
const LEADS = new Map<string, RegExp>();

export class ClauseFinder {
  private starts: number[] | undefined;
  private readonly lead: RegExp;
  constructor(private readonly file: FileInfo, private readonly stmt: StatementInfo, private readonly leadSource: string) {
    let lead = LEADS.get(leadSource);
    if (!lead) LEADS.set(leadSource, lead = new RegExp(leadSource, 'gi'));
    this.lead = lead;
  }
  private leadStarts(): number[] {
    if (!this.starts) {
      const text = this.stmt.text;
      this.starts = [];
      this.lead.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = this.lead.exec(text))) this.starts.push(m.index);
    }
    return this.starts;
  }

  /** The document range of the first match of `leadSource + restSource` (case-insensitive), or undefined. */
  rangeOf(restSource: string): Range | undefined {
    const text = this.stmt.text;
    // The leftmost match of the whole pattern starts at the first of these places where it matches (sticky).
    const whole = new RegExp(this.leadSource + restSource, 'iy');
    for (const at of this.leadStarts()) {
      whole.lastIndex = at;
      const m = whole.exec(text);
      if (m) return this.file.lines.range(this.stmt.start + at, this.stmt.start + at + m[0].length);
    }
    return undefined;
  }

  /**
   * `rangeOf('(?:column\\s+)?(?:if\\s+exists\\s+)?' + identSource(name))` after a lead that ends in `\\s+`, without
   * compiling a pattern per name (each new RegExp costs a compilation, and ALTER TABLEs drop hundreds of columns).
   * The same leftmost match and the same length, for ASCII names that do not start with a space or hold a quote;
   * other names take the regular expression.
   */
  rangeOfColumnClause(name: string): Range | undefined {
    if (!/^[\x21\x23-\x7f][\x20\x21\x23-\x7f]*$/.test(name)) return this.rangeOf(`(?:column\\s+)?(?:if\\s+exists\\s+)?${identSource(name)}`);
    const text = this.stmt.text;
    for (const at of this.leadStarts()) {
      this.lead.lastIndex = at;
      const lead = this.lead.exec(text);
      if (!lead || lead.index !== at) continue;
      const base = at + lead[0].length;
      // The order a backtracking matcher tries the optional words in: COLUMN taken, then not; IF EXISTS taken, then not.
      const afterColumn = stickyEnd(COLUMN_WORD, text, base);
      for (const from of afterColumn >= 0 ? [afterColumn, base] : [base]) {
        const afterIfExists = stickyEnd(IF_EXISTS_WORDS, text, from);
        const end = afterIfExists >= 0 ? identEnd(text, afterIfExists, name) : -1;
        const found = end >= 0 ? end : identEnd(text, from, name);
        if (found >= 0) return this.file.lines.range(this.stmt.start + at, this.stmt.start + found);
      }
    }
    return undefined;
  }
}

const COLUMN_WORD = /column\s+/iy;
const IF_EXISTS_WORDS = /if\s+exists\s+/iy;

function stickyEnd(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  return re.test(text) ? re.lastIndex : -1;
}

/** Where `identSource(name)` matched case-insensitively at `at` ends, or -1 (ASCII names without quotes). */
function identEnd(text: string, at: number, name: string): number {
  const n = name.length;
  if (text.charCodeAt(at) === 34) {
    return startsWithAsciiIgnoringCase(text, at + 1, name) && text.charCodeAt(at + 1 + n) === 34 ? at + n + 2 : -1;
  }
  if (!startsWithAsciiIgnoringCase(text, at, name)) return -1;
  const next = text.charCodeAt(at + n);
  const word = (next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95 || next === 36;
  return word ? -1 : at + n;
}

