// The shape of a rule: metadata plus a check function, in the manner of ESLint's meta/create and
// typescript-eslint's createRule. Message ids are typed: `report('typo')` does not compile.
import type { Fix, Range, Severity, TextEdit } from './types.js';
import type { Node } from './parse.js';
import type { SchemaModel } from './schema.js';
import type { StatementInfo, FileInfo } from './analyze.js';

export type RuleCategory = 'locking' | 'rewrite' | 'transactions' | 'timeouts' | 'compatibility' | 'types' | 'robustness' | 'operations';

export const DOCS_BASE = 'https://github.com/pg-preflight/pg-preflight/blob/main/docs/rules/';
export function docsUrl(ruleId: string): string { return `${DOCS_BASE}${ruleId}.md`; }

export interface RuleMeta<M extends string> {
  id: string;
  /** One line that starts with a verb: "Require …", "Ban …", "Prefer …". */
  summary: string;
  category: RuleCategory;
  defaultSeverity: Severity;
  /** The rule applies only to targets of at least / at most this major version. */
  minVersion?: number;
  maxVersion?: number;
  /** Off unless configured. */
  optIn?: boolean;
  /**
   * The statement kinds (parse tree node types: 'AlterTableStmt', 'IndexStmt' …) `check` can report on. The engine
   * calls `check` only for statements of these kinds (see `rulesForKind`); without `kinds` it is called for every
   * statement. Give it only when `check` returns without reporting (and without keeping state) for every other kind.
   * It applies to `checkEnd` too; it does not affect `checkFile`.
   */
  kinds?: readonly string[];
  /** Message templates with {{placeholders}}. */
  messages: Record<M, string>;
  /** What to write instead; per message id, or one text for all. */
  help: string | Partial<Record<M, string>>;
}

export interface ReportOptions {
  /** Defaults to the whole statement. */
  range?: Range;
  fix?: Fix;
  /** Overrides the rule's help text for this finding. */
  help?: string;
  /** Overrides the rule's severity for this finding (only when the configuration does not set one). */
  severity?: Severity;
}

export interface RuleContext<M extends string> {
  /** The statement being checked, with its lock effects, transaction state and settings. */
  stmt: StatementInfo;
  /** The statement's parse tree node ({ AlterTableStmt: … } unwrapped: the inner object). */
  node: Node;
  /** The node type: 'AlterTableStmt', 'IndexStmt' … */
  kind: string;
  /** The schema as it is just before this statement runs. */
  schema: SchemaModel;
  file: FileInfo;
  pgVersion: number;
  report(messageId: M, data?: Record<string, string | number>, options?: ReportOptions): void;
  /** Document range of a byte `location` inside the statement (libpg_query node locations), `length` characters long. */
  rangeAt(location: number | undefined, length?: number): Range;
  /** Document range of the first match of `pattern` in the statement text (comments and literals included). */
  rangeOf(pattern: RegExp, from?: number): Range | undefined;
  /** An edit that replaces [start, end) of the statement text (UTF-16 offsets within the statement). */
  edit(start: number, end: number, newText: string): TextEdit;
}

export interface FileRuleContext<M extends string> {
  file: FileInfo;
  pgVersion: number;
  report(messageId: M, statementIndex: number, data?: Record<string, string | number>, options?: ReportOptions): void;
}

export interface Rule<M extends string = string> extends RuleMeta<M> {
  /** Called for every parsed statement, in order. */
  check?(ctx: RuleContext<M>): void;
  /**
   * Called for each statement (of `kinds`) once every statement was analysed, with `ctx.schema` the schema the
   * migration leaves behind: for rules about one statement that later statements can settle (an index created after
   * a foreign key covers it). It reads the statement and the end schema, not other statements; the editor then
   * checks a statement again only when it changed or a changed statement wrote what it read of the schema.
   */
  checkEnd?(ctx: RuleContext<M>): void;
  /** Called once after every statement was checked: for rules about the migration as a whole. */
  checkFile?(ctx: FileRuleContext<M>): void;
}

export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}

// Rule dispatch by statement kind. A rule set (the active per-statement rules of a file, in registry order) gets one
// table kind → rules, built lazily per kind and shared by every file with the same rule set, so most statements run
// only the few rules that can apply to them. The order of the rules is kept: findings at the same place come out in
// the same order as when every rule sees every statement.
const ruleIds = new WeakMap<Rule<any>, number>();
let nextRuleId = 0;
const dispatchTables = new Map<string, Map<string, readonly Rule<any>[]>>();
const lastDispatch: { rules?: readonly Rule<any>[]; table?: Map<string, readonly Rule<any>[]> } = {};

function dispatchTable(rules: readonly Rule<any>[]): Map<string, readonly Rule<any>[]> {
  const last = lastDispatch.rules;
  if (last === rules) return lastDispatch.table!;
  // Each file gets a new array, most often with the same rules as the file before.
  if (last && last.length === rules.length) {
    let same = true;
    for (let i = 0; i < rules.length; i++) if (last[i] !== rules[i]) { same = false; break; }
    if (same) { lastDispatch.rules = rules; return lastDispatch.table!; }
  }
  let key = '';
  for (const r of rules) {
    let id = ruleIds.get(r);
    if (id === undefined) ruleIds.set(r, id = nextRuleId++);
    key += id + ',';
  }
  let table = dispatchTables.get(key);
  if (!table) {
    if (dispatchTables.size > 64) dispatchTables.clear();
    dispatchTables.set(key, table = new Map());
  }
  lastDispatch.rules = rules;
  lastDispatch.table = table;
  return table;
}

/** The rules of `rules` whose `check` applies to statements of `kind` (those without `kinds` apply to all), in order. */
export function rulesForKind(rules: readonly Rule<any>[], kind: string): readonly Rule<any>[] {
  const table = dispatchTable(rules);
  let out = table.get(kind);
  if (!out) {
    out = rules.filter((r) => !r.kinds || r.kinds.includes(kind));
    table.set(kind, out);
  }
  return out;
}

// Templates are split once into literal text and placeholder names: messages are formatted on every analysis.
const TEMPLATES = new Map<string, string[]>();
export function format(template: string, data: Record<string, string | number> = {}): string {
  let parts = TEMPLATES.get(template);
  if (!parts) {
    parts = template.split(/\{\{\s*(\w+)\s*\}\}/);
    if (TEMPLATES.size > 5000) TEMPLATES.clear();
    TEMPLATES.set(template, parts);
  }
  if (parts.length === 1) return template;
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const k = parts[i];
    out += (k in data ? String(data[k]) : `{{${k}}}`) + parts[i + 1];
  }
  return out;
}

export function helpFor(rule: Rule, messageId: string): string {
  return typeof rule.help === 'string' ? rule.help : (rule.help as Record<string, string>)[messageId] ?? Object.values(rule.help)[0] ?? '';
}
