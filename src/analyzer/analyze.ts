// analyze(sql, options) → statements with their lock effects, findings and parse problems. It never throws on any
// input: unparseable statements become parse problems and every other statement is still analysed.
import type { Finding, LockEffect, ParseProblem, Range, Severity, TextEdit } from './types.js';
import { splitStatements, type Piece } from './split.js';
import { parseStatementText, type Node } from './parse.js';
import { LineIndex, ByteOffsets } from './text.js';
import { SchemaModel } from './schema.js';
import { statementEffects, statementKind, type Effects } from './lockmodel.js';
import { RUNNERS, type RunnerName } from './runners.js';
import type { Rule, RuleContext, ReportOptions } from './rule.js';
import { format, helpFor } from './rule.js';
import { allRules } from './registry.js';

export const DEFAULT_PG_VERSION = 16;

export interface AnalyzeOptions {
  /** Target PostgreSQL major version (13–18). */
  pgVersion?: number;
  /** The migration runner, which decides the implicit transaction. */
  runner?: RunnerName;
  /** Overrides the runner: the whole file runs in one transaction (true) or in autocommit (false). */
  assumeInTransaction?: boolean;
  /** Schema known before this migration (a dump and the earlier migrations), as SQL. */
  schemaSql?: string;
  /** The same, already built (the CLI and the editor build it once for a folder). Takes precedence over schemaSql. */
  baseSchema?: SchemaModel;
  /** Rule severities: 'off' disables a rule. Rules not named use their default (opt-in rules stay off). */
  rules?: Record<string, Severity | 'off'>;
  /** The runner (or the role) sets lock_timeout / statement_timeout before every migration. */
  assumeLockTimeout?: boolean;
  assumeStatementTimeout?: boolean;
  /** The rules to run; defaults to the registry. */
  ruleSet?: readonly Rule<any>[];
  path?: string;
}

export interface StatementInfo {
  index: number;
  kind: string;
  /** The statement text without its terminating semicolon. */
  text: string;
  /** UTF-16 offsets of the statement in the document; `end` includes the `;`. */
  start: number;
  end: number;
  /** False when the statement is not followed by `;` (the last statement of a file, or one being typed). */
  terminated: boolean;
  range: Range;
  node: Node;
  /** True when the statement runs inside a transaction block (explicit, or the runner's implicit one). */
  inTransaction: boolean;
  /** Which transaction it belongs to (statements with the same id share locks until commit); -1 in autocommit. */
  transactionId: number;
  /** True when that transaction is the runner's implicit one rather than an explicit BEGIN. */
  implicitTransaction: boolean;
  locks: LockEffect[];
  rewritesTable: boolean;
  rewrites: string[];
  scansTable: boolean;
  scans: string[];
  effects: Effects;
  /** lock_timeout and statement_timeout in force when the statement runs (null: not set, '0': disabled). */
  lockTimeout: string | null;
  statementTimeout: string | null;
  /** Rules silenced for this statement by `-- pg-preflight-ignore`. */
  ignoredRules: string[];
}

export interface FileInfo {
  path?: string;
  text: string;
  lines: LineIndex;
  statements: StatementInfo[];
  pgVersion: number;
  runner: RunnerName | undefined;
  /** 'none' | 'file' | 'multi-statement', after applying assumeInTransaction. */
  implicitTransaction: 'none' | 'file' | 'multi-statement';
  /** The schema before the migration's first statement. */
  schemaBefore: SchemaModel;
  /** The schema after its last statement. */
  schemaAfter: SchemaModel;
  /** True when the file ends inside an explicit transaction block. */
  endsInTransaction: boolean;
  /** Rules silenced for the whole file ('*' for all). */
  fileIgnores: string[];
}

export interface AnalysisResult {
  file: FileInfo;
  statements: StatementInfo[];
  findings: Finding[];
  parseProblems: ParseProblem[];
}

const schemaCache = new Map<string, SchemaModel>();

/** Applies the statements of `sql` (a dump, an earlier migration) to `model`, skipping what does not parse. */
export function applySqlToSchema(model: SchemaModel, sql: string): void {
  for (const p of splitStatements(sql)) {
    const parsed = parseStatementText(sql.slice(p.start, p.end));
    if (!parsed.ok) continue;
    for (const s of parsed.stmts) {
      try { model.applyStatement(s.stmt); } catch { /* an odd dump statement must not stop the rest */ }
    }
  }
}

/** Builds a schema model from SQL (a dump, earlier migrations). Cached by text. */
export function schemaFromSql(sql: string): SchemaModel {
  const hit = schemaCache.get(sql);
  if (hit) return hit;
  const model = new SchemaModel();
  applySqlToSchema(model, sql);
  if (schemaCache.size > 8) schemaCache.clear();
  schemaCache.set(sql, model);
  return model;
}

interface RawStatement { start: number; end: number; text: string; node: Node; leadingStart: number; terminated: boolean }

/** Analyses one migration file. */
export function analyze(sql: string, options: AnalyzeOptions = {}): AnalysisResult {
  const text = typeof sql === 'string' ? sql : String(sql ?? '');
  const lines = new LineIndex(text);
  const pgVersion = options.pgVersion ?? DEFAULT_PG_VERSION;
  const parseProblems: ParseProblem[] = [];
  const raws: RawStatement[] = [];

  for (const piece of splitStatements(text)) parsePiece(text, piece, lines, raws, parseProblems);

  const base = options.baseSchema ?? (options.schemaSql ? schemaFromSql(options.schemaSql) : new SchemaModel());
  const schema = base.overlay();
  schema.inMigration = true;
  const schemaBefore = base;

  const runner = options.runner;
  let implicit: 'none' | 'file' | 'multi-statement' = runner ? RUNNERS[runner].implicitTransaction : 'none';
  if (options.assumeInTransaction === true) implicit = 'file';
  else if (options.assumeInTransaction === false) implicit = 'none';
  const fileIgnores = fileIgnoreDirectives(text);
  const implicitActive = implicit === 'file' || (implicit === 'multi-statement' && raws.length > 1);

  const statements: StatementInfo[] = [];
  const findings: Finding[] = [];
  const file: FileInfo = {
    path: options.path, text, lines, statements, pgVersion, runner, implicitTransaction: implicit,
    schemaBefore, schemaAfter: schema, endsInTransaction: false, fileIgnores,
  };

  const rules = activeRules(options, pgVersion, fileIgnores);
  const checkRules = rules.filter((r) => r.check);
  let explicitDepth = 0;
  let txnCounter = 0;
  // Multi-statement runners: the whole query string is one implicit block, and after a COMMIT the remaining statements
  // start a new one (PostgreSQL's simple-query protocol). File runners wrap the file once.
  let implicitOpen = implicitActive;
  let currentTxn = implicitActive ? txnCounter++ : -1;
  let lockTimeout: string | null = options.assumeLockTimeout ? 'runner' : null;
  let statementTimeout: string | null = options.assumeStatementTimeout ? 'runner' : null;
  let localLock: string | null | undefined;
  let localStmt: string | null | undefined;
  // Session settings as they were when the current transaction began: ROLLBACK restores them.
  let savedLock = lockTimeout;
  let savedStmt = statementTimeout;

  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i];
    const kind = statementKind(raw.node);
    let effects: Effects;
    try {
      effects = statementEffects(raw.node, { pgVersion, schema });
    } catch (err) {
      effects = { locks: [], rewrites: [], scans: [], buildsIndexOn: [], nonTransactional: false, unknowns: [`the lock model failed on this statement: ${String((err as Error)?.message ?? err)}`] };
    }

    // Transaction state *while this statement runs*.
    const tc = effects.transaction;
    if (tc === 'begin') {
      if (explicitDepth === 0 && !implicitOpen) { currentTxn = txnCounter++; savedLock = lockTimeout; savedStmt = statementTimeout; }
      explicitDepth++;
    } else if (currentTxn < 0 && implicit === 'multi-statement' && implicitActive && !tc) {
      // A statement after COMMIT in a multi-statement string opens the next implicit block.
      implicitOpen = true; currentTxn = txnCounter++; savedLock = lockTimeout; savedStmt = statementTimeout;
    }
    const inTransaction = explicitDepth > 0 || implicitOpen;
    const info: StatementInfo = {
      index: statements.length,
      kind,
      text: raw.text,
      start: raw.start,
      end: raw.end,
      terminated: raw.terminated,
      range: lines.range(raw.start, raw.end),
      node: raw.node,
      inTransaction: tc === 'commit' || tc === 'rollback' ? currentTxn >= 0 : inTransaction,
      transactionId: inTransaction || tc === 'commit' || tc === 'rollback' ? currentTxn : -1,
      implicitTransaction: implicitOpen && explicitDepth === (tc === 'begin' ? 1 : 0),
      locks: effects.locks,
      rewritesTable: effects.rewrites.some((r) => { const k = schema.get(r)?.kind; return k !== 'index' && k !== 'partitioned index'; }),
      rewrites: effects.rewrites,
      scansTable: effects.scans.length > 0,
      scans: effects.scans,
      effects,
      lockTimeout: localLock !== undefined ? localLock : lockTimeout,
      statementTimeout: localStmt !== undefined ? localStmt : statementTimeout,
      ignoredRules: ignoreDirectives(text.slice(raw.leadingStart, raw.start)),
    };
    statements.push(info);

    // One context per statement, shared by the rules (only `rule` changes): this is the hot loop of the editor.
    const ctx = new StatementContext(info, schema, file, pgVersion, findings, options);
    const ignoresSome = info.ignoredRules.length > 0;
    for (const rule of checkRules) {
      if (ignoresSome && (info.ignoredRules.includes(rule.id) || info.ignoredRules.includes('*'))) continue;
      ctx.rule = rule;
      try { rule.check!(ctx); } catch (err) {
        findings.push(internalError(rule, info, err));
      }
    }

    try { schema.applyStatement(raw.node); } catch { /* keep going: the model only loses precision */ }

    // Settings and transaction state *after* this statement.
    if (effects.setting) {
      const { name, value, local } = effects.setting;
      const inTxn = explicitDepth > 0 || implicitOpen;
      if (name === 'lock_timeout' || name === 'all') {
        if (local && inTxn) localLock = name === 'all' ? null : value; else if (!local) { lockTimeout = name === 'all' ? null : value; localLock = undefined; }
      }
      if (name === 'statement_timeout' || name === 'all') {
        if (local && inTxn) localStmt = name === 'all' ? null : value; else if (!local) { statementTimeout = name === 'all' ? null : value; localStmt = undefined; }
      }
    }
    if (tc === 'commit' || tc === 'rollback' || tc === 'prepare') {
      if (tc === 'rollback') { lockTimeout = savedLock; statementTimeout = savedStmt; }
      localLock = undefined; localStmt = undefined;
      const chain = !!(raw.node.TransactionStmt as Node | undefined)?.chain;
      if (chain) {
        // COMMIT AND CHAIN / ROLLBACK AND CHAIN: a new transaction of the same kind starts at once.
        currentTxn = txnCounter++; savedLock = lockTimeout; savedStmt = statementTimeout;
      } else {
        explicitDepth = 0;
        implicitOpen = false;
        currentTxn = -1;
      }
    }
  }
  file.endsInTransaction = explicitDepth > 0;

  for (const rule of rules) {
    if (!rule.checkFile) continue;
    try {
      rule.checkFile({
        file, pgVersion,
        report(messageId, statementIndex, data, opts) {
          const st = statements[statementIndex];
          if (!st || st.ignoredRules.includes(rule.id) || st.ignoredRules.includes('*')) return;
          findings.push(makeFinding(rule, messageId, st, data, opts, options));
        },
      });
    } catch (err) {
      findings.push(internalError(rule, statements[0], err));
    }
  }

  findings.sort((a, b) => a.statementIndex - b.statementIndex || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { file, statements, findings, parseProblems };
}

function parsePiece(text: string, piece: Piece, lines: LineIndex, out: RawStatement[], problems: ParseProblem[]): void {
  const body = text.slice(piece.start, piece.end);
  const parsed = parseStatementText(body);
  if (parsed.ok) {
    if (parsed.stmts.length <= 1) {
      const node = parsed.stmts[0]?.stmt;
      if (node) out.push({ start: piece.start, end: piece.terminated ? piece.terminatorEnd : piece.end, text: body, node, leadingStart: piece.leadingStart, terminated: piece.terminated });
      return;
    }
    // Our splitter saw one statement where PostgreSQL sees several: trust PostgreSQL's boundaries.
    const bytes = new ByteOffsets(body);
    for (const s of parsed.stmts) {
      const from = bytes.toUtf16(s.stmt_location ?? 0);
      const to = s.stmt_len ? bytes.toUtf16((s.stmt_location ?? 0) + s.stmt_len) : body.length;
      const sub = body.slice(from, to);
      const lead = sub.length - sub.trimStart().length;
      out.push({ start: piece.start + from + lead, end: piece.start + to, text: sub.trim(), node: s.stmt, leadingStart: piece.start + from, terminated: true });
    }
    return;
  }
  // Recovery: a half-typed statement often swallows the next ones (a missing `;`). Re-split at lines that start
  // a statement keyword, so only the broken part is lost.
  const subStarts = recoveryStarts(body);
  if (subStarts.length > 1) {
    let reported = false;
    for (let k = 0; k < subStarts.length; k++) {
      const from = subStarts[k];
      const to = k + 1 < subStarts.length ? subStarts[k + 1] : body.length;
      const sub = body.slice(from, to).trimEnd();
      const r = parseStatementText(sub);
      if (r.ok && r.stmts.length === 1) {
        const last = k + 1 === subStarts.length;
        out.push({ start: piece.start + from, end: piece.start + from + sub.length + (last && piece.terminated ? piece.terminatorEnd - piece.end : 0), text: sub, node: r.stmts[0].stmt, leadingStart: piece.start + from, terminated: last && piece.terminated });
      } else if (!r.ok) {
        problems.push(problem(r, piece.start + from, piece.start + from + sub.length, lines));
        reported = true;
      }
    }
    if (reported) return;
  }
  problems.push(problem(parsed, piece.start, piece.terminatorEnd, lines, piece.unterminatedLiteral));
}

const STATEMENT_START = /^[ \t]*(alter|create|drop|insert|update|delete|select|set|reset|begin|commit|rollback|start|grant|revoke|comment|truncate|vacuum|analyze|reindex|cluster|lock|with|do|refresh|copy|savepoint|release|end)\b/gim;

function recoveryStarts(body: string): number[] {
  const starts: number[] = [0];
  STATEMENT_START.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = STATEMENT_START.exec(body))) {
    const at = m.index + (m[0].length - m[0].trimStart().length);
    if (at > 0 && body[m.index - 1] === '\n') starts.push(at);
    if (starts.length > 10_000) break;
  }
  return starts;
}

function problem(r: { ok: false; message: string; offset?: number }, start: number, end: number, lines: LineIndex, unterminated = false): ParseProblem {
  let from = start;
  let to = end;
  if (r.offset !== undefined) {
    from = Math.min(end, start + r.offset);
    let nl = from;
    while (nl < end) { const c = lines.text.charCodeAt(nl); if (c === 10 || c === 13) break; nl++; }
    to = Math.max(from, Math.min(end, nl));
    if (to === from && from > start) from = Math.max(start, from - 1);
  }
  const message = unterminated && /unterminated|end of input/i.test(r.message)
    ? `${r.message} (a quote, comment or dollar quote is not closed)`
    : r.message;
  return { message, range: lines.range(from, to) };
}

const IGNORE_RE = /--\s*pg-preflight-ignore(?!-file)\b([^\n]*)/g;
const IGNORE_FILE_RE = /--\s*pg-preflight-ignore-file\b([^\n]*)/g;

function ruleList(s: string): string[] {
  const ids = s.split(/[,\s]+/).map((x) => x.trim()).filter((x) => /^[a-z0-9-]+$/.test(x));
  return ids.length ? ids : ['*'];
}

/** `-- pg-preflight-ignore rule-a, rule-b` in the comments just before a statement. */
export function ignoreDirectives(leading: string): string[] {
  if (!leading.includes('pg-preflight-ignore')) return [];
  const out: string[] = [];
  IGNORE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IGNORE_RE.exec(leading))) out.push(...ruleList(m[1]));
  return out;
}

/** `-- pg-preflight-ignore-file [rules]` anywhere in the file. */
export function fileIgnoreDirectives(text: string): string[] {
  if (!text.includes('pg-preflight-ignore-file')) return [];
  const out: string[] = [];
  IGNORE_FILE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IGNORE_FILE_RE.exec(text))) out.push(...ruleList(m[1]));
  return out;
}

function activeRules(options: AnalyzeOptions, pgVersion: number, fileIgnores: string[]): Rule<any>[] {
  if (fileIgnores.includes('*')) return [];
  const set = options.ruleSet ?? allRules;
  return set.filter((r) => {
    const conf = options.rules?.[r.id];
    if (conf === 'off') return false;
    if (!conf && r.optIn) return false;
    if (r.minVersion !== undefined && pgVersion < r.minVersion) return false;
    if (r.maxVersion !== undefined && pgVersion > r.maxVersion) return false;
    return !fileIgnores.includes(r.id);
  });
}

function severityOf(rule: Rule<any>, options: AnalyzeOptions): Severity {
  const conf = options.rules?.[rule.id];
  return conf && conf !== 'off' ? conf : rule.defaultSeverity;
}

function makeFinding(rule: Rule<any>, messageId: string, st: StatementInfo, data: Record<string, string | number> | undefined, opts: ReportOptions | undefined, options: AnalyzeOptions): Finding {
  const template = (rule.messages as Record<string, string>)[messageId] ?? messageId;
  const f: Finding = {
    ruleId: rule.id,
    messageId,
    severity: options.rules?.[rule.id] && options.rules[rule.id] !== 'off' ? severityOf(rule, options) : opts?.severity ?? severityOf(rule, options),
    message: format(template, data),
    help: format(opts?.help ?? helpFor(rule, messageId), data),
    statementIndex: st.index,
    range: opts?.range ?? st.range,
  };
  if (opts?.fix) f.fix = opts.fix;
  return f;
}

function internalError(rule: Rule<any>, st: StatementInfo | undefined, err: unknown): Finding {
  return {
    ruleId: rule.id, messageId: 'internalError', severity: 'info',
    message: `pg-preflight could not check ${rule.id} here: ${String((err as Error)?.message ?? err)}`,
    help: 'This is a bug in pg-preflight; please report it with the statement.',
    statementIndex: st?.index ?? 0, range: st?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
}

const RE_CACHE = new WeakMap<RegExp, RegExp>();
function globalRe(pattern: RegExp): RegExp {
  let re = RE_CACHE.get(pattern);
  if (!re) RE_CACHE.set(pattern, re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'));
  return re;
}

class StatementContext implements RuleContext<any> {
  rule!: Rule<any>;
  readonly node: Node;
  readonly kind: string;
  private bytes: ByteOffsets | undefined;
  constructor(
    readonly stmt: StatementInfo,
    readonly schema: SchemaModel,
    readonly file: FileInfo,
    readonly pgVersion: number,
    private readonly findings: Finding[],
    private readonly options: AnalyzeOptions,
  ) {
    this.node = (Object.values(stmt.node)[0] ?? {}) as Node;
    this.kind = stmt.kind;
  }
  report(messageId: string, data?: Record<string, string | number>, opts?: ReportOptions): void {
    this.findings.push(makeFinding(this.rule, messageId, this.stmt, data, opts, this.options));
  }
  rangeAt(location: number | undefined, length = 1): Range {
    const st = this.stmt;
    if (location === undefined || location < 0) return st.range;
    this.bytes ??= new ByteOffsets(st.text);
    const from = st.start + this.bytes.toUtf16(location);
    return this.file.lines.range(from, Math.min(st.end, from + length));
  }
  rangeOf(pattern: RegExp, from = 0): Range | undefined {
    const st = this.stmt;
    const re = globalRe(pattern);
    re.lastIndex = from;
    const m = re.exec(st.text);
    if (!m) return undefined;
    return this.file.lines.range(st.start + m.index, st.start + m.index + m[0].length);
  }
  edit(start: number, end: number, newText: string): TextEdit {
    return { range: this.file.lines.range(this.stmt.start + start, this.stmt.start + end), newText };
  }
}
