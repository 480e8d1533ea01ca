// Diagnostics as you type. Each SQL document has one pending timer (the debounce) and one last analysis, stamped with
// the document version it was computed for; hover, CodeLens and code actions read that analysis and re-lint first
// when it is stale. Re-analysis after an edit is incremental where it matters: the parser caches statements by
// text (only edited statements are parsed again) and the schema base of the file's folder is cached by `Project`.
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import type { AnalysisResult, Project } from './engine.js';
import { composeChange, type TextChange } from '../analyzer/incremental.js';
import type { Finding, ParseProblem, Severity } from '../analyzer/types.js';
import { docsUrl } from '../analyzer/rule.js';
import { isSqlDocument, type SqlDocument } from './documents.js';
import { settings } from './settings.js';

export const SOURCE = 'pg-preflight';
export const SYNTAX_ERROR = 'syntax-error';

type Engine = typeof import('./engine.js');

export interface Linted {
  uri: string;
  version: number;
  result?: AnalysisResult;
  /** A problem that stopped linting altogether: an invalid .pgpreflight.json, an unreadable schema dump. */
  error?: string;
  excluded?: boolean;
  /** Milliseconds of our own work: analysis plus building and publishing diagnostics. */
  ms: number;
  /** Of which analysis (analyze() over the cached schema base, or building that base first). */
  analyzeMs: number;
  /** performance.now() when this lint started (the extension host's clock). */
  startedAt: number;
  /** What asked for this lint: a keystroke (after the debounce), opening or saving, or anything else. */
  trigger?: 'type' | 'open' | 'other';
  /** For a keystroke: performance.now() when its change event reached the extension, and the debounce applied. */
  changedAt?: number;
  debounceMs?: number;
  /** Of `analyzeMs`: building the schema base (dump and earlier migrations), 0 when it was cached. */
  baseMs?: number;
  /** Of `ms`: turning findings into diagnostics and handing them to VS Code. */
  publishMs?: number;
  /** False when the diagnostics were identical to the ones already shown, so nothing was sent. */
  published?: boolean;
  /**
   * Opening a long migration analyses it in steps: performance.now() when the diagnostics of its first statements
   * were shown, before the rest was analysed; `ms` then spans the whole analysis, `analyzeMs` only its steps.
   */
  firstPublishedAt?: number;
  /** How many diagnostics were shown then. */
  firstPublished?: number;
}

/** Opening a migration of at least this many statements shows the first ones' diagnostics before the rest's. */
const STEPPED_FROM = 300;
/** Statements analysed before the first diagnostics are shown (more than a screenful), then per step. */
const FIRST_STEP = 60;
const NEXT_STEP = 250;

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function toRange(r: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

const docTargets = new Map<string, vscode.Uri>();
function docsTarget(ruleId: string): vscode.Uri {
  let u = docTargets.get(ruleId);
  if (!u) { u = vscode.Uri.parse(docsUrl(ruleId)); docTargets.set(ruleId, u); }
  return u;
}

export function findingDiagnostic(f: Finding): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.range), f.message, SEVERITY[f.severity] ?? vscode.DiagnosticSeverity.Warning);
  d.source = SOURCE;
  d.code = { value: f.ruleId, target: docsTarget(f.ruleId) };
  return d;
}

function problemDiagnostic(p: ParseProblem): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(p.range), p.message, vscode.DiagnosticSeverity.Error);
  d.source = SOURCE;
  d.code = SYNTAX_ERROR;
  return d;
}

/**
 * The diagnostic made for a finding, kept while the finding lives. The incremental analyzer hands back the same
 * Finding object for a statement it did not touch, so after a keystroke only the findings of re-analysed (or moved)
 * statements get new diagnostics. What the diagnostic shows is checked on every hit, so a finding changed in place
 * still gets a fresh one.
 */
const diagnosticOf = new WeakMap<Finding, vscode.Diagnostic>();

function cachedFindingDiagnostic(f: Finding): vscode.Diagnostic {
  const hit = diagnosticOf.get(f);
  if (hit && hit.message === f.message && hit.severity === (SEVERITY[f.severity] ?? vscode.DiagnosticSeverity.Warning) &&
    sameRange(hit.range, f.range) && typeof hit.code === 'object' && hit.code.value === f.ruleId) return hit;
  const d = findingDiagnostic(f);
  diagnosticOf.set(f, d);
  return d;
}

function sameRange(a: vscode.Range, b: Finding['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

export function toDiagnostics(result: Pick<AnalysisResult, 'findings' | 'parseProblems'>): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  for (const p of result.parseProblems) out.push(problemDiagnostic(p));
  for (const f of result.findings) out.push(cachedFindingDiagnostic(f));
  return out;
}

function codeKey(c: vscode.Diagnostic['code']): string | number | undefined {
  return typeof c === 'object' ? `${c.value}\u0000${c.target.toString()}` : c;
}

/** Two diagnostics VS Code would show identically (everything this extension sets on one). */
function sameDiagnostic(a: vscode.Diagnostic, b: vscode.Diagnostic): boolean {
  return a === b || (a.message === b.message && a.severity === b.severity && a.source === b.source && a.range.isEqual(b.range) &&
    codeKey(a.code) === codeKey(b.code) && a.tags === undefined && b.tags === undefined &&
    a.relatedInformation === undefined && b.relatedInformation === undefined);
}

/** True when `next` shows exactly what `shown` shows, in the same order. */
export function sameDiagnostics(shown: readonly vscode.Diagnostic[], next: readonly vscode.Diagnostic[]): boolean {
  if (shown.length !== next.length) return false;
  for (let i = 0; i < next.length; i++) if (!sameDiagnostic(shown[i], next[i])) return false;
  return true;
}

/** The rule id of one of our diagnostics, or undefined for someone else's (or a syntax error). */
export function ruleIdOf(d: vscode.Diagnostic): string | undefined {
  if (d.source !== SOURCE) return undefined;
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return code === undefined || code === SYNTAX_ERROR ? undefined : String(code);
}

export class Linter implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('pg-preflight');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The last keystroke of each document waiting for its debounced lint: when it arrived, and the delay applied. */
  private readonly typed = new Map<string, { changedAt: number; debounceMs: number }>();
  private readonly linted = new Map<string, Linted>();
  /** Documents being analysed in steps since they were opened (lintOpened), by uri: their lint, for who asks meanwhile. */
  private readonly stepping = new Map<string, { version: number; done: Promise<Linted | undefined> }>();
  private readonly waiters = new Map<string, Array<{ version: number; resolve: (l: Linted) => void }>>();
  private readonly emitter = new vscode.EventEmitter<Linted>();
  /** Fires after every lint of an open document, with the version it was computed for. */
  readonly onDidLint = this.emitter.event;
  private engine?: Engine;
  private loading?: Promise<Engine>;
  private project?: Project;
  /** Files pg-preflight lint-workspace put diagnostics on; they stay until the file is opened or deleted. */
  readonly workspaceFiles = new Set<string>();
  /** Timings for the benchmark: the last 200 lints' own work in ms. */
  readonly recentMs: number[] = [];

  constructor(private readonly onError: (message: string) => void) {}

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.collection.dispose();
    this.emitter.dispose();
  }

  get engineLoaded(): boolean { return this.engine !== undefined; }

  /** Loads the engine (and the WASM parser) once, on first use. */
  /** How long loading the engine took (module evaluation and the WASM parser), once it has loaded. */
  engineLoadMs: number | undefined;

  loadEngine(): Promise<Engine> {
    this.loading ??= (async () => {
      const t0 = performance.now();
      const engine = await import('./engine.js');
      await engine.ready();
      this.engineLoadMs = performance.now() - t0;
      this.project = new engine.Project();
      this.engine = engine;
      return engine;
    })();
    return this.loading;
  }

  getProject(): Project | undefined { return this.project; }

  last(doc: { readonly uri: vscode.Uri }): Linted | undefined {
    return this.linted.get(doc.uri.toString());
  }

  /**
   * The analysis of the document as it is now. A lint already scheduled (typing) is awaited rather than run early, so
   * CodeLens and hover requests never add lints between keystrokes; otherwise a stale or missing analysis is redone.
   */
  async current(doc: vscode.TextDocument): Promise<Linted | undefined> {
    if (!isSqlDocument(doc)) return undefined;
    const key = doc.uri.toString();
    const hit = this.linted.get(key);
    if (hit && hit.version === doc.version) return hit;
    if (this.timers.has(key)) return this.whenLinted(doc.uri, doc.version);
    const stepping = this.stepping.get(key);
    if (stepping && stepping.version === doc.version) return stepping.done;
    return this.lintSoon(doc);
  }

  /**
   * The part of each document changed since its last lint, as one range in the offsets of the text that lint saw
   * (null: unknown, the analyzer compares the texts). Passed to the analyzer so it need not compare 2,000 statements'
   * worth of text to find a keystroke.
   */
  private readonly changed = new Map<string, TextChange | null>();

  /** Records a text change event of `doc` (before `schedule`). */
  noteChanges(doc: vscode.TextDocument, changes: readonly vscode.TextDocumentContentChangeEvent[]): void {
    const key = doc.uri.toString();
    const prev = this.changed.get(key);
    if (!this.linted.has(key) || prev === null) return;
    // Several changes in one event (multi-cursor edits) are not composed here: compare the texts instead.
    if (changes.length !== 1) { this.changed.set(key, null); return; }
    this.changed.set(key, composeChange(prev, changes[0].rangeOffset, changes[0].rangeLength, changes[0].text.length));
  }

  /** Schedules a lint after the debounce delay (a keystroke). */
  schedule(doc: vscode.TextDocument): void {
    if (!isSqlDocument(doc)) return;
    const changedAt = performance.now();
    const key = doc.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    const delay = settings(doc.uri).debounceMs;
    this.typed.set(key, { changedAt, debounceMs: delay });
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); void this.lintSoon(doc); }, delay));
  }

  /** Lints as soon as the engine is loaded (an opened or saved document); `force` even when this version was linted. */
  async lintSoon(doc: vscode.TextDocument, force = false, trigger?: 'open'): Promise<Linted | undefined> {
    if (!isSqlDocument(doc) || doc.isClosed) return undefined;
    try {
      if (!this.engine) await this.loadEngine();
    } catch (e) {
      this.onError(`pg-preflight could not load its SQL parser: ${(e as Error).message}`);
      return undefined;
    }
    if (doc.isClosed) return undefined;
    // Several callers may have waited for the engine: lint each version once.
    const hit = this.linted.get(doc.uri.toString());
    if (!force && hit && hit.version === doc.version) return hit;
    // Opened and being analysed in steps: wait for that rather than analyse it all at once.
    const stepping = this.stepping.get(doc.uri.toString());
    if (!force && stepping && stepping.version === doc.version) return stepping.done;
    if (trigger === 'open') {
      const done = this.lintOpened(doc);
      const key = doc.uri.toString();
      const entry = { version: doc.version, done };
      this.stepping.set(key, entry);
      void done.finally(() => { if (this.stepping.get(key) === entry) this.stepping.delete(key); });
      return done;
    }
    return this.lintNow(doc, trigger);
  }

  /**
   * The first lint of a document just opened: a long migration is analysed in steps, its first statements'
   * diagnostics shown at once and the rest between steps (the extension host answers hovers and keeps typing
   * responsive meanwhile). A lint that comes first (a keystroke) takes over; this one then stops.
   */
  private async lintOpened(doc: SqlDocument): Promise<Linted | undefined> {
    const key = doc.uri.toString();
    const path = doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined;
    const project = this.project!;
    const config = path ? project.configFor(dirname(path)) : undefined;
    if (!path || !config?.ok || project.isExcluded(path, config.loaded) || this.timers.has(key)) return this.lintNow(doc, 'open');
    const t0 = performance.now();
    const version = doc.version;
    let steps;
    try {
      steps = project.lintInSteps(doc.getText(), path, config.loaded, STEPPED_FROM);
    } catch {
      steps = undefined; // lintNow says what went wrong
    }
    if (!steps || steps.total < STEPPED_FROM) {
      if (steps) while (!steps.step(Infinity) && !steps.abandoned); // short after all: finish at once
      return this.lintNow(doc, 'open');
    }
    const linted: Linted = { uri: key, version, ms: 0, analyzeMs: 0, startedAt: t0, trigger: 'open', baseMs: project.lastBaseMs };
    let own = 0;
    let result;
    try {
      result = steps.step(FIRST_STEP);
      if (!result) {
        const first = toDiagnostics(steps.partial());
        this.collection.set(doc.uri, first);
        linted.firstPublished = first.length;
        linted.firstPublishedAt = performance.now();
      }
      own = performance.now() - t0;
      while (!result) {
        await new Promise((r) => setImmediate(r));
        // A newer lint (a keystroke, a config or schema change), a closed document: that one stands, or nothing does.
        const latest = this.linted.get(key);
        if (latest && latest.startedAt > t0) return latest;
        if (steps.abandoned || doc.isClosed || doc.version !== version) return latest ?? this.whenLinted(doc.uri, version);
        const s = performance.now();
        result = steps.step(NEXT_STEP);
        own += performance.now() - s;
      }
    } catch {
      // Not expected (the analyzer does not throw on SQL): lint it at once, which reports what went wrong.
      return doc.isClosed ? undefined : this.lintNow(doc, 'open');
    }
    linted.result = result;
    linted.analyzeMs = own;
    return this.settle(doc, linted, toDiagnostics(result), t0, own);
  }

  /** Lints synchronously; the engine must be loaded. */
  lintNow(doc: SqlDocument, trigger?: 'open'): Linted {
    const key = doc.uri.toString();
    const pending = this.timers.get(key);
    if (pending) { clearTimeout(pending); this.timers.delete(key); }
    const typed = this.typed.get(key);
    this.typed.delete(key);
    const t0 = performance.now();
    const linted: Linted = {
      uri: key, version: doc.version, ms: 0, analyzeMs: 0, startedAt: t0,
      trigger: trigger ?? (typed ? 'type' : 'other'), ...(typed ? { changedAt: typed.changedAt, debounceMs: typed.debounceMs } : {}),
    };
    const project = this.project!;
    const path = doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined;
    const dir = path ? dirname(path) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let diagnostics: vscode.Diagnostic[] = [];
    const config = dir ? project.configFor(dir) : { ok: true as const, loaded: { config: {}, dir: process.cwd() } };
    if (!config.ok) {
      linted.error = config.error;
    } else if (path && project.isExcluded(path, config.loaded)) {
      linted.excluded = true;
    } else {
      try {
        // The text and the changes that led to it, taken together (no event can come between them).
        const text = doc.getText();
        const change = this.changed.get(key) ?? undefined;
        this.changed.delete(key);
        linted.result = project.lint(text, path, config.loaded, change);
        linted.baseMs = project.lastBaseMs;
      } catch (e) {
        // The analyzer never throws on SQL; what reaches here is a project problem such as an unreadable dump.
        linted.error = (e as Error).message;
      }
    }
    const t1 = performance.now();
    linted.analyzeMs = t1 - t0;
    if (linted.result) diagnostics = toDiagnostics(linted.result);
    return this.settle(doc, linted, diagnostics, t0);
  }

  /** Publishes a lint's diagnostics, records it and tells who waits for it. `own`: its work (default: t0 to now). */
  private settle(doc: SqlDocument, linted: Linted, diagnostics: vscode.Diagnostic[], t0: number, own?: number): Linted {
    const key = linted.uri;
    const p0 = performance.now();
    // A keystroke that moved no finding (most of them, in a long file) leaves the diagnostics as they are shown:
    // sending the same list again would only make VS Code convert, transfer and redraw all of them.
    linted.published = !sameDiagnostics(this.collection.get(doc.uri) ?? [], diagnostics);
    if (linted.published) this.collection.set(doc.uri, diagnostics);
    this.workspaceFiles.delete(key);
    const end = performance.now();
    linted.ms = end - t0; // from the start to the diagnostics
    linted.publishMs = own === undefined ? linted.ms - linted.analyzeMs : end - p0;
    this.recentMs.push(own === undefined ? linted.ms : own + (end - p0));
    if (this.recentMs.length > 200) this.recentMs.shift();
    this.linted.set(key, linted);
    this.emitter.fire(linted);
    const waiting = this.waiters.get(key);
    if (waiting) {
      const keep = waiting.filter((w) => { if (w.version <= linted.version) { w.resolve(linted); return false; } return true; });
      if (keep.length) this.waiters.set(key, keep); else this.waiters.delete(key);
    }
    return linted;
  }

  /** Resolves when the document has been linted at `version` or later. */
  whenLinted(uri: vscode.Uri, version: number): Promise<Linted> {
    const key = uri.toString();
    const hit = this.linted.get(key);
    if (hit && hit.version >= version) return Promise.resolve(hit);
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? [];
      list.push({ version, resolve });
      this.waiters.set(key, list);
    });
  }

  forget(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const pending = this.timers.get(key);
    if (pending) { clearTimeout(pending); this.timers.delete(key); }
    this.typed.delete(key);
    this.linted.delete(key);
    this.changed.delete(key);
    if (doc.uri.scheme === 'file') this.project?.forget(doc.uri.fsPath);
    if (!this.workspaceFiles.has(key)) this.collection.delete(doc.uri);
  }

  /** Re-lints every open SQL document (settings, config or schema changed). */
  relintOpen(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (isSqlDocument(doc)) void this.lintSoon(doc, true);
    }
  }

  /** Called for file-system events of SQL files and config files. */
  fileChanged(uri: vscode.Uri, kind: 'change' | 'create' | 'delete'): void {
    if (kind === 'delete' && this.workspaceFiles.delete(uri.toString())) this.collection.delete(uri);
    if (!this.project || uri.scheme !== 'file') return;
    if (this.project.onFileChanged(uri.fsPath, kind)) this.relintOpen();
  }
}

