// `pgPreflight.preflight` on a connected target: runs the preflight core (src/preflight/) on the active migration with
// the connection's InspectorSession, shows the report in a webview (verdict, checks, per-statement table) that re-runs
// on every refresh tick while it is open, puts diagnostics on the offending statements (source "pg-preflight", code
// "preflight-<check id>"), and offers "Re-run" and "Wait for a safe window" (bounded polling, cancellable).
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import type { Ctx, ConnectedCtx } from './ctx.js';
import { liveConnection, onDidChangeConnection, type LiveConnection } from './connection.js';
import { isSqlDocument } from './documents.js';
import type { Config } from '../config/config.js';
import type { InspectorSession } from '../inspector/inspector.js';
import type { Result } from '../inspector/types.js';
import type { PreflightReport, StatementReport, Verdict } from '../preflight/types.js';
import { runPreflight } from '../preflight/preflight.js';
import { formatPreflightMarkdown } from '../preflight/format.js';
import type { SchemaModel } from '../analyzer/schema.js';

type Handler = (...args: any[]) => unknown;

/** The preflight core's API (src/preflight/preflight.ts and format.ts). */
export interface PreflightCore {
  runPreflight(input: { files: { path: string; text: string }[]; config: Config; session: InspectorSession; schema?: SchemaModel }): Promise<Result<PreflightReport>>;
  formatPreflightMarkdown(report: PreflightReport): string;
}

export interface PreflightOutcome {
  status: 'no-target' | 'no-migration' | 'unavailable' | 'error' | 'done';
  verdict?: Verdict;
  message?: string;
  diagnostics?: number;
}

// The core (src/preflight/preflight.ts, format.ts). Kept behind this seam so a build without it could still show
// "unavailable" instead of failing.
const PREFLIGHT_CORE: PreflightCore | undefined = { runPreflight, formatPreflightMarkdown };

const DIAG_SOURCE = 'pg-preflight';

/** One report panel per window; the diagnostics of the last run per document. */
class PreflightView implements vscode.Disposable {
  panel: vscode.WebviewPanel | undefined;
  uri: vscode.Uri | undefined;
  report: PreflightReport | undefined;
  error: string | undefined;
  running: Promise<PreflightOutcome> | undefined;
  runs = 0;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('pg-preflight-preflight');
  private subscriptions: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    // Disconnected: the report says so and its diagnostics go (they described a target no longer watched).
    this.subscriptions.push(onDidChangeConnection(() => {
      if (liveConnection(this.ctx) || (!this.report && !this.error)) return;
      this.report = undefined;
      this.error = 'Disconnected: connect a target and run the preflight again.';
      this.diagnostics.clear();
      this.render();
    }));
  }

  dispose(): void {
    this.panel?.dispose();
    this.diagnostics.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  /** Runs the preflight on `uri` (serialised: a tick during a run waits for it). */
  run(conn: LiveConnection, uri: vscode.Uri): Promise<PreflightOutcome> {
    if (this.running) return this.running;
    this.running = this.runOnce(conn, uri).finally(() => { this.running = undefined; });
    return this.running;
  }

  private async runOnce(conn: LiveConnection, uri: vscode.Uri): Promise<PreflightOutcome> {
    const core = PREFLIGHT_CORE;
    this.uri = uri;
    if (!core) {
      this.error = 'The preflight core is unavailable in this build (src/preflight/preflight.ts is missing): nothing was checked.';
      this.render();
      return { status: 'unavailable', message: this.error };
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? await vscode.workspace.openTextDocument(uri);
    const engine = await this.ctx.linter.loadEngine();
    void engine;
    const project = this.ctx.linter.getProject();
    const cfg = project?.configFor(dirname(doc.uri.fsPath));
    if (cfg && !cfg.ok) {
      this.error = `.pgpreflight.json: ${cfg.error}`;
      this.render();
      return { status: 'error', message: this.error };
    }
    const config: Config = cfg?.ok ? cfg.loaded.config : ({} as Config);
    let r: Result<PreflightReport>;
    try {
      // The same schema base the editor lints against (the dump plus earlier migrations of the folder).
      let schema: SchemaModel | undefined;
      try { schema = cfg?.ok && project ? project.baseFor(doc.uri.fsPath, cfg.loaded) : undefined; } catch { schema = undefined; }
      r = await core.runPreflight({ files: [{ path: doc.uri.fsPath, text: doc.getText() }], config, session: conn.session, schema });
    } catch (e) {
      r = { ok: false, error: { code: 'internal', message: conn.redact(String((e as Error)?.message ?? e)) } };
    }
    this.runs++;
    if (!r.ok) {
      this.error = conn.redact(r.error.message);
      this.render();
      return { status: 'error', message: this.error };
    }
    this.error = undefined;
    this.report = r.value;
    conn.lastVerdict = r.value.verdict;
    this.ctx.updateStatus();
    const n = this.publishDiagnostics(doc, r.value);
    this.render();
    return { status: 'done', verdict: r.value.verdict, diagnostics: n };
  }

  /** Diagnostics on the statements that are not "go": source pg-preflight, code preflight-<check id>. */
  private publishDiagnostics(doc: vscode.TextDocument, report: PreflightReport): number {
    const linted = this.ctx.linter.last(doc);
    const failing = report.checks.filter((c) => c.status !== 'pass');
    const out: vscode.Diagnostic[] = [];
    for (const s of report.statements) {
      if (s.verdict === 'go' && s.conflicts.length === 0) continue;
      const range = statementRange(doc, s, linted?.result?.statements[s.index]?.range);
      const check = s.conflicts.length ? 'lock-conflicts' : failing[0]?.id ?? 'lock-conflicts';
      const who = s.conflicts.slice(0, 3).map((c) => `${c.pid === 0 ? `prepared '${c.gid ?? '?'}'` : `pid ${c.pid}`}${c.application ? ` (${c.application})` : ''} ${c.waiting ? 'waits for' : 'holds'} ${c.mode} on ${c.relation}`);
      const message = [`Preflight ${s.verdict}: ${s.reasons[0] ?? `conflicts with live sessions on ${report.server.target}`}`,
        ...(who.length ? [`Conflicts: ${who.join('; ')}${s.conflicts.length > 3 ? `; … ${s.conflicts.length - 3} more` : ''}`] : []),
        ...s.reasons.slice(1, 3)].join('\n');
      const d = new vscode.Diagnostic(range, message, s.verdict === 'no-go' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = DIAG_SOURCE;
      d.code = `preflight-${check}`;
      out.push(d);
    }
    this.diagnostics.set(doc.uri, out);
    return out.length;
  }

  show(): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('pgPreflight.preflightReport', 'Preflight', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, enableCommandUris: false });
      this.panel.onDidDispose(() => { this.panel = undefined; this.tick?.dispose(); this.tick = undefined; });
      this.panel.webview.onDidReceiveMessage((m: { command?: string }) => {
        if (m?.command === 'rerun') void vscode.commands.executeCommand('pgPreflight.rerunPreflight');
        if (m?.command === 'wait') void vscode.commands.executeCommand('pgPreflight.waitForSafeWindow');
        if (m?.command === 'markdown') void vscode.commands.executeCommand('pgPreflight.showPreflightMarkdown');
      });
    }
    this.render();
  }

  private tick: vscode.Disposable | undefined;

  /** While the report is open, every refresh of the connection re-runs the preflight. */
  follow(conn: LiveConnection): void {
    this.tick?.dispose();
    this.tick = conn.onDidRefresh(() => {
      if (!this.panel || !this.uri || liveConnection(this.ctx) !== conn) return;
      void this.run(conn, this.uri);
    });
  }

  render(): void {
    if (!this.panel) return;
    const conn = liveConnection(this.ctx);
    this.panel.title = this.report ? `Preflight: ${this.report.verdict.toUpperCase()}` : 'Preflight';
    this.panel.webview.html = reportHtml(this.report, this.error, conn?.targetName, this.uri ? vscode.workspace.asRelativePath(this.uri) : undefined, this.runs);
  }
}

function statementRange(doc: vscode.TextDocument, s: StatementReport, linted: { start: { line: number; character: number }; end: { line: number; character: number } } | undefined): vscode.Range {
  if (linted) return new vscode.Range(linted.start.line, linted.start.character, linted.end.line, linted.end.character);
  const at = s.text ? doc.getText().indexOf(s.text) : -1;
  if (at >= 0) return new vscode.Range(doc.positionAt(at), doc.positionAt(at + s.text.length));
  const line = Math.max(0, Math.min(doc.lineCount - 1, (s.line || 1) - 1));
  return doc.lineAt(line).range;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const VERDICT_COLOR: Record<Verdict, string> = { 'go': '#2e7d32', 'wait': '#b26a00', 'no-go': '#c62828' };

export function reportHtml(report: PreflightReport | undefined, error: string | undefined, target: string | undefined, file: string | undefined, runs: number): string {
  const nonce = Math.random().toString(36).slice(2);
  const parts: string[] = [];
  parts.push(`<h1>Preflight${file ? ` · ${esc(file)}` : ''}</h1>`);
  parts.push(`<p class="meta">Target: <b>${esc(target ?? 'not connected')}</b>${report ? ` · PostgreSQL ${esc(report.server.version)} · ${esc(new Date(report.generatedAt).toLocaleTimeString())} · run ${runs} (re-runs on every refresh while open)` : ''}</p>`);
  parts.push('<p><button id="rerun">Re-run</button> <button id="wait">Wait for a safe window</button> <button id="md">Open as Markdown</button></p>');
  if (error) parts.push(`<div class="error">${esc(error)}</div>`);
  if (report) {
    parts.push(`<div class="verdict" style="background:${VERDICT_COLOR[report.verdict]}">${esc(report.verdict.toUpperCase())}</div>`);
    if (report.reasons.length) parts.push(`<ul>${report.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`);
    parts.push('<h2>Checks</h2><table><tr><th>Check</th><th>Status</th><th>Message</th></tr>');
    for (const c of report.checks) parts.push(`<tr class="${c.status}"><td>${esc(c.id)}</td><td>${esc(c.status)}</td><td>${esc(c.message)}</td></tr>`);
    parts.push('</table><h2>Statements</h2><table><tr><th>#</th><th>Line</th><th>Statement</th><th>Locks</th><th>Verdict</th><th>Conflicts now</th><th>Why</th></tr>');
    for (const s of report.statements.slice(0, 200)) {
      const conflicts = s.conflicts.slice(0, 10).map((c) => `${c.pid === 0 ? `prepared ${esc(c.gid ?? '')}` : `pid ${c.pid}`} ${esc(c.kind)} ${c.waiting ? 'waiting' : 'holds'} ${esc(c.mode)} on ${esc(c.relation)}${c.application ? ` (${esc(c.application)})` : ''}`).join('<br>') + (s.conflicts.length > 10 ? `<br>… ${s.conflicts.length - 10} more` : '');
      parts.push(`<tr class="v-${s.verdict}"><td>${s.index + 1}</td><td>${s.line}</td><td><code>${esc(s.text.length > 120 ? `${s.text.slice(0, 119)}…` : s.text)}</code></td>` +
        `<td>${s.locks.map((l) => `${esc(l.mode)} on ${esc(l.relation)}`).join('<br>')}</td><td><b>${esc(s.verdict)}</b></td><td>${conflicts || '—'}</td><td>${s.reasons.map(esc).join('<br>')}</td></tr>`);
    }
    parts.push('</table>');
    if (report.statements.length > 200) parts.push(`<p>… ${report.statements.length - 200} more statements</p>`);
    if (report.notes.length) parts.push(`<h2>Notes</h2><ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  } else if (!error) {
    parts.push('<p>Running…</p>');
  }
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px; }
.verdict { display: inline-block; color: #fff; font-weight: bold; font-size: 1.6em; padding: 4px 16px; border-radius: 4px; }
.meta { opacity: .8 } .error { color: var(--vscode-errorForeground); border: 1px solid; padding: 6px; }
table { border-collapse: collapse; width: 100%; margin-bottom: 12px; } th, td { border: 1px solid var(--vscode-panel-border, #8884); padding: 3px 6px; text-align: left; vertical-align: top; }
tr.fail td:nth-child(2), tr.v-no-go td:nth-child(5) { color: #e53935 } tr.warn td:nth-child(2), tr.v-wait td:nth-child(5) { color: #fb8c00 }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: 0; padding: 4px 10px; cursor: pointer; }
</style></head><body>${parts.join('\n')}
<script nonce="${nonce}">const vscode = acquireVsCodeApi();
for (const [id, command] of [['rerun','rerun'],['wait','wait'],['md','markdown']]) document.getElementById(id).addEventListener('click', () => vscode.postMessage({ command }));</script>
</body></html>`;
}

let view: PreflightView | undefined;

function viewFor(ctx: Ctx): PreflightView {
  if (!view) { view = new PreflightView(ctx); ctx.pushExtCleanup(view, { dispose: () => { view = undefined; } }); }
  return view;
}

function activeMigration(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && isSqlDocument(doc) ? doc.uri : undefined;
}

function preflightConnected(c: ConnectedCtx): Handler {
  return async (uri?: vscode.Uri): Promise<PreflightOutcome> => {
    const conn = c as LiveConnection;
    const target = uri instanceof vscode.Uri ? uri : activeMigration();
    if (!target) {
      void vscode.window.showInformationMessage('Preflight checks a migration: open a SQL migration first.');
      return { status: 'no-migration' };
    }
    const v = viewFor(conn.ctx);
    v.report = undefined;
    v.show();
    v.follow(conn);
    const outcome = await v.run(conn, target);
    if (outcome.status === 'unavailable') void vscode.window.showWarningMessage(`pg-preflight: ${outcome.message}`);
    return outcome;
  };
}

function rerun(c: ConnectedCtx): Handler {
  return async (): Promise<PreflightOutcome> => {
    const conn = c as LiveConnection;
    const v = viewFor(conn.ctx);
    const uri = v.uri ?? activeMigration();
    if (!uri) return { status: 'no-migration' };
    v.show();
    v.follow(conn);
    await conn.refresh();
    return v.run(conn, uri);
  };
}

export interface WaitOutcome { status: 'go' | 'cancelled' | 'gave-up' | 'error' | 'no-migration' | 'unavailable'; attempts: number; verdict?: Verdict; message?: string }

/** Re-runs the preflight every refresh interval until the verdict is "go"; bounded (attempts and time), cancellable. */
function waitForSafeWindow(c: ConnectedCtx): Handler {
  return async (opts?: { maxAttempts?: number; intervalMs?: number }): Promise<WaitOutcome> => {
    const conn = c as LiveConnection;
    const v = viewFor(conn.ctx);
    const uri = v.uri ?? activeMigration();
    if (!uri) return { status: 'no-migration', attempts: 0 };
    const maxAttempts = Math.max(1, Math.min(720, opts?.maxAttempts ?? 120));
    const intervalMs = Math.max(200, opts?.intervalMs ?? conn.intervalSeconds * 1000);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `pg-preflight: waiting for a safe window on ${conn.targetName}`, cancellable: true },
      async (progress, token) => {
        let last: PreflightOutcome | undefined;
        for (let attempt = 1; attempt <= maxAttempts; attempt++) {
          if (token.isCancellationRequested || liveConnection(conn.ctx) !== conn) return { status: 'cancelled', attempts: attempt - 1, verdict: last?.verdict };
          last = await v.run(conn, uri);
          if (last.status === 'unavailable') return { status: 'unavailable', attempts: attempt, message: last.message };
          if (last.verdict === 'go') {
            void vscode.window.showInformationMessage(`pg-preflight: ${vscode.workspace.asRelativePath(uri)} is GO on ${conn.targetName} now.`);
            return { status: 'go', attempts: attempt, verdict: 'go' };
          }
          progress.report({ message: `attempt ${attempt}/${maxAttempts}: ${last.verdict ?? last.message ?? last.status}` });
          await new Promise<void>((r) => {
            const t = setTimeout(r, intervalMs);
            token.onCancellationRequested(() => { clearTimeout(t); r(); });
          });
        }
        return { status: 'gave-up', attempts: maxAttempts, verdict: last?.verdict, message: last?.message };
      },
    );
  };
}

function showMarkdown(c: ConnectedCtx): Handler {
  return async (): Promise<vscode.TextDocument | undefined> => {
    const v = viewFor(c.ctx);
    if (!v.report || !PREFLIGHT_CORE) return undefined;
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: PREFLIGHT_CORE.formatPreflightMarkdown(v.report) });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return doc;
  };
}

/** Test hook: what the report panel shows. */
export function preflightViewState(): { open: boolean; verdict?: Verdict; runs: number; error?: string; html?: string } {
  return { open: !!view?.panel, verdict: view?.report?.verdict, runs: view?.runs ?? 0, error: view?.error, html: view?.panel?.webview.html };
}

const needsTarget = (ctx: Ctx): Handler => () => {
  void vscode.window.showInformationMessage('No target database is connected.', 'Connect…')
    .then((c) => { if (c) void vscode.commands.executeCommand('pgPreflight.connect'); });
  return { status: 'no-target' };
};

/** The connected forms of the preflight commands (the disconnected preflight form stays in commands.ts). */
export const PREFLIGHT_COMMANDS = {
  preflight: preflightConnected,
  'pgPreflight.rerunPreflight': { enabled: rerun, disabled: needsTarget },
  'pgPreflight.waitForSafeWindow': { enabled: waitForSafeWindow, disabled: needsTarget },
  'pgPreflight.showPreflightMarkdown': { enabled: showMarkdown, disabled: needsTarget },
};
