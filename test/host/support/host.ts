// Helpers for the suites that run inside the VS Code extension host (mocha's TDD interface, the extension's test
// API, documents of the throwaway workspace copy, and the UI checkpoint protocol with the launcher).
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PgPreflightApi } from '../../../src/extension/main.js';

type Fn = (this: unknown) => unknown;
const g = globalThis as unknown as Record<string, (name: string | Fn, fn?: Fn) => void>;
export const suite = (name: string, fn: () => void): void => g.suite(name, fn);
export const test = (name: string, fn: () => unknown, timeoutMs?: number): void =>
  g.test(name, function (this: unknown) {
    if (timeoutMs) (this as { timeout(ms: number): void }).timeout(timeoutMs);
    return fn();
  });

/** A line in the host test log (the reporter's output file), for figures and progress. */
export function note(line: string): void {
  const f = process.env.PG_PREFLIGHT_TEST_LOG;
  if (f) fs.appendFileSync(f, `      ${line}\n`);
}
export const suiteSetup = (fn: () => unknown): void => g.suiteSetup(fn);
export const suiteTeardown = (fn: () => unknown): void => g.suiteTeardown(fn);
export const teardown = (fn: () => unknown): void => g.teardown(fn);

export const EXT_ID = 'pg-preflight.pg-preflight';
export const mode = process.env.PG_PREFLIGHT_HOST_MODE ?? 'dev';
export const repo = process.env.PG_PREFLIGHT_REPO ?? '';
export const artifacts = process.env.PG_PREFLIGHT_ARTIFACTS ?? '';

export function extension(): vscode.Extension<PgPreflightApi> {
  const ext = vscode.extensions.getExtension<PgPreflightApi>(EXT_ID);
  if (!ext) throw new Error(`${EXT_ID} is not installed in this extension host`);
  return ext;
}

export async function api(): Promise<PgPreflightApi> {
  const ext = extension();
  const exports = ext.isActive ? ext.exports : await ext.activate();
  if (!exports) throw new Error('the extension activated without exporting its API (activation failed?)');
  return exports;
}

export function root(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder open');
  return f.uri.fsPath;
}

export function wsUri(rel: string): vscode.Uri {
  return vscode.Uri.file(path.join(root(), rel));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Opens a workspace file in an editor and waits until pg-preflight has linted this version of it. */
export async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(wsUri(rel));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  await linted(doc);
  return editor;
}

export async function linted(doc: vscode.TextDocument, timeoutMs = 15000): Promise<void> {
  const a = await api();
  const version = doc.version;
  await Promise.race([
    a.whenLinted(doc.uri, version),
    sleep(timeoutMs).then(() => { throw new Error(`${path.basename(doc.uri.fsPath)} v${version} was not linted within ${timeoutMs} ms`); }),
  ]);
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'pg-preflight');
}

export function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

/** Applies an edit as typing would (through the editor) and waits for the re-lint of the new version. */
export async function type(editor: vscode.TextEditor, at: vscode.Position | vscode.Range, text: string): Promise<void> {
  const ok = await editor.edit((b) => at instanceof vscode.Range ? b.replace(at, text) : b.insert(at, text));
  if (!ok) throw new Error('edit was not applied');
  await linted(editor.document);
}

/** Reverts every dirty document and closes all editors (VS Code would ask to save otherwise). */
export async function closeAll(): Promise<void> {
  // Only the workspace copy's files are the tests' own: the workbench may hold its own documents dirty for a moment
  // (User/settings.json while a setting is written), and opening those races the workbench opening them itself.
  const own = root() + path.sep;
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && doc.uri.scheme === 'file' && doc.uri.fsPath.startsWith(own)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Writes a file of the workspace copy (as another program would) and returns its uri. */
export function writeFile(rel: string, text: string): vscode.Uri {
  const p = path.join(root(), rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return vscode.Uri.file(p);
}

let uiSeq = 0;
export interface UiResult {
  squiggles?: { error: number; warning: number; info: number };
  codeLenses?: string[];
  statusBar?: string[];
  problemsStatus?: string;
  welcome?: string[];
  welcomeButtons?: string[];
  viewTitles?: string[];
  paletteRows?: string[];
  treeRows?: string[];
  webviewText?: string;
  /** The `keys` step: when each keystroke reached the page (performance.timeOrigin + performance.now()). */
  keyTimes?: number[];
  error?: string;
}

/** Asks the launcher to inspect the live workbench (DOM, screenshots) and returns what it saw. */
export async function ui(steps: Array<string | { name: string; [k: string]: unknown }>, timeoutMs = 60000): Promise<UiResult> {
  const dir = process.env.PG_PREFLIGHT_UI_DIR;
  if (!dir) throw new Error('PG_PREFLIGHT_UI_DIR is not set (run through scripts/host/run.mjs)');
  // Every suite bundles its own copy of this module: the sequence lives on globalThis so two suites never reuse a
  // request number (and read each other's answers).
  const g = globalThis as unknown as { __pgPreflightUiSeq?: number };
  g.__pgPreflightUiSeq = Math.max(g.__pgPreflightUiSeq ?? 0, uiSeq) + 1;
  const n = uiSeq = g.__pgPreflightUiSeq;
  fs.writeFileSync(path.join(dir, `req-${n}.json.tmp`), JSON.stringify({ steps }));
  fs.renameSync(path.join(dir, `req-${n}.json.tmp`), path.join(dir, `req-${n}.json`));
  const res = path.join(dir, `res-${n}.json`);
  await waitFor('the UI checkpoint', () => fs.existsSync(res), timeoutMs);
  const answer = JSON.parse(fs.readFileSync(res, 'utf8')) as UiResult;
  fs.rmSync(res, { force: true });
  return answer;
}
