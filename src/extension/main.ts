// Entry point of the VS Code extension. activate() builds a Ctx, registers listeners, providers and commands, and
// returns. It is cheap on purpose: the parser, the rules and the project model (engine.ts) load with a dynamic
// import the first time a SQL document needs linting. If activation fails the error is shown (rust-analyzer).
import * as vscode from 'vscode';
import { Ctx } from './ctx.js';
import { registerCommands } from './commands.js';
import { CodeActions } from './code-actions.js';
import { documentSelector, isSqlDocument } from './documents.js';
import { LockLenses, StatementHover } from './providers.js';
import { DatabaseStateProvider, nodesText, type DatabaseNode } from './views/database-state.js';
import { liveConnection, modalLog, onDidChangeConnection, registerConnectionListeners, setModalAnswerer, type ModalAnswerer } from './connection.js';
import { preflightViewState } from './preflight-view.js';
import { SECTION, settings } from './settings.js';
import type { Linted } from './diagnostics.js';
import { basename, dirname } from 'node:path';

const moduleLoadedAt = performance.now();
let current: Ctx | undefined;
let tree: DatabaseStateProvider | undefined;

/** What the extension exports: for tests and benchmarks; other extensions should not rely on it yet. */
export interface PgPreflightApi {
  /** Milliseconds spent in activate(), and since this module started evaluating. */
  activation: { activateMs: number; sinceModuleLoadMs: number };
  engineLoaded(): boolean;
  /** Milliseconds it took to load the engine (rules and the WASM parser), once loaded. */
  engineLoadMs(): number | undefined;
  whenLinted(uri: vscode.Uri, version: number): Promise<Linted>;
  onDidLint: vscode.Event<Linted>;
  lastLint(uri: vscode.Uri): Linted | undefined;
  statusText(): string;
  recentLintMs(): number[];
  /** Cache misses of the project model (config loads, dump loads, schema bases built). */
  projectStats(): { configLoads: number; dumpLoads: number; baseBuilds: number } | undefined;
  /** The live inspector (tests): the connected target, the tree's nodes, modal answers, the preflight report. */
  live: {
    targetName(): string | undefined;
    whenRefreshed(): Promise<void>;
    treeNodes(): DatabaseNode[];
    treeText(): string[];
    answerModals(fn: ModalAnswerer | undefined): void;
    modalsAsked(): string[];
    preflightView(): ReturnType<typeof preflightViewState>;
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<PgPreflightApi | undefined> {
  const t0 = performance.now();
  try {
    const ctx = new Ctx(context);
    current = ctx;
    setup(ctx);
    const activateMs = performance.now() - t0;
    ctx.log.info(`activated in ${activateMs.toFixed(1)} ms; the parser loads when the first SQL document is opened`);
    return {
      activation: { activateMs, sinceModuleLoadMs: performance.now() - moduleLoadedAt },
      engineLoaded: () => ctx.linter.engineLoaded,
      engineLoadMs: () => ctx.linter.engineLoadMs,
      whenLinted: (uri, version) => ctx.linter.whenLinted(uri, version),
      onDidLint: ctx.linter.onDidLint,
      lastLint: (uri) => ctx.linter.last({ uri }),
      statusText: () => ctx.status.text,
      recentLintMs: () => [...ctx.linter.recentMs],
      projectStats: () => { const s = ctx.linter.getProject()?.stats; return s ? { ...s } : undefined; },
      live: {
        targetName: () => ctx.targetName,
        whenRefreshed: async () => { await liveConnection(ctx)?.refresh(); },
        treeNodes: () => tree?.roots() ?? [],
        treeText: () => nodesText(tree?.roots() ?? []),
        answerModals: (fn) => setModalAnswerer(fn),
        modalsAsked: () => [...modalLog],
        preflightView: () => preflightViewState(),
      },
    };
  } catch (e) {
    const message = `Postgres Preflight failed to start: ${(e as Error)?.stack ?? e}`;
    console.error(message);
    void vscode.window.showErrorMessage(`Postgres Preflight failed to start: ${(e as Error)?.message ?? e}`);
    return undefined;
  }
}

export async function deactivate(): Promise<void> {
  const ctx = current;
  current = undefined;
  await ctx?.dispose();
}

function setup(ctx: Ctx): void {
  const { linter } = ctx;
  const push = (...d: vscode.Disposable[]) => ctx.pushExtCleanup(...d);

  registerCommands(ctx);
  void vscode.commands.executeCommand('setContext', 'pgPreflight.connected', false);

  // Language features are registered once for a selector built from the settings at activation; changing
  // pgPreflight.migrationGlobs re-registers them.
  const lenses = new LockLenses(linter);
  let engineLogged = false;
  let features: vscode.Disposable[] = [];
  const registerFeatures = () => {
    for (const d of features) d.dispose();
    const selector = documentSelector();
    features = [
      vscode.languages.registerHoverProvider(selector, new StatementHover(linter, () => ctx.live)),
      vscode.languages.registerCodeLensProvider(selector, lenses),
      vscode.languages.registerCodeActionsProvider(selector, new CodeActions(linter), CodeActions.metadata),
    ];
  };
  registerFeatures();
  push(lenses, { dispose: () => features.forEach((d) => d.dispose()) });

  // The tree shows the connection scope's last snapshot; one polling timer lives in that scope (connection.ts).
  const view = new DatabaseStateProvider(() => {
    const c = liveConnection(ctx);
    return c && { targetName: c.targetName, readOnly: c.readOnly, snapshot: c.snapshot, error: c.error, lastRefresh: c.lastRefresh, paused: c.paused, intervalSeconds: c.intervalSeconds, backoffSeconds: c.backoffSeconds };
  });
  tree = view;
  registerConnectionListeners(ctx);
  push(view, vscode.window.registerTreeDataProvider('pgPreflight.database', view), onDidChangeConnection(() => { view.refresh(); ctx.updateStatus(); }));

  push(
    vscode.workspace.onDidOpenTextDocument((doc) => { if (isSqlDocument(doc)) void linter.lintSoon(doc, false, 'open'); }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0 || !isSqlDocument(e.document)) return;
      linter.noteChanges(e.document, e.contentChanges);
      if (settings(e.document.uri).lintRun === 'onType') linter.schedule(e.document);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => { if (isSqlDocument(doc)) void linter.lintSoon(doc); }),
    vscode.workspace.onDidCloseTextDocument((doc) => linter.forget(doc)),
    // VS Code shows a document's cached lenses while it asks again; after switching editors or a re-lint that no edit
    // caused (config, schema, history), ask it to fetch ours anew so no stale marker stays up.
    vscode.window.onDidChangeActiveTextEditor(() => { ctx.updateStatus(); lenses.refresh(); }),
    linter.onDidLint((l) => {
      // After an edit VS Code asks for the lenses again by itself (and the provider waits for this lint); a re-lint
      // that no edit caused must ask it. Asking after every keystroke too would recompute them twice per edit.
      if (l.trigger !== 'type') lenses.refresh();
      if (!engineLogged && linter.engineLoadMs !== undefined) {
        engineLogged = true;
        ctx.log.info(`parser and rules loaded in ${linter.engineLoadMs.toFixed(0)} ms; first lint took ${l.ms.toFixed(0)} ms`);
      }
      if (vscode.window.activeTextEditor?.document.uri.toString() === l.uri) ctx.updateStatus();
      if (l.error) ctx.showErrorOnce(`pg-preflight: ${l.error}`);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      if (e.affectsConfiguration(`${SECTION}.migrationGlobs`)) registerFeatures();
      if (e.affectsConfiguration(`${SECTION}.inlineLocks`)) lenses.refresh();
      if (e.affectsConfiguration(`${SECTION}.migrationGlobs`) || e.affectsConfiguration(`${SECTION}.lint`)) linter.relintOpen();
      ctx.updateStatus();
    }),
  );

  // The schema base of a folder and the config are cached; these events are what invalidates them. SQL files cover
  // migrations and most schema dumps; a dump with another name, or outside the workspace, is watched by name once a
  // config names it.
  const watch = (pattern: vscode.GlobPattern) => {
    const w = vscode.workspace.createFileSystemWatcher(pattern);
    push(w,
      w.onDidChange((u) => linter.fileChanged(u, 'change')),
      w.onDidCreate((u) => linter.fileChanged(u, 'create')),
      w.onDidDelete((u) => linter.fileChanged(u, 'delete')));
  };
  watch('**/*.sql');
  watch('**/.pgpreflight.json');
  const watchedByName = new Set<string>();
  push(linter.onDidLint(() => {
    for (const input of linter.getProject()?.watchedInputs ?? []) {
      if (watchedByName.has(input) || /\.sql$|(^|[\\/])\.pgpreflight\.json$/i.test(input)) continue;
      watchedByName.add(input);
      watch(new vscode.RelativePattern(vscode.Uri.file(dirname(input)), basename(input)));
    }
  }));

  // Documents already open when the extension starts (the SQL file that activated it).
  for (const doc of vscode.workspace.textDocuments) if (isSqlDocument(doc)) void linter.lintSoon(doc);
  ctx.updateStatus();
}
