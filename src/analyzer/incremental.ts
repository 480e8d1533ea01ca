// Incremental analysis for the editor: after an edit, only what the edit can have changed is analysed again.
//
// - Statements before the edit keep their results: analysis only looks backwards, and the state before the first
//   changed statement (transactions, settings, schema) is restored from a checkpoint.
// - The text is re-split from the last statement boundary before the edit until the pieces line up with the previous
//   split again; the rest is reused, shifted.
// - Statements after the edit are reused when nothing they read can have changed: the same transaction and settings
//   state before them, no schema object they read written by a changed statement, and no changed statement in their
//   transaction (rules look back within a transaction). Everything else is analysed again.
// - Whole-file rules (checkFile) always run again; they are cheap.
//
// The result equals analyze(text, options) exactly; test/unit/analyzer/incremental.test.ts checks that on thousands
// of random edits.
import type { Finding, ParseProblem, Range } from './types.js';
import type { Piece } from './split.js';
import { SchemaModel, type SchemaTracker } from './schema.js';
import { LineIndex } from './text.js';
import {
  compareFindings, finishFile, ignoreDirectives, initialState, sameState, schemaFromSql, setupFile, sortFindings, splitAndParse, stepStatement,
  type AnalysisResult, type AnalyzeOptions, type EngineState, type RawStatement, type StatementInfo,
} from './analyze.js';

/** Statements per schema layer: resuming replays at most this many statements' schema changes. */
const LAYER = 128;

interface StatementRecord {
  raw: RawStatement;
  info: StatementInfo;
  /** Findings of per-statement rules for this statement. */
  findings: Finding[];
  stateBefore: EngineState;
  reads: Set<string>;
  writes: Set<string>;
  /** The statement read the whole schema (a scan over every relation). */
  global: boolean;
}

interface Snapshot {
  text: string;
  lines: LineIndex;
  records: StatementRecord[];
  /** Parse problems with the offsets they cover. */
  problems: Array<{ problem: ParseProblem; start: number; end: number }>;
  /** layers[b] holds the schema changes of statements [b*LAYER, (b+1)*LAYER). */
  layers: SchemaModel[];
  base: SchemaModel;
  endState: EngineState;
  fileKey: string;
  result: AnalysisResult;
}

export interface IncrementalStats {
  /** Statements whose results were reused from the previous analysis (prefix and suffix). */
  reused: number;
  /** Statements analysed again. */
  analysed: number;
  full: boolean;
}

export class DocumentAnalyzer {
  private prev: Snapshot | undefined;
  /** What the last update did (for benchmarks and tests). */
  lastStats: IncrementalStats = { reused: 0, analysed: 0, full: true };

  private options: AnalyzeOptions;

  constructor(options: AnalyzeOptions = {}) {
    this.options = withBase(options);
  }

  /** New options (config, schema) invalidate everything. */
  setOptions(options: AnalyzeOptions): void {
    this.options = withBase(options);
    this.prev = undefined;
  }

  update(text: string): AnalysisResult {
    const prev = this.prev;
    if (prev && prev.text === text) return prev.result;
    const next = prev ? this.incremental(prev, text) : undefined;
    this.prev = next ?? this.full(text);
    return this.prev.result;
  }

  private full(text: string): Snapshot {
    const lines = new LineIndex(text);
    const { raws, problems } = splitAndParse(text, lines);
    const setup = setupFile(text, lines, raws.length, this.options);
    const base = setup.file.schemaBefore;
    const st = initialState(setup);
    const layers: SchemaModel[] = [];
    const records: StatementRecord[] = [];
    let schema = base;
    for (let i = 0; i < raws.length; i++) {
      if (i % LAYER === 0) { schema = newLayer(schema); layers.push(schema); }
      records.push(runTracked(raws[i], i, st, schema, setup));
    }
    return this.finish(text, lines, setup, records, problems.map((p) => ({ problem: p, start: lines.offset(p.range.start), end: lines.offset(p.range.end) })), layers, base, st, true, 0);
  }

  private incremental(prev: Snapshot, text: string): Snapshot | undefined {
    const old = prev.text;
    const minLen = Math.min(old.length, text.length);
    // Compare in chunks (native string equality), then character by character inside the first differing chunk.
    const CHUNK = 4096;
    let prefix = 0;
    while (prefix + CHUNK <= minLen && old.slice(prefix, prefix + CHUNK) === text.slice(prefix, prefix + CHUNK)) prefix += CHUNK;
    while (prefix < minLen && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    const maxSuffix = minLen - prefix;
    while (suffix + CHUNK <= maxSuffix && old.slice(old.length - suffix - CHUNK, old.length - suffix) === text.slice(text.length - suffix - CHUNK, text.length - suffix)) suffix += CHUNK;
    while (suffix < maxSuffix && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
    const delta = text.length - old.length;
    const oldChangeEnd = old.length - suffix; // the changed region is [prefix, oldChangeEnd) in the old text

    // Statements wholly before the edit, whose piece was closed by a `;` before it, are kept.
    const records = prev.records;
    let keep = 0;
    while (keep < records.length && records[keep].raw.pieceTerminated && records[keep].raw.pieceEnd <= prefix) keep++;
    // Several statements recovered from one broken piece share it: keep all or none of them.
    while (keep > 0 && keep < records.length && records[keep].raw.pieceLeading === records[keep - 1].raw.pieceLeading) keep--;
    const resumeAt = keep > 0 ? records[keep - 1].raw.pieceEnd : 0;

    // Old pieces entirely after the edit, by where their leading comments start: where re-splitting can stop.
    const oldPieceAt = new Map<number, number>(); // old pieceLeading → index of its first record
    for (let i = records.length - 1; i >= keep; i--) {
      if (records[i].raw.pieceLeading >= oldChangeEnd) oldPieceAt.set(records[i].raw.pieceLeading, i);
      else break;
    }
    const oldProblemsAfter = prev.problems.filter((p) => p.start >= oldChangeEnd);
    const lines = LineIndex.afterEdit(prev.lines, text, prefix, oldChangeEnd, text.length - suffix);
    const move: Move = { oldLines: prev.lines, lines, editLine: prev.lines.position(oldChangeEnd).line, lineDelta: lines.lineCount - prev.lines.lineCount, delta };
    const stopAt = (p: Piece) => p.leadingStart - delta >= oldChangeEnd && oldPieceAt.has(p.leadingStart - delta) && !problemStartsIn(oldProblemsAfter, p.leadingStart - delta);
    const { raws: middle, problems: middleProblems, stoppedAt } = splitAndParse(text, lines, resumeAt, stopAt);
    const suffixFrom = stoppedAt ? oldPieceAt.get(stoppedAt.leadingStart - delta)! : records.length;
    const newCount = keep + middle.length + (records.length - suffixFrom);

    const setup = setupFile(text, lines, newCount, this.options);
    const oldSetupKey = prev.fileKey;
    if (fileKey(setup) !== oldSetupKey || setup.file.schemaBefore !== prev.base) return undefined;

    // Restore the state before statement `keep`.
    const st: EngineState = keep < records.length ? { ...records[keep].stateBefore } : { ...prev.endState };
    const block = Math.floor(keep / LAYER);
    const layers = prev.layers.slice(0, block);
    let schema = newLayer(block === 0 ? prev.base : layers[block - 1]);
    layers.push(schema);
    for (let i = block * LAYER; i < keep; i++) {
      try { schema.applyStatement(records[i].raw.node); } catch { /* as in analyze() */ }
    }

    const out: StatementRecord[] = records.slice(0, keep);
    // Rules look back at the statements before theirs.
    setup.file.statements = out.map((r) => r.info);
    const dirty = new Set<string>();
    const changedTxns = new Set<number>();
    let analysed = 0;
    const nextIndex = () => out.length;
    const ensureLayer = () => {
      const i = nextIndex();
      if (i % LAYER === 0 && i >= (block + 1) * LAYER) { schema = newLayer(schema); layers.push(schema); }
    };
    /** An old statement that is gone or replaced: what it wrote, and its transaction, count as changed. */
    const drop = (r: StatementRecord) => {
      for (const w of r.writes) dirty.add(w);
      if (r.info.transactionId >= 0) changedTxns.add(r.info.transactionId);
    };
    /** Reuses `old` for `raw` (the same statement text) when nothing it depends on changed; false when it cannot. */
    const tryReuse = (old: StatementRecord, raw: RawStatement, stateAfter: EngineState): boolean => {
      if (!sameState(st, old.stateBefore) || (old.info.transactionId >= 0 && changedTxns.has(old.info.transactionId)) ||
        (old.global && dirty.size > 0) || intersects(old.reads, dirty)) return false;
      if (raw !== old.raw && (raw.terminated !== old.raw.terminated || raw.end - raw.start !== old.raw.end - old.raw.start || !sameIgnores(text, raw, old))) return false;
      const rec = shiftRecord(old, raw, nextIndex(), raw.start - old.raw.start, move);
      out.push(rec);
      setup.file.statements[rec.info.index] = rec.info;
      try { schema.applyStatement(raw.node); } catch { /* as in analyze() */ }
      // Same state before and the same statement: the same state after, as the previous analysis recorded it.
      Object.assign(st, stateAfter);
      return true;
    };
    const recompute = (raw: RawStatement) => {
      const rec = runTracked(raw, nextIndex(), st, schema, setup);
      for (const w of rec.writes) dirty.add(w);
      if (rec.info.transactionId >= 0) changedTxns.add(rec.info.transactionId);
      out.push(rec);
      analysed++;
    };
    const stateAfterOld = (j: number) => (j + 1 < records.length ? records[j + 1].stateBefore : prev.endState);

    // The re-split region: statements whose text is unchanged (only what surrounds them moved) are matched with the
    // old ones in order and reused when possible.
    let oi = keep;
    for (let m = 0; m < middle.length; m++) {
      const raw = middle[m];
      ensureLayer();
      if (oi < suffixFrom && records[oi].raw.text !== raw.text && oi + 1 < suffixFrom && records[oi + 1].raw.text === raw.text) {
        drop(records[oi]); oi++; // the old statement was deleted
      }
      const cand = oi < suffixFrom ? records[oi] : undefined;
      if (cand && cand.raw.text === raw.text) {
        if (!tryReuse(cand, raw, stateAfterOld(oi))) { drop(cand); recompute(raw); }
        oi++;
        continue;
      }
      recompute(raw);
      // A replaced statement: the next new one lines up with the next old one.
      if (cand && m + 1 < middle.length && oi + 1 < suffixFrom && records[oi + 1].raw.text === middle[m + 1].text) { drop(cand); oi++; }
    }
    for (; oi < suffixFrom; oi++) drop(records[oi]);

    for (let j = suffixFrom; j < records.length; j++) {
      ensureLayer();
      const old = records[j];
      const raw = shiftRaw(old.raw, delta);
      if (!tryReuse(old, raw, stateAfterOld(j))) { drop(old); recompute(raw); }
    }

    const problems = [
      ...prev.problems.filter((p) => p.end <= resumeAt),
      ...middleProblems.map((p) => ({ problem: p, start: lines.offset(p.range.start), end: lines.offset(p.range.end) })),
      ...oldProblemsAfter.filter((p) => stoppedAt && p.start >= stoppedAt.leadingStart - delta).map((p) => ({
        problem: { ...p.problem, range: lines.range(p.start + delta, p.end + delta) }, start: p.start + delta, end: p.end + delta,
      })),
    ];
    return this.finish(text, lines, setup, out, problems, layers, prev.base, st, false, out.length - analysed);
  }

  private finish(text: string, lines: LineIndex, setup: ReturnType<typeof setupFile>, records: StatementRecord[],
    problems: Snapshot['problems'], layers: SchemaModel[], base: SchemaModel, st: EngineState, full: boolean, reused: number): Snapshot {
    const statements = records.map((r) => r.info);
    setup.file.statements = statements;
    setup.file.schemaAfter = layers[layers.length - 1] ?? base;
    // Per-statement findings are kept sorted within their statement; whole-file findings are sorted and merged in,
    // which gives the order analyze() gives (a stable sort by statement, line, character).
    const fileFindings: Finding[] = [];
    finishFile(setup, { ...st }, fileFindings, false);
    sortFindings(fileFindings);
    const findings: Finding[] = [];
    let fi = 0;
    for (const r of records) {
      for (const f of r.findings) {
        while (fi < fileFindings.length && compareFindings(fileFindings[fi], f) < 0) findings.push(fileFindings[fi++]);
        findings.push(f);
      }
    }
    while (fi < fileFindings.length) findings.push(fileFindings[fi++]);
    problems.sort((a, b) => a.start - b.start);
    const result: AnalysisResult = { file: setup.file, statements, findings, parseProblems: problems.map((p) => p.problem) };
    this.lastStats = { reused, analysed: records.length - reused, full };
    return { text, lines, records, problems, layers, base, endState: { ...st }, fileKey: fileKey(setup), result };
  }
}

/** The base schema is fixed once per options, so that successive updates can share their layers. */
function withBase(options: AnalyzeOptions): AnalyzeOptions {
  const baseSchema = options.baseSchema ?? (options.schemaSql ? schemaFromSql(options.schemaSql) : new SchemaModel());
  return { ...options, baseSchema };
}

function newLayer(parent: SchemaModel): SchemaModel {
  const layer = parent.overlay();
  layer.inMigration = true;
  return layer;
}

function runTracked(raw: RawStatement, index: number, st: EngineState, schema: SchemaModel, setup: ReturnType<typeof setupFile>): StatementRecord {
  const stateBefore = { ...st };
  const tracker: SchemaTracker = { reads: new Set(), writes: new Set(), global: false };
  const findings: Finding[] = [];
  schema.tracker = tracker;
  let info: StatementInfo;
  try {
    info = stepStatement(raw, index, st, schema, setup, findings);
  } finally {
    schema.tracker = undefined;
  }
  sortFindings(findings);
  return { raw, info, findings, stateBefore, reads: tracker.reads, writes: tracker.writes, global: tracker.global };
}

/** What must be equal for two analyses of a file to share per-statement results. */
function fileKey(setup: ReturnType<typeof setupFile>): string {
  return `${setup.implicit}|${setup.implicitActive}|${setup.rules.map((r) => r.id).join(',')}`;
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  if (b.size === 0 || a.size === 0) return false;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}

/** The same ignore directives in the comments before the statement. */
function sameIgnores(text: string, raw: RawStatement, old: StatementRecord): boolean {
  const now = raw.start > raw.leadingStart ? ignoreDirectives(text.slice(raw.leadingStart, raw.start)) : [];
  return now.length === old.info.ignoredRules.length && now.every((x, i) => x === old.info.ignoredRules[i]);
}

function problemStartsIn(problems: Snapshot['problems'], offset: number): boolean {
  // A stop point must be a clean piece boundary of the old split; a problem there came from a broken piece.
  return problems.some((p) => p.start === offset);
}

function shiftRaw(raw: RawStatement, delta: number): RawStatement {
  if (delta === 0) return raw;
  return {
    ...raw, start: raw.start + delta, end: raw.end + delta, leadingStart: raw.leadingStart + delta,
    pieceLeading: raw.pieceLeading + delta, pieceEnd: raw.pieceEnd + delta,
  };
}

interface Move { oldLines: LineIndex; lines: LineIndex; /** Last old line the edit touched. */ editLine: number; lineDelta: number; /** How far text after the edit moved. */ delta: number }

function shiftRecord(old: StatementRecord, raw: RawStatement, index: number, delta: number, m: Move): StatementRecord {
  // Below the edit, a range moves by whole lines and keeps its characters; elsewhere it is mapped through offsets.
  // Only text that moved with everything after the edit (not a statement matched elsewhere) moves by whole lines.
  const below = (r: Range) => delta === m.delta && r.start.line > m.editLine;
  const moveRange = (r: Range): Range => {
    if (below(r)) {
      if (m.lineDelta === 0) return r;
      return { start: { line: r.start.line + m.lineDelta, character: r.start.character }, end: { line: r.end.line + m.lineDelta, character: r.end.character } };
    }
    return m.lines.range(m.oldLines.offset(r.start) + delta, m.oldLines.offset(r.end) + delta);
  };
  const same = index === old.info.index && delta === 0 && m.lineDelta === 0 && below(old.info.range);
  if (same) return { ...old, raw };
  const info: StatementInfo = { ...old.info, index, start: raw.start, end: raw.end, range: moveRange(old.info.range) };
  const findings = old.findings.map((f) => {
    const range = moveRange(f.range);
    if (range === f.range && index === f.statementIndex && !f.fix) return f;
    return {
      ...f,
      statementIndex: index,
      range,
      ...(f.fix ? { fix: { ...f.fix, edits: f.fix.edits.map((e) => ({ ...e, range: moveRange(e.range) })) } } : {}),
    };
  });
  return { ...old, raw, info, findings };
}
