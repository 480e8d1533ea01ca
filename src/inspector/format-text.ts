// The terminal report of a snapshot: alerts (most alarming first), then the blocking tree and lock queues, then the
// slower-moving state. Pure: a snapshot in, text out; the CLI decides about colour.
import type { BlockingNode, Snapshot } from './types.js';

export interface TextStyle {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  green(s: string): string;
}

const plain: TextStyle = { bold: (s) => s, dim: (s) => s, red: (s) => s, yellow: (s) => s, cyan: (s) => s, green: (s) => s };

const MAX_TREE_LINES = 40;

function dur(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${seconds < 10 ? seconds.toFixed(1) : s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function q(s: string | null | undefined, hidden = false, n = 80): string {
  if (hidden) return '(query hidden)';
  if (!s) return '';
  return `"${s.length > n ? `${s.slice(0, n - 1)}…` : s}"`;
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

function nodeKey(n: BlockingNode): string {
  return n.pid === 0 ? `p:${n.gid}` : `s:${n.pid}`;
}

function renderTree(nodes: BlockingNode[], st: TextStyle, omitted: number): string[] {
  const byKey = new Map(nodes.map((n) => [nodeKey(n), n]));
  const children = new Map<string, BlockingNode[]>();
  for (const n of nodes) {
    for (const b of n.blockedBy) {
      const parents = b === 0 ? (n.blockedByPrepared ?? ['?']).map((g) => `p:${g}`) : [`s:${b}`];
      for (const p of parents) {
        if (!byKey.has(p)) continue;
        children.set(p, [...(children.get(p) ?? []), n]);
      }
    }
  }
  const lines: string[] = [];
  const printed = new Set<string>();
  let cut = 0;
  const label = (n: BlockingNode) => {
    const id = n.kind === 'prepared' ? st.bold(`prepared '${n.gid}'`) : st.bold(String(n.pid));
    const app = n.application ? ` ${n.application}` : '';
    const wait = n.waitingFor
      ? ` ${st.yellow(`waits ${n.waitingFor.mode}`)}${n.waitingFor.relation ? ` on ${n.waitingFor.relation}` : n.waitingFor.locktype !== 'relation' ? ` (${n.waitingFor.locktype})` : ''} ${dur(n.waitSeconds)}`
      : ` ${n.state ?? ''}${n.xactSeconds !== null ? ` xact ${dur(n.xactSeconds)}` : ''}`;
    const blocks = n.blocksTotal ? st.red(` blocks ${n.blocksTotal}`) : '';
    return `${id}${app}${wait}${blocks} ${st.dim(q(n.query, n.queryHidden, 70))}`.trimEnd();
  };
  const walk = (n: BlockingNode, prefix: string, last: boolean, depth: number) => {
    if (lines.length >= MAX_TREE_LINES) { cut++; return; }
    const k = nodeKey(n);
    const connector = depth === 0 ? '' : last ? '└ ' : '├ ';
    if (printed.has(k)) {
      lines.push(`  ${prefix}${connector}${st.dim(`${n.pid === 0 ? `prepared '${n.gid}'` : n.pid} (see above)`)}`);
      return;
    }
    printed.add(k);
    lines.push(`  ${prefix}${connector}${label(n)}`);
    const kids = children.get(k) ?? [];
    const next = depth === 0 ? '' : prefix + (last ? '  ' : '│ ');
    kids.forEach((c, i) => walk(c, next, i === kids.length - 1, depth + 1));
  };
  for (const r of nodes.filter((n) => n.root)) walk(r, '', true, 0);
  const rest = nodes.filter((n) => !printed.has(nodeKey(n))).length;
  if (cut + rest + omitted > 0) lines.push(st.dim(`  … ${cut + rest + omitted} more`));
  return lines;
}

export function formatSnapshotText(s: Snapshot, st: TextStyle = plain): string {
  const out: string[] = [];
  const h = (title: string, extra = '') => out.push('', `${st.bold(title)}${extra ? ` ${st.dim(extra)}` : ''}`);
  const sv = s.server;
  const priv = s.privileges.level === 'superuser' ? 'superuser' : s.privileges.level === 'monitor' ? 'pg_monitor' : 'plain role';
  out.push(`${st.bold(sv.target)}  PostgreSQL ${sv.version}, up ${dur(sv.uptime)}, database ${sv.database} as ${sv.user} (${priv})` +
    `${sv.inRecovery ? ', standby' : ''}${sv.tls ? ', TLS' : ''}`);
  out.push(st.dim(`snapshot ${sv.fetchedAt} in ${sv.durationMs} ms`));

  // alerts
  h('ALERTS');
  if (s.alerts.length === 0) out.push(st.green('  nothing alarming'));
  for (const a of s.alerts) {
    const tag = a.severity === 'critical' ? st.red('✖ critical') : a.severity === 'warning' ? st.yellow('▲ warning ') : st.cyan('· info    ');
    out.push(`  ${tag} ${a.message}`);
  }

  // blocking
  h('BLOCKING', 'root blockers first');
  if (s.blocking.length === 0) out.push(st.dim('  nobody waits for a lock'));
  else out.push(...renderTree(s.blocking, st, s.truncated.blocking ?? 0));

  // lock queues
  h('LOCK QUEUES');
  if (s.lockQueues.length === 0) out.push(st.dim('  no contested relation'));
  for (const lq of s.lockQueues) {
    out.push(`  ${st.bold(lq.relation)} ${st.dim(`${lq.holdersTotal} holding, ${lq.waitersTotal} waiting${lq.headBlocks ? `; the first request blocks ${lq.headBlocks}` : ''}`)}`);
    for (const ho of lq.holders) {
      const id = ho.pid === 0 ? `prepared '${ho.gid ?? '?'}'` : String(ho.pid);
      out.push(`    holds    ${ho.mode.padEnd(25)} ${id.padEnd(8)} ${(ho.application ?? '').padEnd(12)}${ho.alsoWaiting ? st.yellow(' (also waiting)') : ''} ${st.dim(q(ho.query, false, 60))}`.trimEnd());
    }
    if (lq.holdersTotal > lq.holders.length) out.push(st.dim(`    … ${lq.holdersTotal - lq.holders.length} more holders`));
    for (const w of lq.waiters) {
      const why = w.reason === 'held'
        ? st.red(`held by ${w.heldBy.map((p) => (p === 0 ? 'prepared xact' : p)).join(',')}`)
        : st.yellow(`queued behind ${w.queuedBehind.join(',') || 'waiters ahead'}`);
      out.push(`    waits #${String(w.position).padEnd(2)}${w.mode.padEnd(25)} ${String(w.pid).padEnd(8)} ${(w.application ?? '').padEnd(12)} ${dur(w.waitSeconds).padStart(5)} ${why} ${st.dim(q(w.query, false, 50))}`.trimEnd());
    }
    if (lq.waitersTotal > lq.waiters.length) out.push(st.dim(`    … ${lq.waitersTotal - lq.waiters.length} more waiting`));
  }

  // backups
  h('BACKUPS');
  if (s.backups.length === 0) out.push(st.dim('  none running'));
  for (const b of s.backups) {
    const kind = b.kind === 'pg_dump' ? `pg_dump ${b.role ?? ''}`.trim() : b.kind;
    const rel = b.relationsTotal ? ` locks ${b.relationsTotal} table${b.relationsTotal === 1 ? '' : 's'}: ${b.relations.join(', ')}${b.relationsTotal > b.relations.length ? ', …' : ''}` : '';
    const copy = b.copy ? ` COPY ${b.copy.relation ?? ''} ${bytes(b.copy.bytesProcessed)}, ${fmtInt(b.copy.tuplesProcessed)} rows` : '';
    const bb = b.basebackup ? ` ${b.basebackup.phase} ${bytes(b.basebackup.streamedBytes)} of ${bytes(b.basebackup.totalBytes)}` : '';
    out.push(`  ${`${st.bold(String(b.pid))} ${kind} ${b.state ?? ''} ${dur(b.xactSeconds)}${rel}${copy}${bb}`.replace(/ +/g, ' ')}`);
    if (b.contested.length) out.push(`    ${st.red(`contested: ${b.contested.join(', ')}`)}`);
  }

  // vacuums and index builds
  h('VACUUMS');
  if (s.vacuums.length === 0) out.push(st.dim('  none running'));
  for (const v of s.vacuums) {
    const tags = [v.full ? 'FULL/CLUSTER' : '', v.auto ? 'auto' : v.auto === false ? 'manual' : '', v.wraparound ? st.red('to prevent wraparound') : ''].filter(Boolean).join(', ');
    out.push(`  ${st.bold(String(v.pid))} ${v.relation ?? v.database ?? '?'} ${tags ? `[${tags}] ` : ''}${v.phase ?? ''}${v.percent !== null ? ` ${v.percent}%` : ''} ${dur(v.runningSeconds)}${v.waitEvent ? st.dim(` ${v.waitEvent}`) : ''}`);
  }
  if (s.indexBuilds.length) {
    h('INDEX BUILDS');
    for (const ib of s.indexBuilds) {
      out.push(`  ${st.bold(String(ib.pid))} ${ib.command ?? ''} ${ib.index ?? ''} on ${ib.relation ?? '?'}: ${ib.phase ?? ''}${ib.percent !== null ? ` ${ib.percent}%` : ''}` +
        `${ib.currentLockerPid ? st.yellow(` waiting for pid ${ib.currentLockerPid}`) : ''} ${dur(ib.runningSeconds)}`);
    }
  }

  // connections, sessions
  const c = s.connections;
  h('CONNECTIONS');
  out.push(`  ${c.used} of ${c.max} used (${c.reservedSuperuser} reserved for superusers${c.reserved ? `, ${c.reserved} for pg_use_reserved_connections` : ''}), ` +
    `${c.freeForNormalRoles} free for normal roles; ${c.active} active, ${c.waiting} waiting for locks, ${c.idleInTransaction} idle in transaction`);
  const states = Object.entries(s.sessions.byState).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  if (s.sessions.total) out.push(st.dim(`  ${s.sessions.total} backends: ${states}`));
  if (s.sessions.byApplication.length) {
    out.push(st.dim(`  by application: ${s.sessions.byApplication.map((a) => `${a.application} ${a.count}`).join(', ')}`));
  }

  // xmin horizon
  h('XMIN HORIZON', 'oldest first');
  if (s.xminHolders.length === 0) out.push(st.dim('  nothing holds it back'));
  for (const x of s.xminHolders.slice(0, 5)) {
    const scope = x.holdsBack === 'all' ? '' : x.holdsBack === 'catalogs' ? ' [catalogs only]' : ' [other database: shared catalogs only]';
    const detail = x.kind === 'backend' || x.kind === 'standby'
      ? `${x.application ?? ''} ${x.state ?? ''} ${dur(x.seconds)} ${st.dim(q(x.query, false, 50))}`
      : x.kind === 'prepared' ? `prepared ${dur(x.seconds)} ago`
      : `${x.slotType ?? ''}${x.plugin ? `/${x.plugin}` : ''} ${x.active ? 'active' : st.yellow('inactive')}${x.application ? ` (${x.application})` : ''}`;
    out.push(`  ${x.kind.padEnd(12)} ${st.bold(x.id.padEnd(10))} xmin ${x.xmin} (age ${fmtInt(x.ageXid)})${scope} ${detail}`.trimEnd());
    out.push(st.dim(`  ${''.padEnd(12)} fix: ${x.fix}`));
  }
  if (s.xminHolders.length > 5) out.push(st.dim(`  … ${s.xminHolders.length - 5} more`));

  // wraparound
  const w = s.wraparound;
  h('WRAPAROUND', `autovacuum_freeze_max_age ${fmtInt(w.freezeMaxAge)}`);
  out.push(`  database ${w.database.name}: age ${fmtInt(w.database.ageXid)} = ${w.database.percentOfFreezeMaxAge}% of freeze max age, ${w.database.percentOfWraparound}% of wraparound`);
  // Only tables worth a look; on a healthy server, the oldest one for reference.
  const aging = w.tables.filter((t) => t.percentOfFreezeMaxAge >= 50).slice(0, 5);
  for (const t of aging.length ? aging : w.tables.slice(0, 1)) {
    const pct = `${t.percentOfFreezeMaxAge}%`;
    out.push(`  ${t.toastOf ? `${t.toastOf} (TOAST)` : t.relation}: age ${fmtInt(t.ageXid)} = ${t.autovacuumForced ? st.red(pct) : pct} of ${fmtInt(t.freezeMaxAge)}${t.autovacuumForced ? st.red(' anti-wraparound autovacuum due') : ''}`);
  }

  if (s.deadTuples.length) {
    h('DEAD TUPLES');
    for (const d of s.deadTuples.slice(0, 5)) {
      out.push(`  ${d.relation}: ${fmtInt(d.dead)} dead, ${fmtInt(d.live)} live${d.percentDead !== null ? ` (${d.percentDead}%)` : ''}, autovacuum at ${fmtInt(d.autovacuumThreshold)}${d.autovacuumEnabled ? '' : st.yellow(' (autovacuum off)')}`);
    }
  }

  if (s.invalidIndexes.length) {
    h('INVALID INDEXES');
    for (const i of s.invalidIndexes) {
      out.push(`  ${st.bold(i.index)} on ${i.table}: ${i.valid ? 'valid' : st.red('invalid')}, ${i.ready ? 'ready (maintained by every write)' : 'not ready'}${i.reindexLeftover ? ', REINDEX CONCURRENTLY leftover' : ''}, ~${bytes(i.sizeBytesEstimate)}`);
    }
  }

  if (s.notes.length) {
    h('NOTES');
    const rank = { error: 0, warning: 1, info: 2 } as const;
    for (const n of [...s.notes].sort((a, b) => rank[a.level] - rank[b.level])) {
      const tag = n.level === 'error' ? st.red('error') : n.level === 'warning' ? st.yellow('note ') : st.dim('info ');
      out.push(`  ${tag} ${n.section}: ${n.message}`);
    }
  }
  return out.join('\n') + '\n';
}
