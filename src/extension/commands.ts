// The command table (rust-analyzer's CommandFactory): each command has a form for a connected target and a fallback
// for when none is connected, which offers "Connect…". Command ids are a contract (package.json, keybindings,
// other extensions): never rename one.
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import type { Ctx, ConnectedCtx } from './ctx.js';
import { applyEdits, APPLY_EDITS, SHOW_DOCS } from './code-actions.js';
import { toDiagnostics } from './diagnostics.js';
import { migrationSelector } from './documents.js';
import { settings } from './settings.js';
import { CONNECTION_COMMANDS } from './connection.js';
import { PREFLIGHT_COMMANDS } from './preflight-view.js';
import { docsUrl } from '../analyzer/rule.js';
import type { TextEdit } from '../analyzer/types.js';

type Handler = (...args: any[]) => unknown;

interface CommandFactory {
  /** The command when a target is connected; without it the command behaves the same either way. */
  enabled?: (ctx: ConnectedCtx) => Handler;
  disabled: (ctx: Ctx) => Handler;
}

export const COMMANDS: Record<string, CommandFactory> = {
  'pgPreflight.preflight': { enabled: PREFLIGHT_COMMANDS.preflight, disabled: preflightWithoutTarget },
  ...CONNECTION_COMMANDS,
  'pgPreflight.rerunPreflight': PREFLIGHT_COMMANDS['pgPreflight.rerunPreflight'],
  'pgPreflight.waitForSafeWindow': PREFLIGHT_COMMANDS['pgPreflight.waitForSafeWindow'],
  'pgPreflight.showPreflightMarkdown': PREFLIGHT_COMMANDS['pgPreflight.showPreflightMarkdown'],
  'pgPreflight.lintWorkspace': { disabled: lintWorkspace },
  'pgPreflight.toggleInlineLocks': { disabled: () => toggleInlineLocks },
  [SHOW_DOCS]: { disabled: showRuleDocs },
  [APPLY_EDITS]: { disabled: (ctx) => (uri: string, version: number, edits: TextEdit[]) => applyEdits(ctx.linter, uri, version, edits) },
  'pgPreflight.showLockDetails': { disabled: () => showLockDetails },
};

export function registerCommands(ctx: Ctx): void {
  for (const [id, factory] of Object.entries(COMMANDS)) {
    ctx.pushExtCleanup(vscode.commands.registerCommand(id, (...args: unknown[]) => {
      const handler = ctx.connection && factory.enabled ? factory.enabled(ctx.connection) : factory.disabled(ctx);
      return handler(...args);
    }));
  }
}

export type { PreflightOutcome } from './preflight-view.js';

function preflightWithoutTarget(ctx: Ctx): Handler {
  return (): { status: 'no-target' } => {
    void ctx;
    const doc = vscode.window.activeTextEditor?.document;
    const which = doc ? vscode.workspace.asRelativePath(doc.uri) : 'the current migration';
    // Not awaited: the command returns at once and the notification stays until the user answers.
    void vscode.window.showInformationMessage(
      `Preflight needs a target database: no target is connected. Connect one to check ${which} against its live locks and activity.`,
      'Connect…',
    ).then((choice) => { if (choice === 'Connect…') void vscode.commands.executeCommand('pgPreflight.connect'); });
    return { status: 'no-target' };
  };
}

// Connecting, the connection scope's commands and the session actions live in connection.ts; the preflight report
// in preflight-view.ts.
export { secretKey, type ConnectOutcome } from './connection.js';

export interface LintWorkspaceOutcome { files: number; findings: number; parseErrors: number; skippedOpen: number; cancelled: boolean }

function lintWorkspace(ctx: Ctx): Handler {
  return async (): Promise<LintWorkspaceOutcome> => vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'pg-preflight: linting migrations', cancellable: true },
    async (progress, token) => {
      const outcome: LintWorkspaceOutcome = { files: 0, findings: 0, parseErrors: 0, skippedOpen: 0, cancelled: false };
      progress.report({ message: 'finding migrations…' });
      const found = new Map<string, vscode.Uri>();
      for (const filter of migrationSelector()) {
        const pattern = filter.pattern!;
        for (const uri of await vscode.workspace.findFiles(pattern, '**/node_modules/**', undefined, token)) found.set(uri.toString(), uri);
      }
      if (token.isCancellationRequested) return { ...outcome, cancelled: true };
      const linter = ctx.linter;
      await linter.loadEngine();
      const project = linter.getProject()!;
      const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
      const files = [...found.values()].filter((u) => u.scheme === 'file');
      // Lint folder by folder: files of one folder share one growing schema, exactly as the CLI lints them.
      const byFolder = new Map<string, vscode.Uri[]>();
      for (const u of files) {
        const key = u.fsPath.endsWith('/migration.sql') ? dirname(dirname(u.fsPath)) : dirname(u.fsPath);
        if (!byFolder.has(key)) byFolder.set(key, []);
        byFolder.get(key)!.push(u);
      }
      const step = 100 / Math.max(1, byFolder.size);
      for (const [folder, uris] of byFolder) {
        if (token.isCancellationRequested) { outcome.cancelled = true; break; }
        progress.report({ message: vscode.workspace.asRelativePath(folder), increment: step });
        for (const l of project.lintOnDisk(uris.map((u) => u.fsPath))) {
          const uri = vscode.Uri.file(l.path);
          outcome.files++;
          if (open.has(uri.toString())) {
            // An open document keeps its live diagnostics (its buffer may differ from the disk).
            outcome.skippedOpen++;
            const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
            if (doc) void linter.lintSoon(doc);
            continue;
          }
          let diagnostics: vscode.Diagnostic[] = [];
          if (l.result) {
            diagnostics = toDiagnostics(l.result);
            outcome.findings += l.result.findings.length;
            outcome.parseErrors += l.result.parseProblems.length;
          } else if (l.error || l.configError) {
            const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `pg-preflight could not lint this file: ${l.error ?? l.configError}`, vscode.DiagnosticSeverity.Error);
            d.source = 'pg-preflight';
            diagnostics = [d];
          }
          linter.collection.set(uri, diagnostics);
          linter.workspaceFiles.add(uri.toString());
        }
        // Let the progress notification and other extensions breathe between folders.
        await new Promise((r) => setImmediate(r));
      }
      return outcome;
    },
  );
}

function toggleInlineLocks(): Thenable<void> {
  const cfg = vscode.workspace.getConfiguration('pgPreflight');
  return cfg.update('inlineLocks.enabled', !settings().inlineLocks, vscode.ConfigurationTarget.Global);
}

export interface ShowDocsOutcome { ruleId: string; opened: 'bundled' | 'url'; uri: string }

/** Opens the rule's doc: the copy bundled in the extension (docs/rules/<id>.md) when present, else the web page. */
function showRuleDocs(ctx: Ctx): Handler {
  return async (ruleId?: string): Promise<ShowDocsOutcome | undefined> => {
    if (!ruleId) {
      const engine = await ctx.linter.loadEngine();
      const picked = await vscode.window.showQuickPick(engine.allRules.map((r) => ({ label: r.id, description: r.summary })), { placeHolder: 'Which rule?' });
      if (!picked) return undefined;
      ruleId = picked.label;
    }
    if (!/^[a-z0-9-]+$/.test(ruleId)) return undefined;
    const bundled = vscode.Uri.joinPath(ctx.extension.extensionUri, 'docs', 'rules', `${ruleId}.md`);
    let exists = false;
    try { await vscode.workspace.fs.stat(bundled); exists = true; } catch { /* not bundled */ }
    if (exists) {
      try {
        await vscode.commands.executeCommand('markdown.showPreview', bundled);
      } catch {
        await vscode.window.showTextDocument(bundled, { preview: true });
      }
      return { ruleId, opened: 'bundled', uri: bundled.toString() };
    }
    const url = vscode.Uri.parse(docsUrl(ruleId));
    // Not awaited: VS Code may first ask whether to open an external site, and the answer can take a while.
    void vscode.env.openExternal(url);
    return { ruleId, opened: 'url', uri: url.toString() };
  };
}

async function showLockDetails(uri: vscode.Uri, at: vscode.Position): Promise<void> {
  const editor = await vscode.window.showTextDocument(uri, { preserveFocus: false });
  editor.selection = new vscode.Selection(at, at);
  await vscode.commands.executeCommand('editor.action.showHover');
}
