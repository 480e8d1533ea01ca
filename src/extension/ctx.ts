// The extension's context: what commands and providers share. Two lifetimes, as in rust-analyzer: things that live
// as long as the extension (pushExtCleanup) and the connection scope (pool, timers, listeners of one target), which
// is disposed when the target changes (connection.ts: one InspectorSession and one polling timer per target).
import * as vscode from 'vscode';
import { Linter } from './diagnostics.js';
import { StatusItem } from './status.js';
import { NoLiveInfo, type LiveInfoProvider } from './live.js';
import { isSqlDocument } from './documents.js';

/** A connected target: connection.ts's LiveConnection (session, snapshot polling, live info). */
export interface ConnectedCtx {
  readonly ctx: Ctx;
  readonly targetName: string;
  readonly live: LiveInfoProvider;
  /** The verdict of the last preflight on this target (status bar). */
  readonly lastVerdict?: string;
}

export class Ctx {
  private readonly extCleanup: vscode.Disposable[] = [];
  private connectionCleanup: vscode.Disposable[] = [];
  readonly linter: Linter;
  readonly status: StatusItem;
  /** "Postgres Preflight" in the Output panel: what went wrong, and when the parser loaded. */
  readonly log: vscode.LogOutputChannel;
  connection: ConnectedCtx | undefined;
  private readonly noLive = new NoLiveInfo();
  private readonly errorsShown = new Set<string>();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Postgres Preflight', { log: true });
    this.linter = new Linter((message) => this.showErrorOnce(message));
    this.status = new StatusItem();
    this.pushExtCleanup(this.linter, this.status, this.log);
  }

  pushExtCleanup(...d: vscode.Disposable[]): void { this.extCleanup.push(...d); }
  pushConnectionCleanup(...d: vscode.Disposable[]): void { this.connectionCleanup.push(...d); }

  get live(): LiveInfoProvider { return this.connection?.live ?? this.noLive; }
  get targetName(): string | undefined { return this.connection?.targetName; }

  /** Ends the connection scope (reconnecting, or the target settings changed). */
  async disconnect(): Promise<void> {
    const d = this.connectionCleanup;
    this.connectionCleanup = [];
    this.connection = undefined;
    for (const x of d.reverse()) { try { await x.dispose(); } catch { /* keep disposing the rest */ } }
    await vscode.commands.executeCommand('setContext', 'pgPreflight.connected', false);
  }

  showErrorOnce(message: string): void {
    if (this.errorsShown.has(message)) return;
    this.log.error(message);
    this.errorsShown.add(message);
    void vscode.window.showErrorMessage(message);
  }

  /** Shows the status item for the active editor's document, or hides it for anything that is not SQL. */
  updateStatus(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !isSqlDocument(doc)) { this.status.hide(); return; }
    const linted = this.linter.last(doc);
    this.status.show(linted, this.targetName, !this.linter.engineLoaded, this.connection?.lastVerdict);
  }

  async dispose(): Promise<void> {
    await this.disconnect();
    for (const d of this.extCleanup.reverse()) { try { d.dispose(); } catch { /* keep disposing the rest */ } }
    this.extCleanup.length = 0;
  }
}
