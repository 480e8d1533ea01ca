// The "Database State" view of the pgPreflight activity-bar container. Nodes are plain data (a discriminated union)
// built from the inspector's Snapshot by pure functions (buildNodes); the provider only maps them to TreeItems. With
// no target connected it has no nodes, so VS Code shows its viewsWelcome content (a "Connect…" button).
//
// Every level is bounded: at most LEVEL_LIMIT children, then one "… N more" node (plus what the inspector itself left
// out, Snapshot.truncated). Errors are nodes, never popups: a failing refresh shows once in the tree and retries.
import * as vscode from 'vscode';
import type {
  Alert, Backup, BlockingNode, IndexBuild, InspectorError, InvalidIndex, LockQueue, Snapshot, Vacuum, XminHolder,
} from '../../inspector/types.js';

export const LEVEL_LIMIT = 25;

export type Tone = 'critical' | 'warning' | 'info' | 'ok';

interface Base {
  /** Unique and stable across refreshes (keeps expansion state). */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  tone?: Tone;
  /** Shown expanded (when it has children). */
  expanded?: boolean;
}

export type DatabaseNode =
  | Base & { kind: 'section'; section: string; children: DatabaseNode[] }
  | Base & { kind: 'info'; icon?: string; children?: DatabaseNode[] }
  | Base & {
      kind: 'session'; pid: number; application: string | null; query: string | null; wraparound: boolean;
      /** Cancel/terminate offered (false on a readOnly target). */
      actions: boolean; children?: DatabaseNode[];
    }
  | Base & { kind: 'prepared'; gid: string; children?: DatabaseNode[] }
  | Base & { kind: 'more'; count: number }
  | Base & { kind: 'error'; code: string }
  | Base & { kind: 'message' };

export interface ViewState {
  targetName: string;
  readOnly: boolean;
  snapshot: Snapshot | undefined;
  error: InspectorError | undefined;
  lastRefresh: Date | undefined;
  paused: boolean;
  intervalSeconds: number;
  backoffSeconds: number | undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// pure: snapshot -> nodes

function short(q: string | null, n = 80): string {
  if (!q) return '';
  const one = q.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${Math.round(s % 60).toString().padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60).toString().padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

function fmtBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n < 10 && i ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

/** At most `limit` nodes, then "… N more" (N includes what the inspector left out). */
export function bounded(id: string, nodes: DatabaseNode[], extra = 0, limit = LEVEL_LIMIT): DatabaseNode[] {
  const hidden = Math.max(0, nodes.length - limit) + extra;
  const out = nodes.slice(0, limit);
  if (hidden > 0) out.push({ kind: 'more', id: `${id}/more`, label: `… ${hidden} more`, count: hidden, tooltip: 'Only the most important entries are shown' });
  return out;
}

function section(id: string, label: string, children: DatabaseNode[], opts: { description?: string; tone?: Tone; expanded?: boolean; extra?: number; empty?: string } = {}): DatabaseNode {
  const kids = children.length ? bounded(id, children, opts.extra) : [{ kind: 'message' as const, id: `${id}/none`, label: opts.empty ?? 'none' }];
  return { kind: 'section', section: id, id, label, children: kids, description: opts.description ?? (children.length ? String(children.length + (opts.extra ?? 0)) : ''), tone: opts.tone, expanded: opts.expanded };
}

function sessionNode(id: string, s: { pid: number; application: string | null; query: string | null }, label: string, description: string, st: ViewState, extra: { tone?: Tone; wraparound?: boolean; children?: DatabaseNode[]; tooltip?: string; expanded?: boolean } = {}): DatabaseNode {
  const tip = [`pid ${s.pid}${s.application ? ` · ${s.application}` : ''}`, s.query ? s.query.slice(0, 1000) : '(query hidden or idle)', extra.tooltip].filter(Boolean).join('\n\n');
  return {
    kind: 'session', id, pid: s.pid, application: s.application, query: s.query, wraparound: !!extra.wraparound, actions: !st.readOnly,
    label, description, tooltip: tip, tone: extra.tone, children: extra.children, expanded: extra.expanded,
  };
}

function serverSection(st: ViewState): DatabaseNode {
  const s = st.snapshot?.server;
  const kids: DatabaseNode[] = [{ kind: 'info', id: 'server/target', label: 'Target', description: st.targetName + (st.readOnly ? ' (read-only)' : ''), icon: 'plug' }];
  if (s) {
    kids.push(
      { kind: 'info', id: 'server/version', label: 'Version', description: `PostgreSQL ${s.version}${s.inRecovery ? ' (standby)' : ''}`, icon: 'versions' },
      { kind: 'info', id: 'server/uptime', label: 'Uptime', description: fmtSeconds(s.uptime), icon: 'clock' },
      { kind: 'info', id: 'server/database', label: 'Database', description: `${s.database} as ${s.user} (${st.snapshot!.privileges.level})`, icon: 'database' },
    );
  }
  kids.push({ kind: 'info', id: 'server/refreshed', label: 'Last refresh', description: st.lastRefresh ? `${st.lastRefresh.toLocaleTimeString()}${s ? ` (${Math.round(s.durationMs)} ms)` : ''}` : 'never', icon: 'history' });
  kids.push({
    kind: 'info', id: 'server/interval', label: 'Refresh interval',
    description: st.paused ? `paused (every ${st.intervalSeconds}s when resumed)` : st.backoffSeconds ? `retrying in ${st.backoffSeconds}s (backoff)` : `every ${st.intervalSeconds}s`,
    icon: st.paused ? 'debug-pause' : 'sync',
  });
  for (const [i, n] of (st.snapshot?.notes ?? []).slice(0, 10).entries()) {
    kids.push({ kind: 'info', id: `server/note/${i}`, label: n.message, description: n.section, tooltip: n.message, tone: n.level === 'error' ? 'critical' : n.level === 'warning' ? 'warning' : 'info', icon: 'note' });
  }
  return { kind: 'section', section: 'server', id: 'server', label: 'Server', description: s ? `${st.targetName} · ${s.version}` : st.targetName, children: kids };
}

function alertsSection(alerts: Alert[]): DatabaseNode {
  const nodes: DatabaseNode[] = alerts.map((a, i) => ({
    kind: 'info', id: `alerts/${i}/${a.kind}`, label: a.message, description: a.pids?.length ? `pid ${a.pids.slice(0, 3).join(', ')}` : a.relation ?? '',
    tooltip: a.message, tone: a.severity === 'critical' ? 'critical' : a.severity === 'warning' ? 'warning' : 'info',
  }));
  const worst = alerts.some((a) => a.severity === 'critical') ? 'critical' : alerts.some((a) => a.severity === 'warning') ? 'warning' : alerts.length ? 'info' : 'ok';
  return section('alerts', 'Alerts', nodes, { tone: worst, expanded: alerts.length > 0, empty: 'no alerts' });
}

function blockingSection(nodes: BlockingNode[], st: ViewState, truncated = 0): DatabaseNode {
  const byPid = new Map<number, BlockingNode>();
  for (const n of nodes) if (n.kind === 'session') byPid.set(n.pid, n);
  const prepared = nodes.filter((n) => n.kind === 'prepared');
  const seen = new Set<string>();
  const build = (n: BlockingNode, path: string, depth: number): DatabaseNode => {
    const key = n.kind === 'prepared' ? `prepared:${n.gid}` : `pid:${n.pid}`;
    seen.add(key);
    const children = depth > 8 ? [] : nodes
      .filter((w) => w.kind === 'session' && !w.root && (n.kind === 'prepared'
        ? w.blockedBy.includes(0) && (w.blockedByPrepared ?? []).includes(n.gid ?? '')
        : w.blockedBy.includes(n.pid)) && w.depth === n.depth + 1)
      .map((w) => build(w, `${path}/${w.pid}`, depth + 1));
    const kids = children.length ? bounded(path, children) : undefined;
    const waiting = n.waitingFor ? `waits ${n.waitingFor.mode}${n.waitingFor.relation ? ` on ${n.waitingFor.relation}` : ''} ${fmtSeconds(n.waitSeconds)}` : '';
    const blocks = n.blocksTotal ? `blocks ${n.blocksTotal}` : '';
    if (n.kind === 'prepared') {
      return { kind: 'prepared', id: path, gid: n.gid ?? '', label: `prepared transaction '${n.gid}'`, description: [blocks, 'end with COMMIT/ROLLBACK PREPARED'].filter(Boolean).join(' · '), tone: 'critical', children: kids };
    }
    return sessionNode(path, n, `pid ${n.pid}${n.application ? ` · ${n.application}` : ''}`,
      [n.root ? 'root blocker' : '', blocks, waiting, n.state ?? '', short(n.query, 50)].filter(Boolean).join(' · '), st,
      { tone: n.root ? 'critical' : 'warning', children: kids, expanded: depth < 2 });
  };
  const roots = nodes.filter((n) => n.root && n.kind === 'session').map((n) => build(n, `blocking/${n.pid}`, 0));
  const preparedNodes = prepared.map((p) => build(p, `blocking/prepared/${p.gid}`, 0));
  // Waiters whose blocker is not a root we could show (e.g. cut by the inspector's limit): list them flat.
  const orphans = nodes.filter((n) => n.kind === 'session' && !n.root && !seen.has(`pid:${n.pid}`)).map((n) => build(n, `blocking/w/${n.pid}`, 9));
  const all = [...roots, ...preparedNodes, ...orphans];
  const waiting = nodes.filter((n) => !n.root).length;
  return section('blocking', 'Blocking', all, { description: nodes.length ? `${roots.length + preparedNodes.length} root(s), ${waiting} waiting` : '', tone: nodes.length ? 'critical' : 'ok', expanded: nodes.length > 0, extra: truncated, empty: 'nobody is blocked' });
}

function lockQueuesSection(queues: LockQueue[], st: ViewState, truncated = 0): DatabaseNode {
  const nodes: DatabaseNode[] = queues.map((q) => {
    const id = `locks/${q.relation}`;
    const holders: DatabaseNode[] = q.holders.map((h) => h.pid === 0
      ? { kind: 'prepared', id: `${id}/h/prepared/${h.gid}`, gid: h.gid ?? '', label: `holds ${h.mode} · prepared '${h.gid}'`, description: h.blocksWaiters ? 'blocks the queue' : '', tone: h.blocksWaiters ? 'critical' : undefined }
      : sessionNode(`${id}/h/${h.pid}`, h, `holds ${h.mode} · pid ${h.pid}${h.application ? ` (${h.application})` : ''}`,
        [h.blocksWaiters ? 'blocks the queue' : '', h.alsoWaiting ? 'also waiting for a stronger lock' : '', short(h.query, 50)].filter(Boolean).join(' · '), st,
        { tone: h.blocksWaiters ? 'critical' : undefined }));
    const waiters: DatabaseNode[] = q.waiters.map((w) => sessionNode(`${id}/w/${w.pid}`, w,
      `#${w.position} ${w.reason} · waits ${w.mode} · pid ${w.pid}${w.application ? ` (${w.application})` : ''}`,
      [w.reason === 'held' ? `held by ${w.heldBy.map((p) => p === 0 ? 'a prepared xact' : p).join(', ')}` : `queued behind ${w.queuedBehind.join(', ')}`, fmtSeconds(w.waitSeconds), short(w.query, 50)].filter(Boolean).join(' · '), st,
      { tone: w.reason === 'held' ? 'warning' : 'critical', tooltip: w.reason === 'held' ? 'held: a granted conflicting lock holds it' : 'queued: it only waits behind a conflicting request ahead of it (the pile-up)' }));
    const children = [
      ...bounded(`${id}/h`, holders, Math.max(0, q.holdersTotal - q.holders.length)),
      ...bounded(`${id}/w`, waiters, Math.max(0, q.waitersTotal - q.waiters.length)),
    ];
    return { kind: 'info', id, label: q.relation, description: `${q.holdersTotal} holder(s), ${q.waitersTotal} waiting${q.headBlocks ? ` · head blocks ${q.headBlocks}` : ''}`, tone: q.waitersTotal ? 'critical' : undefined, icon: 'lock', children, expanded: true };
  });
  return section('locks', 'Lock queues', nodes, { tone: queues.length ? 'critical' : 'ok', expanded: queues.length > 0, extra: truncated, empty: 'no lock queues' });
}

function backupsSection(backups: Backup[], st: ViewState, truncated = 0): DatabaseNode {
  const nodes = backups.map((b) => sessionNode(`backups/${b.pid}`, b,
    `${b.kind}${b.role ? ` ${b.role}` : ''} · pid ${b.pid}`,
    [b.xactSeconds !== null ? `running ${fmtSeconds(b.xactSeconds)}` : '', b.relationsTotal ? `${b.relationsTotal} table(s) locked` : '',
      b.contested.length ? `contested: ${b.contested.join(', ')}` : '', b.copy ? `COPY ${b.copy.relation ?? ''} ${fmtBytes(b.copy.bytesProcessed)}` : ''].filter(Boolean).join(' · '),
    st, { tone: b.contested.length ? 'warning' : undefined, tooltip: b.relations.length ? `Holds locks on: ${b.relations.join(', ')}` : undefined }));
  return section('backups', 'Backups in progress', nodes, { tone: backups.length ? 'warning' : 'ok', expanded: backups.length > 0, extra: truncated, empty: 'no backup running' });
}

function vacuumSection(s: Snapshot, st: ViewState): DatabaseNode {
  const running = s.vacuums.map((v: Vacuum) => sessionNode(`vacuum/${v.pid}`, { pid: v.pid, application: v.auto ? 'autovacuum' : null, query: v.query },
    `${v.full ? 'VACUUM FULL' : v.auto ? 'autovacuum' : 'VACUUM'} ${v.relation ?? ''}${v.wraparound ? ' (to prevent wraparound)' : ''}`,
    [v.phase ?? '', v.percent !== null ? `${Math.round(v.percent)}%` : '', fmtSeconds(v.runningSeconds), `pid ${v.pid}`].filter(Boolean).join(' · '), st,
    { tone: v.wraparound ? 'critical' : undefined, wraparound: v.wraparound === true }));
  const w = s.wraparound;
  const dbs: DatabaseNode[] = w.databases.map((d) => ({
    kind: 'info', id: `vacuum/wrap/db/${d.name}`, label: d.name, description: `${d.percentOfFreezeMaxAge.toFixed(1)}% of freeze max age · ${d.percentOfWraparound.toFixed(2)}% of wraparound · age ${d.ageXid}`,
    tone: d.percentOfFreezeMaxAge >= 100 ? 'critical' : d.percentOfFreezeMaxAge >= 75 ? 'warning' : undefined, icon: 'database',
  }));
  const tables: DatabaseNode[] = w.tables.map((t) => ({
    kind: 'info', id: `vacuum/wrap/t/${t.relation}`, label: t.relation, description: `${t.percentOfFreezeMaxAge.toFixed(1)}% of freeze max age${t.autovacuumForced ? ' · anti-wraparound autovacuum due' : ''}${t.toastOf ? ` · TOAST of ${t.toastOf}` : ''}`,
    tone: t.autovacuumForced ? 'critical' : t.percentOfFreezeMaxAge >= 75 ? 'warning' : undefined, icon: 'table',
  }));
  const kids: DatabaseNode[] = [
    section('vacuum/running', 'Running', running, { extra: s.truncated.vacuums ?? 0, expanded: running.length > 0, empty: 'no vacuum running' }),
    section('vacuum/wrap/dbs', 'Wraparound by database', dbs, { description: `${w.database.percentOfFreezeMaxAge.toFixed(1)}% (${w.database.name})` }),
    section('vacuum/wrap/tables', 'Wraparound by table', tables, { empty: 'no table near its freeze max age' }),
  ];
  const wrapRunning = s.vacuums.some((v) => v.wraparound);
  return { kind: 'section', section: 'vacuum', id: 'vacuum', label: 'Vacuum', description: `${s.vacuums.length} running${wrapRunning ? ' · to prevent wraparound!' : ''}`, tone: wrapRunning ? 'critical' : undefined, children: kids, expanded: s.vacuums.length > 0 };
}

function xminSection(holders: XminHolder[], st: ViewState, truncated = 0): DatabaseNode {
  const nodes = holders.map((h): DatabaseNode => {
    const desc = [`age ${h.ageXid}`, `holds back ${h.holdsBack}`, h.seconds ? fmtSeconds(h.seconds) : '', h.state ?? ''].filter(Boolean).join(' · ');
    if (h.kind === 'backend' && h.pid) return sessionNode(`xmin/${h.kind}/${h.id}`, { pid: h.pid, application: h.application ?? null, query: h.query ?? null }, `session pid ${h.pid}${h.application ? ` (${h.application})` : ''}`, desc, st, { tooltip: `Release: ${h.fix}` });
    return { kind: h.kind === 'prepared' ? 'prepared' : 'info', id: `xmin/${h.kind}/${h.id}`, gid: h.id, label: `${h.kind} ${h.id}`, description: desc, tooltip: `Release: ${h.fix}` } as DatabaseNode;
  });
  return section('xmin', 'xmin horizon holders', nodes, { extra: truncated, empty: 'nothing holds the horizon back' });
}

function deadTuplesSection(s: Snapshot): DatabaseNode {
  const nodes: DatabaseNode[] = s.deadTuples.map((d) => ({
    kind: 'info', id: `dead/${d.relation}`, label: d.relation, description: `${d.dead} dead / ${d.live} live${d.percentDead !== null ? ` (${d.percentDead.toFixed(1)}%)` : ''}${d.dead > d.autovacuumThreshold ? ' · over autovacuum threshold' : ''}${d.autovacuumEnabled ? '' : ' · autovacuum off'}`,
    tone: d.dead > d.autovacuumThreshold ? 'warning' : undefined, icon: 'trash',
  }));
  return section('dead', 'Dead tuples', nodes, { extra: s.truncated.deadTuples ?? 0, empty: 'no table with many dead tuples' });
}

function connectionsSection(s: Snapshot): DatabaseNode {
  const c = s.connections;
  const i = (id: string, label: string, v: string | number, tone?: Tone): DatabaseNode => ({ kind: 'info', id: `conn/${id}`, label, description: String(v), tone });
  const tone: Tone | undefined = c.freeForNormalRoles <= 0 ? 'critical' : c.freeForNormalRoles < Math.max(3, c.max * 0.1) ? 'warning' : undefined;
  return {
    kind: 'section', section: 'connections', id: 'conn', label: 'Connections', description: `${c.used} / ${c.max} used`, tone,
    children: [
      i('max', 'max_connections', c.max),
      i('reserved', 'Reserved', `${c.reservedSuperuser} superuser${c.reserved ? ` + ${c.reserved} reserved_connections` : ''}`),
      i('used', 'Used', c.used),
      i('free', 'Free for normal roles', c.freeForNormalRoles, tone),
      i('active', 'Active', c.active),
      i('idletx', 'Idle in transaction', c.idleInTransaction, c.idleInTransaction ? 'warning' : undefined),
      i('waiting', 'Waiting for a lock', c.waiting, c.waiting ? 'warning' : undefined),
    ],
  };
}

function indexesSection(s: Snapshot, st: ViewState): DatabaseNode {
  const invalid: DatabaseNode[] = s.invalidIndexes.map((x: InvalidIndex) => ({
    kind: 'info', id: `idx/invalid/${x.index}`, label: x.index, description: `on ${x.table}${x.reindexLeftover ? ' · REINDEX CONCURRENTLY leftover' : ''} · ${x.valid ? 'valid' : 'INVALID'}${x.ready ? '' : ', not ready'} · ~${fmtBytes(x.sizeBytesEstimate)}`,
    tooltip: x.definition, tone: 'warning', icon: 'warning',
  }));
  const builds: DatabaseNode[] = s.indexBuilds.map((b: IndexBuild) => sessionNode(`idx/build/${b.pid}`, { pid: b.pid, application: null, query: b.query },
    `${b.command ?? 'CREATE INDEX'} ${b.index ?? ''} on ${b.relation ?? '?'}`,
    [b.phase ?? '', b.percent !== null ? `${Math.round(b.percent)}%` : '', b.currentLockerPid ? `waiting for pid ${b.currentLockerPid}` : '', fmtSeconds(b.runningSeconds)].filter(Boolean).join(' · '), st));
  return {
    kind: 'section', section: 'indexes', id: 'idx', label: 'Indexes', description: `${invalid.length + (s.truncated.invalidIndexes ?? 0)} invalid, ${builds.length} building`,
    tone: invalid.length ? 'warning' : undefined,
    children: [
      section('idx/invalid', 'Invalid indexes', invalid, { extra: s.truncated.invalidIndexes ?? 0, empty: 'no invalid index' }),
      section('idx/builds', 'Index builds', builds, { extra: s.truncated.indexBuilds ?? 0, expanded: builds.length > 0, empty: 'no index build running' }),
    ],
  };
}

/** The whole tree for a connection state (pure). */
export function buildNodes(st: ViewState): DatabaseNode[] {
  const out: DatabaseNode[] = [];
  if (st.error) {
    out.push({
      kind: 'error', id: 'error', code: st.error.code, label: st.snapshot ? 'Refresh failed' : 'Not connected',
      description: `${st.error.message}${st.backoffSeconds ? ` · retrying in ${st.backoffSeconds}s` : ''}`, tooltip: [st.error.message, st.error.detail].filter(Boolean).join('\n\n'), tone: 'critical',
    });
  }
  out.push(serverSection(st));
  const s = st.snapshot;
  if (!s) return out;
  out.push(
    alertsSection(s.alerts),
    blockingSection(s.blocking, st, s.truncated.blocking),
    lockQueuesSection(s.lockQueues, st, s.truncated.lockQueues),
    backupsSection(s.backups, st, s.truncated.backups),
    vacuumSection(s, st),
    xminSection(s.xminHolders, st, s.truncated.xminHolders),
    deadTuplesSection(s),
    connectionsSection(s),
    indexesSection(s, st),
  );
  return out;
}

/** The tree as indented text (tests, "copy tree"). */
export function nodesText(nodes: DatabaseNode[], depth = 0): string[] {
  const lines: string[] = [];
  for (const n of nodes) {
    lines.push(`${'  '.repeat(depth)}${n.label}${n.description ? ` — ${n.description}` : ''}`);
    const kids = 'children' in n && n.children ? n.children : [];
    lines.push(...nodesText(kids, depth + 1));
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------------
// provider: nodes -> TreeItems

const SECTION_ICONS: Record<string, string> = {
  server: 'server', alerts: 'bell', blocking: 'debug-stop', locks: 'lock', backups: 'archive', vacuum: 'sparkle',
  xmin: 'history', dead: 'trash', connections: 'plug', indexes: 'list-tree',
};

function toneColor(t: Tone | undefined): vscode.ThemeColor | undefined {
  return t === 'critical' ? new vscode.ThemeColor('errorForeground')
    : t === 'warning' ? new vscode.ThemeColor('editorWarning.foreground')
      : t === 'ok' ? new vscode.ThemeColor('testing.iconPassed') : undefined;
}

export class DatabaseStateProvider implements vscode.TreeDataProvider<DatabaseNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DatabaseNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: DatabaseNode[] = [];

  constructor(private readonly state: () => ViewState | undefined = () => undefined) {}

  dispose(): void { this.changed.dispose(); }

  /** Rebuilds the nodes from the connection state and tells VS Code everything changed. */
  refresh(): void {
    const st = this.state();
    this.nodes = st ? buildNodes(st) : [];
    this.changed.fire(undefined);
  }

  /** The current top-level nodes (tests). */
  roots(): DatabaseNode[] { return this.nodes; }

  getTreeItem(node: DatabaseNode): vscode.TreeItem {
    const kids = 'children' in node && node.children?.length;
    const state = !kids ? vscode.TreeItemCollapsibleState.None
      : node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip ?? (node.description ? `${node.label}\n${node.description}` : node.label);
    const color = toneColor(node.tone);
    switch (node.kind) {
      case 'section':
        item.contextValue = `section.${node.section}`;
        item.iconPath = new vscode.ThemeIcon(SECTION_ICONS[node.section] ?? 'folder', color);
        break;
      case 'session':
        item.contextValue = `session${node.actions ? '.actions' : ''}${node.wraparound ? '.wraparound' : ''}${node.query ? '.query' : ''}`;
        item.iconPath = new vscode.ThemeIcon(node.wraparound ? 'warning' : 'account', color);
        break;
      case 'prepared':
        item.contextValue = 'prepared';
        item.iconPath = new vscode.ThemeIcon('pinned', color);
        break;
      case 'more':
        item.contextValue = 'more';
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        break;
      case 'error':
        item.contextValue = 'error';
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        break;
      case 'info':
        item.contextValue = 'info';
        item.iconPath = new vscode.ThemeIcon(node.icon ?? (node.tone === 'critical' ? 'error' : node.tone === 'warning' ? 'warning' : 'info'), color);
        break;
      default:
        item.contextValue = node.kind;
    }
    return item;
  }

  getChildren(node?: DatabaseNode): DatabaseNode[] {
    if (!node) return this.nodes;
    return 'children' in node && node.children ? node.children : [];
  }
}
