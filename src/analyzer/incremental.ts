// Incremental analysis for the editor: after an edit, only what the edit can have changed is analysed again.
//
// - Statements before the edit keep their results: analysis only looks backwards, and the state before the first
//   changed statement (transactions, settings, schema) is restored from a checkpoint.
// - The text is re-split from the last statement boundary before the edit until the pieces line up with the previous
//   split again; the rest is reused, shifted.
// - A statement after the edit keeps its analysis (lock effects, schema changes, findings) when nothing it read can
//   have changed: the same transaction and settings state before it, and no schema object it read or wrote written
//   by a changed statement. Rules that looked at other statements (the engine observes which: lookback.ts) run again
//   on it when a statement they may have looked at changed: within its transaction, or anywhere before it.
// - The schema is kept in layers of consecutive statements. A layer whose statements all kept their analysis is
//   reused as it is, put over the new layer before it; only layers with a changed statement replay their statements.
// - A statement that moved to another line counts as changed for those rules (their messages can name its line).
// - Whole-file rules (checkFile) run again on the whole file.
//
// The result equals analyze(text, options) exactly; test/unit/analyzer/incremental.test.ts checks that on thousands
// of random edits.
import type { Finding, ParseProblem, Range } from './types.js';
import type { Piece } from './split.js';
import type { Rule } from './rule.js';
import { SchemaModel, type SchemaTracker } from './schema.js';
import { LineIndex } from './text.js';
import { rulesForKind } from './rule.js';
import { lockSummary } from './rules/utils/transaction.js';
import { fileRuleProbe, rawStatements } from './lookback.js';
import {
  compareFindings, ignoreDirectives, initialState, runEndRules, runFileRule, runStatementRules, sameState, schemaFromSql, setupFile, sortFindings, splitAndParse, splitThenParse,
  stepStatement, type AnalysisResult, type AnalyzeOptions, type EngineState, type FileSetup, type LookBackRecord, type RawStatement, type StatementInfo,
} from './analyze.js';

/** Statements per schema layer, about: resuming replays at most this many statements' schema changes. */
const LAYER = 32;

type LookBack = LookBackRecord & { rule: Rule<any> };

/**
 * What changed in one transaction, for the rules that noted exactly what they read of it (scope 'transaction-held'):
 * the statements whose lock summary changed (old and new, at their place in the new order), the relations they lock,
 * and whether one of them begins or ends a transaction (then everything in it counts as changed).
 */
interface TxnLockChanges { structural: boolean; relations: Set<string>; changed: Array<{ pos: number; info: StatementInfo }> }

interface StatementRecord {
  raw: RawStatement;
  info: StatementInfo;
  /** Findings of per-statement rules for this statement, sorted. */
  findings: Finding[];
  /** Findings of whole-file rules on this statement (moved with it; see FileMemo). */
  fileFindings?: Finding[];
  /**
   * What the rules with checkEnd found on this statement, sorted, and what they read of the end schema; kept while
   * no changed statement writes that. Undefined until they run (a statement analysed again has none).
   */
  end?: { findings: Finding[]; reads: Set<string>; global: boolean; always: boolean };
  /** findings and end.findings merged, for as long as neither is replaced. */
  merged?: { findings: Finding[]; end: StatementRecord['end']; list: Finding[] };
  /** The rules that looked at other statements when they checked this one. */
  lookBacks: LookBack[];
  stateBefore: EngineState;
  reads: Set<string>;
  writes: Set<string>;
  /** The statement read the whole schema (a scan over every relation). */
  global: boolean;
}

/**
 * A whole-file rule's last findings and what it read to find them (lookback.ts fileRuleProbe, the end schema's
 * tracker): the kinds of statements, or everything; the relations of the end state. Its findings live on the records
 * of the statements they are about, so they move with them; they are reused while no statement of those kinds
 * changed (or moved to another line) and no changed statement wrote what it read of the schema.
 */
interface FileMemo extends Observed {
  findings: Finding[];
  /** The record each finding is attached to (parallel to findings). */
  records: StatementRecord[];
}

/** What an edit changed, for the whole-file rules. */
interface FileChanges { memos: Map<Rule<any>, FileMemo>; kinds: Set<string>; dirty: Set<string>; txns: Set<number> }

/** A schema layer: the changes of statements [start, end). */
interface Layer { model: SchemaModel; start: number; end: number }

interface Snapshot {
  text: string;
  lines: LineIndex;
  records: StatementRecord[];
  /** Parse problems with the offsets they cover. */
  problems: Array<{ problem: ParseProblem; start: number; end: number }>;
  /** Consecutive layers over `base`, covering every statement. */
  layers: Layer[];
  base: SchemaModel;
  endState: EngineState;
  fileKey: string;
  result: AnalysisResult;
  fileMemos: Map<Rule<any>, FileMemo>;
}

export interface IncrementalStats {
  /** Statements whose results were reused from the previous analysis (prefix and suffix). */
  reused: number;
  /** Statements analysed again. */
  analysed: number;
  /** Reused statements on which the rules that look at other statements ran again. */
  rechecked: number;
  /** Statements whose schema changes were applied again (replayed) to rebuild a layer. */
  replayed: number;
  /** Whole-file rules run again (the others kept their findings). */
  fileRulesRun: number;
  /** Statements the rules with checkEnd checked again. */
  endChecked: number;
  full: boolean;
}

/**
 * A first analysis done in steps (DocumentAnalyzer.begin): an editor shows the findings of the first statements
 * while the rest is analysed, and stays responsive between steps.
 */
export interface AnalysisSteps {
  /** Statements in the document. */
  readonly total: number;
  /** Statements analysed so far. */
  readonly analysed: number;
  /** Analyses up to `count` more statements; the result once every statement is analysed (and the file rules ran). */
  step(count: number): AnalysisResult | undefined;
  /**
   * The findings so far: those of per-statement rules on the statements analysed (final: such a rule looks only at
   * the statements before its own), and every parse problem. The rules about the whole file come with the result.
   */
  partial(): Pick<AnalysisResult, 'findings' | 'parseProblems'>;
  /** True when another update or begin came first: this analysis stopped and gives no result. */
  readonly abandoned: boolean;
}

export class DocumentAnalyzer {
  private prev: Snapshot | undefined;
  /** Bumped by every update and begin: an analysis in steps that is no longer the latest stops. */
  private generation = 0;
  /** What the last update did (for benchmarks and tests). */
  lastStats: IncrementalStats = { reused: 0, analysed: 0, rechecked: 0, replayed: 0, fileRulesRun: 0, endChecked: 0, full: true };

  private options: AnalyzeOptions;

  constructor(options: AnalyzeOptions = {}) {
    this.options = withBase(options);
  }

  /** New options (config, schema) invalidate everything. */
  setOptions(options: AnalyzeOptions): void {
    this.options = withBase(options);
    this.prev = undefined;
    this.generation++;
  }

  /**
   * Analyses the document's new text. `change`, when the caller knows it (an editor's content change), says which
   * part of the previous text was replaced, so the texts need not be compared; several changes are given as the one
   * range that covers them. A change that does not fit the two texts is ignored.
   */
  update(text: string, change?: TextChange): AnalysisResult {
    this.generation++;
    const prev = this.prev;
    if (prev && !change && prev.text === text) return prev.result;
    const next = prev ? this.incremental(prev, text, change) : undefined;
    if (next) this.prev = next;
    else { const full = this.full(text); let snap; while (!(snap = full.run(Infinity))); this.prev = snap; }
    return this.prev.result;
  }

  /** True once a document has been analysed: the next update is incremental. */
  get hasResult(): boolean { return this.prev !== undefined; }

  /**
   * Analyses the text from scratch in steps (see AnalysisSteps); the result is the one update(text) gives, and the
   * analyzer keeps it for the next update.
   */
  begin(text: string): AnalysisSteps {
    const generation = ++this.generation;
    this.prev = undefined;
    const full = this.full(text);
    let done = false;
    const self = this;
    return {
      get total() { return full.total(); },
      get analysed() { return full.analysed(); },
      get abandoned() { return self.generation !== generation; },
      step(count: number) {
        if (done || self.generation !== generation) return undefined;
        const snapshot = full.run(count);
        if (!snapshot) return undefined;
        done = true;
        self.prev = snapshot;
        return snapshot.result;
      },
      partial: () => full.partial(),
    };
  }

  /**
   * The first analysis of a text, resumable. Statements are parsed as they are reached; the statement count the rules
   * see is that of the split until the parse says otherwise, which matters only for one statement against several
   * (the runner's implicit transaction, fileKey): then the analysis starts again with the right count.
   */
  private full(text: string) {
    const lines = new LineIndex(text);
    const split = splitThenParse(text, lines);
    const { raws, problems } = split;
    let count = split.pieces;
    let setup = setupFile(text, lines, count, this.options);
    const base = setup.file.schemaBefore;
    let st = initialState(setup);
    let layers: Layer[] = [];
    let records: StatementRecord[] = [];
    let layer: Layer | undefined;
    let i = 0;
    return {
      total: () => count,
      analysed: () => i,
      // Parse problems come in text order: the pieces are parsed in order.
      partial: () => ({ findings: records.flatMap((r) => r.findings), parseProblems: problems.slice() }),
      /** Analyses up to `n` more statements; the snapshot once all are done. */
      run: (n: number): Snapshot | undefined => {
        const stop = i + n;
        let parsed = split.parse(stop);
        for (; i < Math.min(stop, raws.length); i++) {
          if (!layer || i - layer.start >= LAYER) {
            if (layer) { layer.end = i; layer.model.seal(); }
            layer = { model: newLayer(layer?.model ?? base), start: i, end: i };
            layers.push(layer);
          }
          records.push(runTracked(raws[i], i, st, layer.model, setup));
        }
        if (i < raws.length) return undefined;
        if (!parsed) {
          parsed = split.parse(raws.length + 1);
          if (i < raws.length || !parsed) return undefined;
        }
        if ((raws.length === 1) !== (count === 1) || (raws.length > 1) !== (count > 1)) {
          // The count changed what rules may see: again, from the start, with the parsed statements.
          count = raws.length;
          setup = setupFile(text, lines, count, this.options);
          st = initialState(setup);
          layers = []; records = []; layer = undefined; i = 0;
          return undefined;
        }
        setup.file.statementCount = raws.length;
        if (layer) { layer.end = raws.length; layer.model.seal(); }
        const stats: IncrementalStats = { reused: 0, analysed: records.length, rechecked: 0, replayed: 0, fileRulesRun: 0, endChecked: 0, full: true };
        return this.finish(text, lines, setup, records, problems.map((p) => ({ problem: p, start: lines.offset(p.range.start), end: lines.offset(p.range.end) })), layers, base, st, stats);
      },
    };
  }

  private incremental(prev: Snapshot, text: string, change?: TextChange): Snapshot | undefined {
    const old = prev.text;
    let prefix: number;
    let suffix: number;
    if (change && fits(change, old, text)) {
      prefix = change.start;
      suffix = old.length - change.oldEnd;
    } else {
      ({ prefix, suffix } = commonEnds(old, text));
    }
    const delta = text.length - old.length;
    const oldChangeEnd = old.length - suffix; // the changed region is [prefix, oldChangeEnd) in the old text

    // Statements wholly before the edit, whose piece was closed by a `;` before it, are kept.
    const records = prev.records;
    let keep = 0;
    while (keep < records.length && records[keep].raw.pieceTerminated && records[keep].raw.pieceEnd <= prefix) keep++;
    // Several statements recovered from one broken piece share it: keep all or none of them.
    while (keep > 0 && keep < records.length && records[keep].raw.pieceLeading === records[keep - 1].raw.pieceLeading) keep--;
    const resumeAt = keep > 0 ? records[keep - 1].raw.pieceEnd : 0;

    // Old pieces entirely after the edit start where their leading comments start: where re-splitting can stop. The
    // records are in text order: the old piece at an offset is found by bisection.
    const oldPieceAt = (offset: number): number | undefined => {
      if (offset < oldChangeEnd) return undefined;
      let lo = keep, hi = records.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (records[mid].raw.pieceLeading < offset) lo = mid + 1; else hi = mid; }
      return lo < records.length && records[lo].raw.pieceLeading === offset ? lo : undefined;
    };
    const oldProblemsAfter = prev.problems.filter((p) => p.start >= oldChangeEnd);
    const lines = LineIndex.afterEdit(prev.lines, text, prefix, oldChangeEnd, text.length - suffix);
    const move: Move = { oldLines: prev.lines, lines, editLine: prev.lines.position(oldChangeEnd).line, lineDelta: lines.lineCount - prev.lines.lineCount, delta };
    const stopAt = (p: Piece) => oldPieceAt(p.leadingStart - delta) !== undefined && !problemStartsIn(oldProblemsAfter, p.leadingStart - delta);
    const { raws: middle, problems: middleProblems, stoppedAt } = splitAndParse(text, lines, resumeAt, stopAt);
    const suffixFrom = stoppedAt ? oldPieceAt(stoppedAt.leadingStart - delta)! : records.length;
    const newCount = keep + middle.length + (records.length - suffixFrom);

    const setup = setupFile(text, lines, newCount, this.options);
    if (fileKey(setup) !== prev.fileKey || setup.file.schemaBefore !== prev.base) return undefined;

    const stats: IncrementalStats = { reused: 0, analysed: 0, rechecked: 0, replayed: 0, fileRulesRun: 0, endChecked: 0, full: false };
    // Restore the state before statement `keep`, and the schema: the layers wholly before it are kept; the layer it
    // falls in is rebuilt from its start.
    // The state between statements. A reused statement leaves the state its old analysis recorded after it, shared
    // (not copied); `own()` copies it before a statement is analysed again, which changes it.
    let st: EngineState = keep < records.length ? records[keep].stateBefore : prev.endState;
    let stOwned = false;
    const own = () => { if (!stOwned) { st = { ...st }; stOwned = true; } return st; };
    const oldLayers = prev.layers;
    let li = 0;
    while (li < oldLayers.length && oldLayers[li].end <= keep) li++;
    // An edit at the end of the last layer extends it: rebuild that layer.
    if (li === oldLayers.length && li > 0 && keep === oldLayers[li - 1].end) li--;
    const layers: Layer[] = oldLayers.slice(0, li);
    const layerStart = li < oldLayers.length ? oldLayers[li].start : keep;
    let cur: Layer | undefined = { model: newLayer(li > 0 ? layers[li - 1].model : prev.base), start: layerStart, end: layerStart };
    layers.push(cur);
    for (let i = layerStart; i < keep; i++) {
      try { cur.model.applyStatement(records[i].raw.node); } catch { /* as in analyze() */ }
      stats.replayed++;
    }
    // Old layers after the edit, by the old index of their first statement: where a layer can be reused.
    const oldLayerAt = new Map<number, number>();
    for (let k = li + 1; k < oldLayers.length; k++) oldLayerAt.set(oldLayers[k].start, k);

    const out: StatementRecord[] = records.slice(0, keep);
    stats.reused = keep;
    // Rules look back at the statements before theirs.
    setup.file.statements = out.map((r) => r.info);
    const dirty = new Set<string>();
    /** dirty's names in a list: checked against each later statement's reads (no iterator per check). */
    const dirtyList: string[] = [];
    const addDirty = (w: string) => { if (!dirty.has(w)) { dirty.add(w); dirtyList.push(w); } };
    /** Kinds of the statements that are new, gone, analysed again or moved to another line (whole-file rules). */
    const changedKinds = new Set<string>();
    const changedTxns = new Set<number>();
    /** Some statement before the current one is new, gone or analysed again. */
    let changedBefore = false;
    const nextIndex = () => out.length;

    // A reused old layer in progress: its statements are taken over one by one; the first one that cannot be taken
    // over as it is turns it into a rebuilt layer (`materialize`).
    // The statements taken over so far are out[from…] (while a layer is pending, every statement goes there).
    let pending: { oldLayer: number; from: number } | undefined;
    const closeCurrent = () => {
      if (cur) { cur.end = nextIndex(); if (cur.end === cur.start) layers.pop(); else cur.model.seal(); cur = undefined; }
    };
    const lastModel = () => (layers.length ? layers[layers.length - 1].model : prev.base);
    /** Before taking old record `j` (old index): start reusing its old layer if one starts there. */
    const atOld = (j: number) => {
      const k = oldLayerAt.get(j);
      if (k === undefined) return;
      if (pending) finishPending();
      closeCurrent();
      pending = { oldLayer: k, from: nextIndex() };
    };
    const finishPending = () => {
      const p = pending!;
      pending = undefined;
      const oldLayer = oldLayers[p.oldLayer];
      const parentOld = p.oldLayer > 0 ? oldLayers[p.oldLayer - 1].model : prev.base;
      const parent = lastModel();
      const taken = nextIndex() - p.from;
      if (taken === oldLayer.end - oldLayer.start && sameDefaults(parent, parentOld)) {
        const model = oldLayer.model.rebase(parent);
        model.seal();
        layers.push({ model, start: p.from, end: p.from + taken });
      } else {
        // Not the whole old layer (the edit removed some of its statements): rebuild it.
        cur = { model: newLayer(parent), start: p.from, end: p.from };
        layers.push(cur);
        replay(cur.model, p.from);
      }
    };
    /** Applies the schema changes of out[from…] to `model` again. */
    const replay = (model: SchemaModel, from: number) => {
      for (let i = from; i < out.length; i++) { try { model.applyStatement(out[i].raw.node); } catch { /* as in analyze() */ } stats.replayed++; }
    };
    /** The schema model the next statement is applied to, rebuilt up to it. */
    const materialize = (): SchemaModel => {
      if (pending) {
        const p = pending;
        pending = undefined;
        cur = { model: newLayer(lastModel()), start: p.from, end: p.from };
        layers.push(cur);
        replay(cur.model, p.from);
      }
      if (!cur || nextIndex() - cur.start >= 2 * LAYER) {
        closeCurrent();
        cur = { model: newLayer(lastModel()), start: nextIndex(), end: nextIndex() };
        layers.push(cur);
      }
      return cur.model;
    };

    /** Per transaction, the statements whose lock summary changed (for the rules' narrow transaction queries). */
    const txnLockChanges = new Map<number, TxnLockChanges>();
    const markTxn = (txn: number) => { if (txn >= 0) changedTxns.add(txn); };
    /** A statement whose lock summary changed (gone, new, or analysed again), at `pos` in the new order. */
    const noteLocks = (info: StatementInfo, pos: number) => {
      const txn = info.transactionId;
      if (txn < 0) return;
      let c = txnLockChanges.get(txn);
      if (!c) txnLockChanges.set(txn, (c = { structural: false, relations: new Set(), changed: [] }));
      if (info.effects.transaction) c.structural = true;
      for (const l of info.locks) c.relations.add(l.relation);
      c.changed.push({ pos, info });
    };
    /** An old statement that is gone or replaced: what it wrote, and its transaction, count as changed. */
    const drop = (r: StatementRecord, locks = true) => {
      for (const w of r.writes) addDirty(w);
      changedKinds.add(r.info.kind);
      markTxn(r.info.transactionId);
      if (locks) noteLocks(r.info, nextIndex());
      changedBefore = true;
    };
    /** Reuses `old` for `raw` (the same statement text) when nothing it depends on changed; false when it cannot. */
    const tryReuse = (old: StatementRecord, raw: RawStatement, stateAfter: EngineState, oldStart: number): boolean => {
      if (!sameState(st, old.stateBefore) || (dirtyList.length > 0 && (old.global || hasAny(old.reads, dirtyList) || hasAny(old.writes, dirtyList)))) return false;
      if (raw !== old.raw && (raw.terminated !== old.raw.terminated || raw.end - raw.start !== old.raw.end - old.raw.start || !sameIgnores(text, raw, old))) return false;
      // Rules read what precedes the statement on its line (a fix inserts a line before it, or text after a `;`).
      if ((raw !== old.raw || old.info.range.start.line === move.editLine) && !sameLinePrefix(prev, old, text, lines, raw.start)) return false;
      const oldLine = old.info.range.start.line;
      let rec = moveRecord(old, raw, nextIndex(), raw.start - oldStart, move);
      const again = old.lookBacks.length ? lookBacksToRerun(old, changedBefore, changedTxns, txnLockChanges, setup.file) : NONE;
      // Its analysis stands, but rules that looked at changed statements run again. In a layer that is still being
      // taken over as it was, first without a schema: most of them do not read it, and then the layer stays reused.
      let rechecked: StatementRecord | undefined;
      if (again.length && pending) {
        setup.file.statements[rec.info.index] = rec.info;
        rechecked = recheck(rec, again, NO_SCHEMA, setup);
        if (rechecked) stats.rechecked++;
      }
      if (rechecked) {
        rec = rechecked;
        out.push(rec);
      } else if (again.length) {
        // With the schema before it: the layer is rebuilt up to here.
        const schema = materialize();
        setup.file.statements[rec.info.index] = rec.info;
        rec = recheck(rec, again, schema, setup)!;
        stats.rechecked++;
        out.push(rec);
        try { schema.applyStatement(raw.node); } catch { /* as in analyze() */ }
        stats.replayed++;
      } else if (pending) {
        out.push(rec);
        setup.file.statements[rec.info.index] = rec.info;
      } else {
        const schema = materialize(); // before the statement joins `out`: the layer it goes into starts at or before it
        out.push(rec);
        setup.file.statements[rec.info.index] = rec.info;
        try { schema.applyStatement(raw.node); } catch { /* as in analyze() */ }
        stats.replayed++;
      }
      // Same state before and the same statement: the same state after, as the previous analysis recorded it.
      st = stateAfter;
      stOwned = false;
      stats.reused++;
      // A statement that moved to another line changes what a later rule says about it ("… on line 12").
      if (rec.info.range.start.line !== oldLine) {
        changedKinds.add(rec.info.kind);
        changedBefore = true;
        markTxn(rec.info.transactionId);
      }
      return true;
    };
    /** Analyses `raw` again; `replaces`, the old statement in its place, if any (then dropped). */
    const recompute = (raw: RawStatement, replaces?: StatementRecord) => {
      const rec = runTracked(raw, nextIndex(), own(), materialize(), setup);
      for (const w of rec.writes) addDirty(w);
      changedKinds.add(rec.info.kind);
      // Rules that read only what earlier statements of the transaction lock need not run again on the later ones
      // when the new statement locks what the old one did, from the same line.
      const sameLocks = !!replaces && replaces.info.transactionId === rec.info.transactionId &&
        replaces.info.range.start.line === rec.info.range.start.line && lockSummary(replaces.info) === lockSummary(rec.info);
      markTxn(rec.info.transactionId);
      if (!sameLocks) noteLocks(rec.info, rec.info.index);
      if (replaces) drop(replaces, !sameLocks);
      changedBefore = true;
      out.push(rec);
      stats.analysed++;
    };
    const stateAfterOld = (j: number) => (j + 1 < records.length ? records[j + 1].stateBefore : prev.endState);

    // The re-split region: statements whose text is unchanged (only what surrounds them moved) are matched with the
    // old ones in order and reused when possible.
    let oi = keep;
    for (let m = 0; m < middle.length; m++) {
      const raw = middle[m];
      if (oi < suffixFrom && records[oi].raw.text !== raw.text && oi + 1 < suffixFrom && records[oi + 1].raw.text === raw.text) {
        drop(records[oi]); oi++; // the old statement was deleted
      }
      const cand = oi < suffixFrom ? records[oi] : undefined;
      if (cand && cand.raw.text === raw.text) {
        if (!tryReuse(cand, raw, stateAfterOld(oi), cand.raw.start)) recompute(raw, cand);
        oi++;
        continue;
      }
      // A replaced statement: the next new one lines up with the next old one. Otherwise an inserted one.
      if (cand && m + 1 < middle.length && oi + 1 < suffixFrom && records[oi + 1].raw.text === middle[m + 1].text) { recompute(raw, cand); oi++; }
      else recompute(raw);
    }
    for (; oi < suffixFrom; oi++) drop(records[oi]);

    for (let j = suffixFrom; j < records.length; j++) {
      atOld(j);
      const old = records[j];
      const oldStart = old.raw.start;
      const raw = shiftRaw(old.raw, delta);
      if (!tryReuse(old, raw, stateAfterOld(j), oldStart)) recompute(raw, old);
    }
    if (pending) finishPending();
    closeCurrent();

    const problems = [
      ...prev.problems.filter((p) => p.end <= resumeAt),
      ...middleProblems.map((p) => ({ problem: p, start: lines.offset(p.range.start), end: lines.offset(p.range.end) })),
      ...oldProblemsAfter.filter((p) => stoppedAt && p.start >= stoppedAt.leadingStart - delta).map((p) => ({
        problem: { ...p.problem, range: lines.range(p.start + delta, p.end + delta) }, start: p.start + delta, end: p.end + delta,
      })),
    ];
    return this.finish(text, lines, setup, out, problems, layers, prev.base, st, stats, { memos: prev.fileMemos, kinds: changedKinds, dirty, txns: changedTxns });
  }

  private finish(text: string, lines: LineIndex, setup: FileSetup, records: StatementRecord[],
    problems: Snapshot['problems'], layers: Layer[], base: SchemaModel, st: EngineState, stats: IncrementalStats, changes?: FileChanges): Snapshot {
    const statements = records.map((r) => r.info);
    setup.file.statements = statements;
    // One flat layer for the end state: whole-file rules look up every table in it, and the chain of layers is long.
    // Made when first read: the rules that read it often keep their findings, and then nothing reads it.
    const top = layers.length ? layers[layers.length - 1].model : base;
    const end: EndSchema = {};
    Object.defineProperty(setup.file, 'schemaAfter', {
      enumerable: true, configurable: true,
      get() { end.model ??= top === base ? base : top.flattenedOver(base); end.model.tracker = end.tracker; return end.model; },
      set(v: SchemaModel) { end.model = v; },
    });
    // Per-statement findings are kept sorted within their statement; whole-file findings are sorted and merged in,
    // which gives the order analyze() gives (a stable sort by statement, line, character).
    setup.file.endsInTransaction = st.explicitDepth > 0;
    // Rules about what the migration leaves behind, per statement: again only where what they read changed.
    if (setup.endRules.length) {
      const dirty = changes?.dirty;
      for (const r of records) {
        const e = r.end;
        if (e === NO_END_RULES) continue;
        if (e && !e.always && !(dirty && dirty.size > 0 && (e.global || intersects(e.reads, dirty)))) continue;
        if (rulesForKind(setup.endRules, r.info.kind).length === 0) { r.end = NO_END_RULES; continue; }
        r.end = runEndRulesTracked(r.info, top, setup);
        stats.endChecked++;
      }
    }
    const fileMemos = new Map<Rule<any>, FileMemo>();
    const fileFindings: Finding[] = [];
    for (const rule of setup.rules) {
      if (!rule.checkFile) continue;
      const old = changes?.memos.get(rule);
      let memo = old && stillValid(old, changes!, records) ? old : undefined;
      if (!memo) {
        if (old) detach(old, rule);
        memo = runFileRuleTracked(setup, rule, records, end);
        stats.fileRulesRun++;
      }
      fileMemos.set(rule, memo);
      for (const f of memo.findings) fileFindings.push(f);
    }
    sortFindings(fileFindings);
    // Allocated at its size: a long migration has thousands of findings, and an edit builds the list again.
    let count = fileFindings.length;
    for (const r of records) count += r.findings.length + (r.end ? r.end.findings.length : 0);
    const findings: Finding[] = new Array(count);
    let n = 0;
    let fi = 0;
    for (const r of records) {
      const index = r.info.index;
      while (fi < fileFindings.length && fileFindings[fi].statementIndex < index) findings[n++] = fileFindings[fi++];
      const own = r.end?.findings.length ? ownFindings(r) : r.findings;
      if (fi < fileFindings.length && fileFindings[fi].statementIndex === index) {
        for (const f of own) {
          while (fi < fileFindings.length && compareFindings(fileFindings[fi], f) < 0) findings[n++] = fileFindings[fi++];
          findings[n++] = f;
        }
      } else {
        for (let i = 0; i < own.length; i++) findings[n++] = own[i];
      }
    }
    while (fi < fileFindings.length) findings[n++] = fileFindings[fi++];
    problems.sort((a, b) => a.start - b.start);
    const result: AnalysisResult = { file: setup.file, statements, findings, parseProblems: problems.map((p) => p.problem) };
    this.lastStats = stats;
    return { text, lines, records, problems, layers, base, endState: { ...st }, fileKey: fileKey(setup), result, fileMemos };
  }
}

const NONE: LookBack[] = [];

/**
 * A schema that is not there: any use by a rule is noted (and the rule stopped), so that rules can be run again
 * without rebuilding the schema before the statement, and again with it when one of them needed it.
 */
const noSchema = { touched: false };
const NO_SCHEMA = new Proxy({}, {
  get() { noSchema.touched = true; throw new Error('no schema here'); },
  has() { noSchema.touched = true; return false; },
}) as SchemaModel;

/** The rules that looked at other statements when they checked `rec` and must run again: something they saw changed. */
function lookBacksToRerun(rec: StatementRecord, changedBefore: boolean, changedTxns: Set<number>,
  txnLockChanges: Map<number, TxnLockChanges>, file: FileSetup['file']): LookBack[] {
  if (!changedBefore) return NONE; // nothing before it changed, in its transaction or anywhere
  const txn = rec.info.transactionId;
  const txnChanged = txn >= 0 && changedTxns.has(txn);
  let out: LookBack[] | undefined;
  for (const l of rec.lookBacks) {
    const again = l.scope === 'file' ? true
      : l.scope === 'transaction' ? txnChanged
      : txnChanged && heldChanged(l, txnLockChanges.get(txn), file);
    if (again) (out ??= []).push(l);
  }
  return out ?? NONE;
}

/** Whether what a rule noted of its transaction (the relations it asked about, the first statement it picked) changed. */
function heldChanged(l: LookBack, c: TxnLockChanges | undefined, file: FileSetup['file']): boolean {
  const f = l.first;
  const h = f?.stmt;
  // The statement it picked is gone, analysed again or moved to another line (messages name its line).
  if (h && (rawStatements(file)[h.index] !== h || h.range.start.line !== f.line)) return true;
  if (!c) return false;
  if (c.structural) return true;
  for (const r of l.relations ?? NONE_RELATIONS) if (c.relations.has(r)) return true;
  if (!f) return false;
  // A changed statement before the one it picked (or anywhere, when none was) would be picked now, or was before.
  return c.changed.some((x) => (!h || x.pos <= h.index) && f.pick(x.info) !== undefined);
}
const NONE_RELATIONS: readonly string[] = [];

/** The previous text's [start, oldEnd) became the new text's [start, newEnd). */
export interface TextChange { start: number; oldEnd: number; newEnd: number }

/**
 * Adds an edit (at `offset` of the current text, `length` characters replaced by `inserted` characters) to `prev`,
 * the range changed so far: the result covers both, in the offsets of the text before `prev` (what update() was last
 * given). An editor calls it for each content change it receives between two updates.
 */
export function composeChange(prev: TextChange | undefined, offset: number, length: number, inserted: number): TextChange {
  if (!prev) return { start: offset, oldEnd: offset + length, newEnd: offset + inserted };
  const delta = prev.newEnd - prev.oldEnd; // how far text after the earlier change has moved
  const end = Math.max(prev.newEnd, offset + length); // in the current text; at or after the earlier change
  return { start: Math.min(prev.start, offset), oldEnd: end - delta, newEnd: end + inserted - length };
}

function fits(c: TextChange, old: string, text: string): boolean {
  return Number.isInteger(c.start) && Number.isInteger(c.oldEnd) && Number.isInteger(c.newEnd) &&
    c.start >= 0 && c.start <= c.oldEnd && c.oldEnd <= old.length && c.start <= c.newEnd && c.newEnd <= text.length &&
    text.length - c.newEnd === old.length - c.oldEnd &&
    // The text around the change is the same (a cheap guard against a change that belongs to another version).
    (c.start === 0 || old.charCodeAt(c.start - 1) === text.charCodeAt(c.start - 1)) &&
    (c.oldEnd === old.length || old.charCodeAt(c.oldEnd) === text.charCodeAt(c.newEnd));
}

/** The lengths of the longest common prefix and (not overlapping it) suffix of two texts. */
function commonEnds(old: string, text: string): { prefix: number; suffix: number } {
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
  return { prefix, suffix };
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

function sameDefaults(a: SchemaModel, b: SchemaModel): boolean {
  return a.defaultTablespace === b.defaultTablespace && a.defaultAccessMethod === b.defaultAccessMethod;
}

function runTracked(raw: RawStatement, index: number, st: EngineState, schema: SchemaModel, setup: FileSetup): StatementRecord {
  const stateBefore = { ...st };
  const tracker: SchemaTracker = { reads: new Set(), writes: new Set(), global: false };
  const findings: Finding[] = [];
  const lookBacks: LookBack[] = [];
  schema.tracker = tracker;
  let info: StatementInfo;
  try {
    info = stepStatement(raw, index, st, schema, setup, findings, lookBacks);
  } finally {
    schema.tracker = undefined;
  }
  sortFindings(findings);
  return { raw, info, findings, lookBacks, stateBefore, reads: tracker.reads, writes: tracker.writes, global: tracker.global };
}

/** Runs `again` on a reused statement, replacing their findings; the other rules' findings stand. */
function recheck(rec: StatementRecord, again: LookBack[], schema: SchemaModel, setup: FileSetup): StatementRecord | undefined {
  const ids = new Set(again.map((l) => l.rule.id));
  const findings = rec.findings.filter((f) => !ids.has(f.ruleId));
  const lookBacks: LookBack[] = rec.lookBacks.filter((l) => !ids.has(l.rule.id));
  const kept = findings.length;
  noSchema.touched = false;
  runStatementRules(rec.info, schema, setup, again.map((l) => l.rule), findings, lookBacks);
  if (schema === NO_SCHEMA && noSchema.touched) return undefined; // a rule needed the schema: run them with it
  // The order analyze() gives: by position, then by rule (the order rules run in), then as reported.
  const order = ruleOrder(setup);
  const seq = new Map<Finding, number>(findings.map((f, i) => [f, i < kept ? i : i + 1e6]));
  findings.sort((a, b) => compareFindings(a, b) || (order.get(a.ruleId) ?? 0) - (order.get(b.ruleId) ?? 0) || seq.get(a)! - seq.get(b)!);
  // In place: the record keeps its identity (whole-file rules' findings are attached to it).
  rec.findings = findings;
  rec.lookBacks = lookBacks;
  return rec;
}

const ruleOrders = new WeakMap<readonly Rule<any>[], Map<string, number>>();
function ruleOrder(setup: FileSetup): Map<string, number> {
  let m = ruleOrders.get(setup.checkRules);
  if (!m) ruleOrders.set(setup.checkRules, (m = new Map(setup.checkRules.map((r, i) => [r.id, i]))));
  return m;
}

/** What must be equal for two analyses of a file to share per-statement results. */
function fileKey(setup: FileSetup): string {
  // Rules may treat a one-statement file differently (it runs atomically): a change to or from one statement
  // analyses everything again.
  return `${setup.implicit}|${setup.implicitActive}|${setup.file.statementCount === 1}|${setup.rules.map((r) => r.id).join(',')}`;
}

/** Whether `set` holds one of `names` (a short list). */
function hasAny(set: Set<string>, names: readonly string[]): boolean {
  if (set.size === 0) return false;
  for (let i = 0; i < names.length; i++) if (set.has(names[i])) return true;
  return false;
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  if (b.size === 0 || a.size === 0) return false;
  if (a.size > b.size) { const t = a; a = b; b = t; }
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/** The same ignore directives in the comments before the statement. */
function sameIgnores(text: string, raw: RawStatement, old: StatementRecord): boolean {
  const now = raw.start > raw.leadingStart ? ignoreDirectives(text.slice(raw.leadingStart, raw.start)) : [];
  return now.length === old.info.ignoredRules.length && now.every((x, i) => x === old.info.ignoredRules[i]);
}

/** The text between the start of its line and the statement is what it was. */
function sameLinePrefix(prev: Snapshot, old: StatementRecord, text: string, lines: LineIndex, start: number): boolean {
  const oldStart = old.info.start;
  const oldLineStart = prev.lines.offset({ line: old.info.range.start.line, character: 0 });
  const pos = lines.position(start);
  const newLineStart = start - pos.character;
  return start - newLineStart === oldStart - oldLineStart && text.slice(newLineStart, start) === prev.text.slice(oldLineStart, oldStart);
}

function problemStartsIn(problems: Snapshot['problems'], offset: number): boolean {
  // A stop point must be a clean piece boundary of the old split; a problem there came from a broken piece.
  return problems.some((p) => p.start === offset);
}

/** The old statement's raw record at its new offsets (in place: see moveRecord). */
function shiftRaw(raw: RawStatement, delta: number): RawStatement {
  if (delta === 0) return raw;
  raw.start += delta; raw.end += delta; raw.leadingStart += delta; raw.pieceLeading += delta; raw.pieceEnd += delta;
  return raw;
}

interface Move { oldLines: LineIndex; lines: LineIndex; /** Last old line the edit touched. */ editLine: number; lineDelta: number; /** How far text after the edit moved. */ delta: number }

/**
 * Moves a reused record to its new place, in place: its raw statement, StatementInfo and findings are updated, not
 * copied, so that an edit allocates nothing for the thousands of statements below it. A result is therefore valid
 * until the next update(); a finding keeps its identity when it moves (consumers that cache by finding compare its
 * content).
 */
function moveRecord(old: StatementRecord, raw: RawStatement, index: number, delta: number, m: Move): StatementRecord {
  const info = old.info;
  const range = moveRange(info.range, delta, m);
  old.raw = raw; // the re-split may have given it other leading comments or another piece
  if (index === info.index && delta === 0 && range === info.range) return old;
  if (range === info.range) {
    // Same text at the same line and character: every range inside it is unchanged too.
    if (index !== info.index) {
      for (const f of old.findings) f.statementIndex = index;
      if (old.fileFindings) for (const f of old.fileFindings) f.statementIndex = index;
      if (old.end) for (const f of old.end.findings) f.statementIndex = index;
    }
  } else {
    const moved = new Set<object>(); // an edit shared by two findings moves once
    moveFindings(old.findings, index, delta, m, moved);
    if (old.fileFindings) moveFindings(old.fileFindings, index, delta, m, moved);
    if (old.end) moveFindings(old.end.findings, index, delta, m, moved);
  }
  info.index = index;
  info.start = raw.start;
  info.end = raw.end;
  info.range = range;
  return old;
}

function moveFindings(findings: Finding[], index: number, delta: number, m: Move, moved: Set<object>): void {
  for (const f of findings) {
    f.statementIndex = index;
    f.range = moveRange(f.range, delta, m);
    if (!f.fix) continue;
    for (const e of f.fix.edits) if (!moved.has(e)) { moved.add(e); e.range = moveRange(e.range, delta, m); }
  }
}

/** A whole-file rule's findings still stand: nothing it read changed, and each is on a statement that was kept. */
function stillValid(memo: FileMemo, changes: FileChanges, records: StatementRecord[]): boolean {
  if (memo.all) return false;
  for (const k of memo.kinds) if (changes.kinds.has(k)) return false;
  for (const t of memo.txns) if (changes.txns.has(t)) return false;
  if ((memo.global && changes.dirty.size > 0) || intersects(memo.reads, changes.dirty)) return false;
  for (const r of memo.records) if (records[r.info.index] !== r) return false;
  return true;
}

/** Takes a rule's findings off the records they were attached to (it runs again). */
function detach(memo: FileMemo, rule: Rule<any>): void {
  for (const r of new Set(memo.records)) if (r.fileFindings) r.fileFindings = r.fileFindings.filter((f) => f.ruleId !== rule.id);
}

/** A statement of a kind no rule with checkEnd looks at (the rules are fixed for a snapshot: fileKey). */
const NO_END_RULES: NonNullable<StatementRecord['end']> = { findings: [], reads: new Set(), global: false, always: false };

/**
 * What a rule about the end state read while it ran: relations of the end schema (its tracker; `global`: all of
 * them), and of the file everything (`all`), the statements of some kinds, or every statement of some transactions.
 */
interface Observed { reads: Set<string>; global: boolean; all: boolean; kinds: Set<string>; txns: Set<number> }

/** Runs `run` observing its reads: `attach` puts the tracker on the end schema (and takes it off with undefined). */
function observe(attach: (tracker: SchemaTracker | undefined) => void, run: () => void): Observed {
  const tracker: SchemaTracker = { reads: new Set(), writes: new Set(), global: false };
  const probe = fileRuleProbe;
  probe.active = true; probe.all = false; probe.kinds = new Set(); probe.txns = new Set();
  attach(tracker);
  try {
    run();
  } finally {
    probe.active = false;
    attach(undefined);
  }
  return { reads: tracker.reads, global: tracker.global, all: probe.all, kinds: probe.kinds, txns: probe.txns };
}

/** Runs the rules with checkEnd on a statement, noting what they read of the end schema (and of the file). */
function runEndRulesTracked(info: StatementInfo, endSchema: SchemaModel, setup: FileSetup): NonNullable<StatementRecord['end']> {
  const findings: Finding[] = [];
  const seen = observe((t) => { endSchema.tracker = t; }, () => runEndRules(info, endSchema, setup, findings));
  sortFindings(findings);
  return { findings, reads: seen.reads, global: seen.global, always: seen.all || seen.kinds.size > 0 || seen.txns.size > 0 };
}

/** The statement's findings with those of the rules with checkEnd, in order. */
function ownFindings(r: StatementRecord): Finding[] {
  const m = r.merged;
  if (m && m.findings === r.findings && m.end === r.end) return m.list;
  const list = mergeSorted(r.findings, r.end!.findings);
  r.merged = { findings: r.findings, end: r.end, list };
  return list;
}

/** Two lists sorted by position, merged; on a tie the first list's come first (as a stable sort of a ++ b). */
function mergeSorted(a: Finding[], b: Finding[]): Finding[] {
  const out: Finding[] = [];
  let i = 0, j = 0;
  while (i < a.length && j < b.length) out.push(compareFindings(b[j], a[i]) < 0 ? b[j++] : a[i++]);
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

/** The end state's schema for whole-file rules, made when first read, and the tracker of the rule reading it. */
interface EndSchema { model?: SchemaModel; tracker?: SchemaTracker }

/** Runs a whole-file rule, noting what it reads, and attaches its findings to the records of their statements. */
function runFileRuleTracked(setup: FileSetup, rule: Rule<any>, records: StatementRecord[], end: EndSchema): FileMemo {
  const findings: Finding[] = [];
  const seen = observe((t) => { end.tracker = t; if (end.model) end.model.tracker = t; }, () => runFileRule(setup, rule, findings));
  const attached: StatementRecord[] = [];
  for (const f of findings) {
    const r = records[f.statementIndex];
    if (!r) { seen.all = true; continue; } // cannot happen (reports are on statements); then never reused
    (r.fileFindings ??= []).push(f);
    attached.push(r);
  }
  return { findings, records: attached, ...seen };
}

/** Below the edit, a range moves by whole lines and keeps its characters; elsewhere it is mapped through offsets. */
function moveRange(r: Range, delta: number, m: Move): Range {
  // Only text that moved with everything after the edit (not a statement matched elsewhere) moves by whole lines.
  if (delta === m.delta && r.start.line > m.editLine) {
    if (m.lineDelta === 0) return r;
    return { start: { line: r.start.line + m.lineDelta, character: r.start.character }, end: { line: r.end.line + m.lineDelta, character: r.end.character } };
  }
  const moved = m.lines.range(m.oldLines.offset(r.start) + delta, m.oldLines.offset(r.end) + delta);
  return sameRange(moved, r) ? r : moved;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}
