// analyze(sql, options) → statements with their lock effects, findings and parse problems. It never throws on any
// input: unparseable statements become parse problems and every other statement is still analysed.
import type { Finding, LockEffect, ParseProblem, Range, Severity, TextEdit } from './types.js';
import { splitStatements, splitUntil, type Piece } from './split.js';
import { parseStatementText, type Node } from './parse.js';
import { LineIndex, ByteOffsets } from './text.js';
import { SchemaModel } from './schema.js';
import { statementEffects, statementKind, type Effects } from './lockmodel.js';
import { RUNNERS, type RunnerName } from './runners.js';
import type { Rule, RuleContext, ReportOptions } from './rule.js';
import { format, helpFor, rulesForKind } from './rule.js';
import { allRules } from './registry.js';
import { lookBackProbe as probe, newFileInfo, rawStatements, type LookBackRecord } from './lookback.js';

export { transactionStatements, type LookBackScope, type LookBackRecord } from './lookback.js';

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
  /** How many statements the file has: known before the first one is analysed. */
  statementCount: number;
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

export interface RawStatement {
  start: number; end: number; text: string; node: Node; leadingStart: number; terminated: boolean;
  /** The splitter piece it came from: [pieceLeading, pieceEnd) (several statements share one when recovered). */
  pieceLeading: number; pieceEnd: number; pieceTerminated: boolean;
}

/** Transaction and settings state between two statements. Plain data: the incremental analysis compares it. */
export interface EngineState {
  explicitDepth: number;
  txnCounter: number;
  implicitOpen: boolean;
  currentTxn: number;
  lockTimeout: string | null;
  statementTimeout: string | null;
  localLock: string | null | undefined;
  localStmt: string | null | undefined;
  savedLock: string | null;
  savedStmt: string | null;
}

export function sameState(a: EngineState, b: EngineState): boolean {
  return a === b || a.explicitDepth === b.explicitDepth && a.txnCounter === b.txnCounter && a.implicitOpen === b.implicitOpen &&
    a.currentTxn === b.currentTxn && a.lockTimeout === b.lockTimeout && a.statementTimeout === b.statementTimeout &&
    a.localLock === b.localLock && a.localStmt === b.localStmt && a.savedLock === b.savedLock && a.savedStmt === b.savedStmt;
}

/** Everything about a file that does not change from one statement to the next. */
export interface FileSetup {
  file: FileInfo;
  rules: Rule<any>[];
  checkRules: Rule<any>[];
  /** The rules with checkEnd. */
  endRules: Rule<any>[];
  implicit: 'none' | 'file' | 'multi-statement';
  implicitActive: boolean;
  options: AnalyzeOptions;
}

/**
 * The text split into statements at once, parsed on demand: `parse(n)` parses pieces until at least n statements are
 * known or none is left. `pieces` is what the statement count will be unless a piece holds several statements or none
 * (a syntax error).
 */
export function splitThenParse(text: string, lines: LineIndex): { pieces: number; raws: RawStatement[]; problems: ParseProblem[]; parse(n: number): boolean } {
  const { pieces } = splitUntil(text, 0);
  const raws: RawStatement[] = [];
  const problems: ParseProblem[] = [];
  let next = 0;
  return {
    pieces: pieces.length, raws, problems,
    parse(n: number) {
      while (raws.length < n && next < pieces.length) parsePiece(text, pieces[next++], lines, raws, problems);
      return next === pieces.length;
    },
  };
}

export function splitAndParse(text: string, lines: LineIndex, from = 0, stop?: (p: Piece) => boolean): { raws: RawStatement[]; problems: ParseProblem[]; stoppedAt?: Piece } {
  const raws: RawStatement[] = [];
  const problems: ParseProblem[] = [];
  const { pieces, stoppedAt } = splitUntil(text, from, stop);
  for (const piece of pieces) parsePiece(text, piece, lines, raws, problems);
  return { raws, problems, stoppedAt };
}

export function setupFile(text: string, lines: LineIndex, statementCount: number, options: AnalyzeOptions): FileSetup {
  const pgVersion = options.pgVersion ?? DEFAULT_PG_VERSION;
  const base = options.baseSchema ?? (options.schemaSql ? schemaFromSql(options.schemaSql) : new SchemaModel());
  const runner = options.runner;
  let implicit: 'none' | 'file' | 'multi-statement' = runner ? RUNNERS[runner].implicitTransaction : 'none';
  if (options.assumeInTransaction === true) implicit = 'file';
  else if (options.assumeInTransaction === false) implicit = 'none';
  const fileIgnores = fileIgnoreDirectives(text);
  const implicitActive = implicit === 'file' || (implicit === 'multi-statement' && statementCount > 1);
  const file = newFileInfo({
    path: options.path, text, lines, statementCount, pgVersion, runner, implicitTransaction: implicit,
    schemaBefore: base, schemaAfter: base, endsInTransaction: false, fileIgnores,
  });
  const rules = activeRules(options, pgVersion, fileIgnores);
  return { file, rules, checkRules: rules.filter((r) => r.check), endRules: rules.filter((r) => r.checkEnd), implicit, implicitActive, options };
}

/**
 * Runs per-statement rules on one analysed statement. `lookBacks`, when given, receives the rules that looked at
 * other statements, with how far.
 */
export function runStatementRules(info: StatementInfo, schema: SchemaModel, setup: FileSetup, rules: readonly Rule<any>[], findings: Finding[],
  lookBacks?: Array<LookBackRecord & { rule: Rule<any> }>): void {
  const { file, options } = setup;
  // One context per statement, shared by the rules (only `rule` changes): this is the hot loop of the editor.
  const ctx = new StatementContext(info, schema, file, file.pgVersion, findings, options);
  const ignoresSome = info.ignoredRules.length > 0;
  for (const rule of rules) {
    if (ignoresSome && (info.ignoredRules.includes(rule.id) || info.ignoredRules.includes('*'))) continue;
    ctx.rule = rule;
    if (lookBacks) { probe.active = true; probe.reset(); }
    try { rule.check!(ctx); } catch (err) {
      findings.push(internalError(rule, info, err));
    } finally {
      if (lookBacks) {
        probe.active = false;
        const seen = probe.result();
        if (seen) lookBacks.push({ rule, ...seen });
      }
    }
  }
}

/** Runs the rules with checkEnd on one statement, with the schema the migration leaves behind. */
export function runEndRules(info: StatementInfo, endSchema: SchemaModel, setup: FileSetup, findings: Finding[]): void {
  const rules = rulesForKind(setup.endRules, info.kind);
  if (rules.length === 0) return;
  const { file, options } = setup;
  const ctx = new StatementContext(info, endSchema, file, file.pgVersion, findings, options);
  const ignoresSome = info.ignoredRules.length > 0;
  for (const rule of rules) {
    if (ignoresSome && (info.ignoredRules.includes(rule.id) || info.ignoredRules.includes('*'))) continue;
    ctx.rule = rule;
    try { rule.checkEnd!(ctx); } catch (err) { findings.push(internalError(rule, info, err)); }
  }
}

export function initialState(setup: FileSetup): EngineState {
  const o = setup.options;
  const lockTimeout = o.assumeLockTimeout ? 'runner' : null;
  const statementTimeout = o.assumeStatementTimeout ? 'runner' : null;
  return {
    explicitDepth: 0, txnCounter: setup.implicitActive ? 1 : 0, implicitOpen: setup.implicitActive,
    currentTxn: setup.implicitActive ? 0 : -1, lockTimeout, statementTimeout, localLock: undefined, localStmt: undefined,
    savedLock: lockTimeout, savedStmt: statementTimeout,
  };
}

/**
 * Analyses one statement: its effects, transaction state, rules; then applies it to the schema and advances `st`.
 * The statement's findings from per-statement rules are pushed to `findings`.
 */
export function stepStatement(raw: RawStatement, index: number, st: EngineState, schema: SchemaModel, setup: FileSetup, findings: Finding[],
  lookBacks?: Array<LookBackRecord & { rule: Rule<any> }>): StatementInfo {
  const { file, implicit, implicitActive } = setup;
  const pgVersion = file.pgVersion;
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
    if (st.explicitDepth === 0 && !st.implicitOpen) { st.currentTxn = st.txnCounter++; st.savedLock = st.lockTimeout; st.savedStmt = st.statementTimeout; }
    st.explicitDepth++;
  } else if (st.currentTxn < 0 && implicit === 'multi-statement' && implicitActive && !tc) {
    // A statement after COMMIT in a multi-statement string opens the next implicit block.
    st.implicitOpen = true; st.currentTxn = st.txnCounter++; st.savedLock = st.lockTimeout; st.savedStmt = st.statementTimeout;
  }
  const inTransaction = st.explicitDepth > 0 || st.implicitOpen;
  const info: StatementInfo = {
    index,
    kind,
    text: raw.text,
    start: raw.start,
    end: raw.end,
    terminated: raw.terminated,
    range: file.lines.range(raw.start, raw.end),
    node: raw.node,
    inTransaction: tc === 'commit' || tc === 'rollback' ? st.currentTxn >= 0 : inTransaction,
    transactionId: inTransaction || tc === 'commit' || tc === 'rollback' ? st.currentTxn : -1,
    implicitTransaction: st.implicitOpen && st.explicitDepth === (tc === 'begin' ? 1 : 0),
    locks: effects.locks,
    // A table's storage: not an index's, nor a sequence's (ALTER SEQUENCE RESTART gives the sequence new storage).
    rewritesTable: effects.rewrites.some((r) => { const k = schema.get(r)?.kind; return k !== 'index' && k !== 'partitioned index' && k !== 'sequence'; }),
    rewrites: effects.rewrites,
    scansTable: effects.scans.length > 0,
    scans: effects.scans,
    effects,
    lockTimeout: st.localLock !== undefined ? st.localLock : st.lockTimeout,
    statementTimeout: st.localStmt !== undefined ? st.localStmt : st.statementTimeout,
    ignoredRules: raw.start > raw.leadingStart ? ignoreDirectives(file.text.slice(raw.leadingStart, raw.start)) : [],
  };
  rawStatements(file)[index] = info;

  runStatementRules(info, schema, setup, rulesForKind(setup.checkRules, kind), findings, lookBacks);

  try { schema.applyStatement(raw.node); } catch { /* keep going: the model only loses precision */ }
  advanceState(st, effects, raw.node);
  return info;
}

/** Settings and transaction state *after* a statement. */
export function advanceState(st: EngineState, effects: Effects, node: Node): void {
  const tc = effects.transaction;
  if (effects.setting) {
    const { name, value, local } = effects.setting;
    const inTxn = st.explicitDepth > 0 || st.implicitOpen;
    if (name === 'lock_timeout' || name === 'all') {
      if (local && inTxn) st.localLock = name === 'all' ? null : value; else if (!local) { st.lockTimeout = name === 'all' ? null : value; st.localLock = undefined; }
    }
    if (name === 'statement_timeout' || name === 'all') {
      if (local && inTxn) st.localStmt = name === 'all' ? null : value; else if (!local) { st.statementTimeout = name === 'all' ? null : value; st.localStmt = undefined; }
    }
  }
  if (tc === 'commit' || tc === 'rollback' || tc === 'prepare') {
    if (tc === 'rollback') { st.lockTimeout = st.savedLock; st.statementTimeout = st.savedStmt; }
    st.localLock = undefined; st.localStmt = undefined;
    const chain = !!(node.TransactionStmt as Node | undefined)?.chain;
    if (chain) {
      // COMMIT AND CHAIN / ROLLBACK AND CHAIN: a new transaction of the same kind starts at once.
      st.currentTxn = st.txnCounter++; st.savedLock = st.lockTimeout; st.savedStmt = st.statementTimeout;
    } else {
      st.explicitDepth = 0;
      st.implicitOpen = false;
      st.currentTxn = -1;
    }
  }
}

/** Runs the whole-file rules and sorts the findings. */
export function finishFile(setup: FileSetup, st: EngineState, findings: Finding[]): void {
  setup.file.endsInTransaction = st.explicitDepth > 0;
  for (const rule of setup.rules) if (rule.checkFile) runFileRule(setup, rule, findings);
  sortFindings(findings);
}

/** Runs one whole-file rule; its findings are appended to `findings` in the order it reports them. */
export function runFileRule(setup: FileSetup, rule: Rule<any>, findings: Finding[]): void {
  const { file, options } = setup;
  const statements = rawStatements(file);
  try {
    rule.checkFile!({
      file, pgVersion: file.pgVersion,
      report(messageId, statementIndex, data, opts) {
        const s = statements[statementIndex];
        if (!s || s.ignoredRules.includes(rule.id) || s.ignoredRules.includes('*')) return;
        findings.push(makeFinding(rule, messageId, s, data, opts, options));
      },
    });
  } catch (err) {
    findings.push(internalError(rule, statements[0], err));
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  return a.statementIndex - b.statementIndex || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

export function sortFindings(findings: Finding[]): void {
  findings.sort(compareFindings);
}

/** Analyses one migration file. */
export function analyze(sql: string, options: AnalyzeOptions = {}): AnalysisResult {
  const text = typeof sql === 'string' ? sql : String(sql ?? '');
  const lines = new LineIndex(text);
  const { raws, problems } = splitAndParse(text, lines);
  const setup = setupFile(text, lines, raws.length, options);
  const schema = setup.file.schemaBefore.overlay();
  schema.inMigration = true;
  setup.file.schemaAfter = schema;
  const st = initialState(setup);
  const findings: Finding[] = [];
  for (let i = 0; i < raws.length; i++) stepStatement(raws[i], i, st, schema, setup, findings);
  if (setup.endRules.length) for (const info of rawStatements(setup.file)) runEndRules(info, schema, setup, findings);
  finishFile(setup, st, findings);
  return { file: setup.file, statements: setup.file.statements, findings, parseProblems: problems };
}

function origin(piece: Piece) {
  return { pieceLeading: piece.leadingStart, pieceEnd: piece.terminatorEnd, pieceTerminated: piece.terminated };
}

function parsePiece(text: string, piece: Piece, lines: LineIndex, out: RawStatement[], problems: ParseProblem[]): void {
  const body = text.slice(piece.start, piece.end);
  const parsed = parseStatementText(body);
  if (parsed.ok) {
    if (parsed.stmts.length <= 1) {
      const node = parsed.stmts[0]?.stmt;
      if (node) out.push({ start: piece.start, end: piece.terminated ? piece.terminatorEnd : piece.end, text: body, node, leadingStart: piece.leadingStart, terminated: piece.terminated, ...origin(piece) });
      return;
    }
    // Our splitter saw one statement where PostgreSQL sees several: trust PostgreSQL's boundaries.
    const bytes = new ByteOffsets(body);
    for (const s of parsed.stmts) {
      const from = bytes.toUtf16(s.stmt_location ?? 0);
      const to = s.stmt_len ? bytes.toUtf16((s.stmt_location ?? 0) + s.stmt_len) : body.length;
      const sub = body.slice(from, to);
      const lead = sub.length - sub.trimStart().length;
      out.push({ start: piece.start + from + lead, end: piece.start + to, text: sub.trim(), node: s.stmt, leadingStart: piece.start + from, terminated: true, ...origin(piece) });
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
        out.push({ start: piece.start + from, end: piece.start + from + sub.length + (last && piece.terminated ? piece.terminatorEnd - piece.end : 0), text: sub, node: r.stmts[0].stmt, leadingStart: piece.start + from, terminated: last && piece.terminated, ...origin(piece) });
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
