// The connection scope of a target database: one InspectorSession (one read-only connection with the core's
// lock_timeout/statement_timeout), one polling timer, the last snapshot and the live facts for hovers. Everything
// here is disposed with the scope (Ctx.pushConnectionCleanup) when the user disconnects or picks another target.
//
// Passwords: taken from the connect arguments, the URL typed in, or a prompt, and kept ONLY in context.secrets.
// Every message that leaves this module goes through the core's redact().
import * as vscode from 'vscode';
import { redact, resolveTarget, secretsOf, TargetError, type Target } from '../inspector/connection.js';
import { InspectorSession } from '../inspector/inspector.js';
import type { InspectorError, Snapshot } from '../inspector/types.js';
import type { Ctx, ConnectedCtx } from './ctx.js';
import { SnapshotLiveInfo, type LiveInfoProvider, type LiveQueryClient } from './live.js';
import { redactUrl, SECTION, settings, type TargetSetting } from './settings.js';

type Handler = (...args: any[]) => unknown;

/** The secret-storage key of a target's password. */
export function secretKey(target: string): string {
  return `pgPreflight.password:${target}`;
}

/** Fires on connect, disconnect and every refresh (the tree view and the preflight report listen). */
const changed = new vscode.EventEmitter<void>();
export const onDidChangeConnection = changed.event;

/** Seconds between snapshots (`pgPreflight.refreshIntervalSeconds`), 1..3600. */
export function refreshIntervalSeconds(): number {
  const v = vscode.workspace.getConfiguration(SECTION).get<unknown>('refreshIntervalSeconds');
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(3600, Math.max(1, v)) : 5;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export class LiveConnection implements ConnectedCtx, vscode.Disposable {
  readonly session: InspectorSession;
  readonly live: LiveInfoProvider;
  snapshot: Snapshot | undefined;
  error: InspectorError | undefined;
  lastRefresh: Date | undefined;
  paused = false;
  /** Consecutive failed refreshes (drives the reconnect backoff). */
  failures = 0;
  /** The verdict of the last preflight run on this target, for the status bar. */
  lastVerdict: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private inFlight: Promise<void> | undefined;
  private readonly refreshed = new vscode.EventEmitter<void>();
  /** Fires after every snapshot attempt (the preflight report re-runs on it). */
  readonly onDidRefresh = this.refreshed.event;

  constructor(readonly ctx: Ctx, readonly target: Target, readonly setting: Pick<TargetSetting, 'readOnly' | 'scratch'>) {
    this.session = new InspectorSession(target);
    // Hovers ask focused, bound-parameter questions on the session's own (read-only, time-limited) connection, in turn
    // with its snapshots: never a second connection.
    const client: LiveQueryClient = {
      query: async <R>(text: string, values?: unknown[]) => {
        const r = await this.session.withClient((c) => c.query<R>(text, values));
        if (!r.ok) throw new Error(this.redact(r.error.message));
        return r.value;
      },
    };
    this.live = new SnapshotLiveInfo(target.name, () => this.snapshot, client);
  }

  get targetName(): string { return this.target.name; }
  get readOnly(): boolean { return this.target.readOnly; }
  get intervalSeconds(): number { return refreshIntervalSeconds(); }

  /** Text safe to show: the core's redaction with this target's password. */
  redact(text: string): string { return redact(text, secretsOf(this.target)); }

  /** Takes a snapshot now; on failure the next attempt backs off (interval × 2^failures, at most 5 minutes). */
  refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = (async () => {
      if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
      const r = await this.session.snapshot();
      if (this.disposed) return;
      this.lastRefresh = new Date();
      if (r.ok) {
        this.snapshot = r.value;
        this.error = undefined;
        this.failures = 0;
      } else {
        this.error = { ...r.error, message: this.redact(r.error.message), detail: r.error.detail && this.redact(r.error.detail) };
        this.failures++;
        this.ctx.log.warn(`${this.targetName}: refresh failed (${this.error.code}): ${this.error.message}`);
      }
      this.schedule();
      this.refreshed.fire();
      changed.fire();
    })().finally(() => { this.inFlight = undefined; });
    return this.inFlight;
  }

  /** The user pressed refresh: re-read the slow sections too. */
  refreshAll(): Promise<void> {
    this.session.invalidate();
    return this.refresh();
  }

  schedule(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.disposed || this.paused) return;
    const base = this.intervalSeconds * 1000;
    const ms = this.failures ? Math.min(MAX_BACKOFF_MS, base * 2 ** Math.min(this.failures, 10)) : base;
    this.timer = setTimeout(() => { void this.refresh(); }, ms);
  }

  /** When the next attempt is a reconnect after failures: how long until it (for the tree). */
  get backoffSeconds(): number | undefined {
    if (!this.failures) return undefined;
    return Math.min(MAX_BACKOFF_MS, this.intervalSeconds * 1000 * 2 ** Math.min(this.failures, 10)) / 1000;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    void vscode.commands.executeCommand('setContext', 'pgPreflight.refreshPaused', paused);
    if (paused) { if (this.timer) clearTimeout(this.timer); this.timer = undefined; } else void this.refresh();
    changed.fire();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.refreshed.dispose();
    await this.session.close().catch(() => undefined);
    changed.fire();
  }
}

/** The live connection, when the connected scope is one (it always is once connected). */
export function liveConnection(ctx: Ctx): LiveConnection | undefined {
  return ctx.connection instanceof LiveConnection ? ctx.connection : undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// connect / disconnect

export interface ConnectArgs {
  /** A postgres:// URL (a password in it goes to secret storage) or key=value conninfo. */
  url?: string;
  /** The name of an entry of pgPreflight.targets. */
  target?: string;
  /** Use DATABASE_URL / PG* variables / ~/.pgpass. */
  env?: boolean;
  password?: string;
  /** Never prompt (tests, other extensions). */
  noPrompt?: boolean;
}

export interface ConnectOutcome {
  target?: string;
  passwordStored: boolean;
  connected: boolean;
  message: string;
  error?: { code: string; message: string };
}

interface Picked { name: string; db?: string; setting: TargetSetting }

function quoteConninfo(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A target setting as a connection string the core resolves (host/port/… fields become key=value conninfo). */
function connectionStringOf(t: TargetSetting): string | undefined {
  if (t.url) return t.url.trim();
  const parts: string[] = [];
  if (t.host) parts.push(`host=${quoteConninfo(t.host)}`);
  if (t.port) parts.push(`port=${t.port}`);
  if (t.database) parts.push(`dbname=${quoteConninfo(t.database)}`);
  if (t.user) parts.push(`user=${quoteConninfo(t.user)}`);
  return parts.length ? parts.join(' ') : undefined;
}

/** The same connection string with a password added (transient: it goes straight to resolveTarget). */
function withPassword(db: string | undefined, password: string | undefined): string | undefined {
  if (!password || db === undefined) return db;
  if (/^postgres(ql)?:\/\//i.test(db)) {
    try {
      const u = new URL(db);
      if (!u.username) return `${db}${db.includes('?') ? '&' : '?'}password=${encodeURIComponent(password)}`;
      u.password = encodeURIComponent(password);
      return u.toString();
    } catch { return db; }
  }
  return `${db} password=${quoteConninfo(password)}`;
}

async function pickTarget(args: ConnectArgs | undefined): Promise<{ picked?: Picked; password?: string } | undefined> {
  let password = args?.password;
  const fromUrl = (raw: string): Picked => {
    const url = raw.trim();
    let db = url;
    try {
      const u = new URL(url);
      if (u.password) { password ??= decodeURIComponent(u.password); u.password = ''; db = redactUrl(u.toString()); }
    } catch { /* key=value conninfo or an odd URL: the core reports what is wrong */ }
    return { name: redactUrl(url), db, setting: { name: redactUrl(url), readOnly: true, scratch: false } };
  };
  if (args?.url) return { picked: fromUrl(args.url), password };
  const envPick = (): Picked => ({ name: 'environment (DATABASE_URL / PG*)', db: undefined, setting: { name: 'environment', readOnly: true, scratch: false } });
  if (args?.env) return { picked: envPick(), password };
  if (args?.target) {
    const t = settings().targets.find((x) => x.name === args.target);
    if (!t) return { picked: undefined };
    return { picked: { name: t.name, db: connectionStringOf(t), setting: t }, password };
  }
  const configured = settings().targets;
  type Item = vscode.QuickPickItem & { pick?: () => Picked | undefined };
  const items: Item[] = configured.map((t) => ({
    label: t.name,
    description: t.url ? redactUrl(t.url) : [t.host, t.database].filter(Boolean).join('/'),
    detail: t.scratch ? 'scratch database: preflight may run statements here' : t.readOnly ? 'read-only' : undefined,
    pick: () => ({ name: t.name, db: connectionStringOf(t), setting: t }),
  }));
  const envUrl = process.env.DATABASE_URL;
  items.push({ label: '$(globe) Environment defaults', description: envUrl ? `DATABASE_URL=${redactUrl(envUrl)}` : 'PG* variables, ~/.pgpass, libpq defaults', pick: envPick });
  items.push({ label: '$(edit) Enter a connection URL…' });
  const chosen = await vscode.window.showQuickPick(items, {
    title: 'Postgres Preflight: connect a target database',
    placeHolder: configured.length ? 'Pick a target from pgPreflight.targets' : 'No targets in pgPreflight.targets yet',
  });
  if (!chosen) return undefined;
  if (chosen.pick) return { picked: chosen.pick(), password };
  const url = await vscode.window.showInputBox({
    title: 'Postgres Preflight: connection URL',
    prompt: 'postgres://user@host:5432/database — a password in the URL goes to VS Code\'s secret storage, never to settings',
    ignoreFocusOut: true,
    validateInput: (v) => /^postgres(ql)?:\/\//.test(v.trim()) ? undefined : 'A URL starting with postgres:// or postgresql://',
  });
  if (!url) return undefined;
  return { picked: fromUrl(url), password };
}

/** Opens a connection scope for a target: resolve, connect (prompting once for a password), first snapshot. */
export function connectCommand(ctx: Ctx): Handler {
  return async (args?: ConnectArgs): Promise<ConnectOutcome | undefined> => {
    const chosen = await pickTarget(args);
    if (!chosen) return undefined;
    const { picked } = chosen;
    if (!picked) {
      const message = `No target named ${args?.target} in pgPreflight.targets`;
      void vscode.window.showErrorMessage(message);
      return { passwordStored: false, connected: false, message };
    }
    const name = picked.name;
    let password = chosen.password;
    let passwordStored = false;
    if (password) { await ctx.extension.secrets.store(secretKey(name), password); passwordStored = true; }
    else password = await ctx.extension.secrets.get(secretKey(name));
    await ctx.extension.workspaceState.update('pgPreflight.selectedTarget', name);

    await ctx.disconnect();
    let prompted = false;
    for (;;) {
      let target: Target;
      try {
        target = resolveTarget({ db: withPassword(picked.db, password), name, readOnly: picked.setting.readOnly, sslmode: picked.setting.sslmode as never });
      } catch (e) {
        const msg = redact(e instanceof TargetError ? e.message : String((e as Error)?.message ?? e), [password]);
        return fail(ctx, name, passwordStored, { code: 'config', message: msg });
      }
      const conn = new LiveConnection(ctx, target, picked.setting);
      await conn.refresh();
      if (conn.snapshot) {
        ctx.connection = conn;
        ctx.pushConnectionCleanup(conn);
        await vscode.commands.executeCommand('setContext', 'pgPreflight.connected', true);
        await vscode.commands.executeCommand('setContext', 'pgPreflight.readOnlyTarget', conn.readOnly);
        await vscode.commands.executeCommand('setContext', 'pgPreflight.refreshPaused', false);
        ctx.log.info(`connected to ${name} (PostgreSQL ${conn.snapshot.server.version}, ${conn.readOnly ? 'read-only' : 'actions enabled'})`);
        ctx.updateStatus();
        changed.fire();
        return { target: name, passwordStored, connected: true, message: `Connected to ${name}` };
      }
      const error = conn.error ?? { code: 'internal' as const, message: 'unknown error' };
      await conn.dispose();
      // A missing or wrong password: ask once, keep the answer only in secret storage.
      if (error.code === 'auth' && !prompted && !args?.noPrompt && !args?.url) {
        prompted = true;
        const pw = await vscode.window.showInputBox({
          title: `Postgres Preflight: password for ${name}`,
          prompt: `${error.message}. The password is kept in VS Code's secret storage, never in settings.`,
          password: true, ignoreFocusOut: true,
        });
        if (pw) {
          password = pw;
          await ctx.extension.secrets.store(secretKey(name), pw);
          passwordStored = true;
          continue;
        }
      }
      return fail(ctx, name, passwordStored, error);
    }
  };
}

function fail(ctx: Ctx, name: string, passwordStored: boolean, error: Pick<InspectorError, 'code' | 'message'>): ConnectOutcome {
  const message = `pg-preflight did not connect to ${name}: ${error.message}`;
  ctx.log.error(message);
  void vscode.window.showErrorMessage(message, 'Connect…').then((c) => { if (c) void vscode.commands.executeCommand('pgPreflight.connect'); });
  return { target: name, passwordStored, connected: false, message, error: { code: error.code, message: error.message } };
}

function disconnectCommand(ctx: Ctx): Handler {
  return async (): Promise<{ disconnected: string | undefined }> => {
    const name = ctx.targetName;
    await ctx.disconnect();
    ctx.updateStatus();
    changed.fire();
    return { disconnected: name };
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// actions on session nodes

/** What a tree node hands to the session actions. */
export interface SessionRef {
  pid: number;
  application?: string | null;
  query?: string | null;
  wraparound?: boolean;
  description?: string;
}

/**
 * Asks a modal question. Tests replace it (setModalAnswerer) to answer without a human; the answer is the label of
 * the chosen button, or undefined for "Cancel".
 */
export type ModalAnswerer = (message: string, detail: string, buttons: string[]) => Thenable<string | undefined>;
const realModal: ModalAnswerer = (message, detail, buttons) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons);
let modal: ModalAnswerer = realModal;
/** Test hook: every modal question asked, in order (message only). */
export const modalLog: string[] = [];
export function setModalAnswerer(fn: ModalAnswerer | undefined): void { modal = fn ?? realModal; }
function ask(message: string, detail: string, buttons: string[]): Thenable<string | undefined> {
  modalLog.push(message);
  return modal(message, detail, buttons);
}

export interface ActionCommandOutcome { done: boolean; refused?: string; message: string }

function sessionAction(action: 'cancel' | 'terminate'): (c: ConnectedCtx) => Handler {
  return (connected) => async (node?: SessionRef): Promise<ActionCommandOutcome> => {
    const conn = connected as LiveConnection;
    if (!node || typeof node.pid !== 'number') return { done: false, refused: 'invalid', message: 'Pick a session in the Database State view' };
    if (conn.readOnly) {
      const message = `${conn.targetName} is configured read-only: cancel and terminate are disabled (set "readOnly": false in pgPreflight.targets to allow them)`;
      void vscode.window.showInformationMessage(message);
      return { done: false, refused: 'read-only', message };
    }
    const verb = action === 'cancel' ? 'Cancel query' : 'Terminate session';
    const what = action === 'cancel'
      ? 'pg_cancel_backend(): the running statement fails with "canceling statement due to user request"; if it is inside a transaction, that transaction is aborted and rolled back. The connection stays open.'
      : 'pg_terminate_backend(): the connection is closed and any open transaction is rolled back. The client sees "terminating connection due to administrator command".';
    const detail = [
      `pid: ${node.pid}`,
      `application: ${node.application || '(none)'}`,
      `query: ${node.query ? conn.redact(node.query).slice(0, 500) : '(hidden or idle)'}`,
      '',
      `What will happen: ${what}`,
      `Target: ${conn.targetName}`,
    ].join('\n');
    const answer = await ask(`${verb} pid ${node.pid} on ${conn.targetName}?`, detail, [verb]);
    if (answer !== verb) return { done: false, refused: 'not-confirmed', message: 'not confirmed' };
    const run = (confirmWraparound: boolean) => action === 'cancel'
      ? conn.session.cancel(node.pid, { confirmWraparound })
      : conn.session.terminate(node.pid, { confirmWraparound });
    let r = await run(false);
    if (!r.ok && r.error.code === 'wraparound-vacuum') {
      const really = `${verb} anyway`;
      const second = await ask(
        `pid ${node.pid} is an anti-wraparound autovacuum. ${verb} it anyway?`,
        `${conn.redact(r.error.message)}\n\nThis autovacuum prevents transaction ID wraparound; autovacuum starts it again within a naptime and the table keeps aging. Usually the right move is to cancel the DDL queued behind it instead.`,
        [really],
      );
      if (second !== really) return { done: false, refused: 'wraparound-vacuum', message: r.error.message };
      r = await run(true);
    }
    if (!r.ok) {
      const message = conn.redact(r.error.message);
      void vscode.window.showErrorMessage(`pg-preflight: ${message}`);
      return { done: false, refused: r.error.code, message };
    }
    conn.ctx.log.info(`${conn.targetName}: ${r.value.message}`);
    void vscode.window.showInformationMessage(`pg-preflight: ${r.value.message}`);
    void conn.refresh();
    return { done: true, message: r.value.message };
  };
}

function copyQuery(): Handler {
  return async (node?: SessionRef): Promise<string | undefined> => {
    if (!node?.query) return undefined;
    await vscode.env.clipboard.writeText(node.query);
    return node.query;
  };
}

const notConnected = (ctx: Ctx): Handler => () => {
  void ctx;
  void vscode.window.showInformationMessage('No target database is connected.', 'Connect…')
    .then((c) => { if (c) void vscode.commands.executeCommand('pgPreflight.connect'); });
  return undefined;
};

/** Commands of the connection scope, merged into the command table (commands.ts). */
export const CONNECTION_COMMANDS: Record<string, { enabled?: (c: ConnectedCtx) => Handler; disabled: (ctx: Ctx) => Handler }> = {
  'pgPreflight.connect': { disabled: connectCommand },
  'pgPreflight.disconnect': { enabled: (c) => disconnectCommand(c.ctx), disabled: disconnectCommand },
  'pgPreflight.refresh': { enabled: (c) => () => (c as LiveConnection).refreshAll(), disabled: notConnected },
  'pgPreflight.pauseRefresh': { enabled: (c) => () => (c as LiveConnection).setPaused(true), disabled: notConnected },
  'pgPreflight.resumeRefresh': { enabled: (c) => () => (c as LiveConnection).setPaused(false), disabled: notConnected },
  'pgPreflight.cancelQuery': { enabled: sessionAction('cancel'), disabled: notConnected },
  'pgPreflight.terminateSession': { enabled: sessionAction('terminate'), disabled: notConnected },
  'pgPreflight.copyQuery': { disabled: copyQuery },
};

/** Settings listeners of the connection scope: target changes offer a reconnect; the interval applies at once. */
export function registerConnectionListeners(ctx: Ctx): void {
  ctx.pushExtCleanup(vscode.workspace.onDidChangeConfiguration((e) => {
    const conn = liveConnection(ctx);
    if (!conn) return;
    if (e.affectsConfiguration(`${SECTION}.refreshIntervalSeconds`)) { conn.schedule(); changed.fire(); }
    if (e.affectsConfiguration(`${SECTION}.targets`)) {
      const name = conn.targetName;
      const stillThere = settings().targets.some((t) => t.name === name);
      void vscode.window.showInformationMessage(`pgPreflight.targets changed: ${name} keeps its current connection until you reconnect.`, 'Reconnect now')
        .then((c) => {
          if (c) void vscode.commands.executeCommand('pgPreflight.connect', stillThere ? { target: name } : undefined);
        });
    }
  }));
}
