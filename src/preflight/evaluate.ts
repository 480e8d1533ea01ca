// The preflight's judgement, pure: the analyzer's statements joined with a live snapshot and the migration's
// relations as the target sees them. Classification of the sessions in the way, the queue pile-up forecast, the
// cost on this target, vacuum and horizon, index swaps, and the verdict. No I/O here: unit-tested with plain data.
import type { StatementInfo } from '../analyzer/analyze.js';
import { blocks, conflicts, isLockMode, sqlModeName, stronger } from '../analyzer/locks.js';
import type { LockMode } from '../analyzer/types.js';
import type { Snapshot } from '../inspector/types.js';
import type { LiveLock, LiveRelation, LiveRelations } from './live.js';
import type {
  Check, CheckId, CheckStatus, Conflict, ConflictKind, DurationEstimate, PreflightLock, PreflightReport, SizeEstimate,
  StatementReport, Verdict,
} from './types.js';

/** A session in a transaction for longer than this is a "long transaction". */
export const LONG_TRANSACTION_SECONDS = 60;
/** A table at or above this share of its freeze max age is near a forced (anti-wraparound) vacuum. */
export const FREEZE_WARN_RATIO = 0.9;
/** An UPDATE/DELETE with a WHERE clause counts as a backfill on tables at least this large (reltuples). */
export const BULK_ROWS = 10000;

export interface AnalyzedFile {
  path: string;
  statements: StatementInfo[];
}

export interface EvaluateInput {
  files: AnalyzedFile[];
  snapshot: Snapshot;
  live: LiveRelations;
  pgVersion: number;
  configuredPgVersion?: number | null;
  /** the runner or the role sets lock_timeout before every migration (config.assumeLockTimeout) */
  assumeLockTimeout?: boolean;
  generatedAt?: string;
  durationMs?: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// small helpers

const VERDICT_RANK: Record<Verdict, number> = { go: 0, wait: 1, 'no-go': 2 };
export function worse(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK[b] > VERDICT_RANK[a] ? b : a;
}
const STATUS_RANK: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** lock_timeout / statement_timeout text to milliseconds; null = not set or disabled ('0'). */
export function parseTimeoutMs(v: string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const m = /^\s*'?\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*'?\s*$/i.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const ms = n * ({ ms: 1, s: 1000, min: 60000, h: 3600000, d: 86400000 } as Record<string, number>)[unit];
  return ms > 0 ? ms : null;
}

export function formatSeconds(s: number): string {
  if (s < 1) return s < 0.1 ? '<0.1 s' : `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = b / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

function formatRows(n: number | null): string {
  if (n === null) return 'rows unknown (never analyzed)';
  if (n >= 1e6) return `~${(n / 1e6).toFixed(1)}M rows`;
  if (n >= 1e3) return `~${Math.round(n / 1e3)}k rows`;
  return `~${Math.round(n)} rows`;
}

/** Blocks reads or writes: what makes a waiting lock a pile-up. */
function blocksTraffic(mode: LockMode): boolean {
  const b = blocks(mode);
  return b.reads || b.writes;
}

// ---------------------------------------------------------------------------------------------------------------------
// classification

export interface HolderFacts {
  pid: number;
  gid?: string | null;
  application: string | null;
  backendType: string | null;
  state: string | null;
  query: string | null;
  xactSeconds: number | null;
}

/** What kind of session holds (or requests) a lock, and whether it will end without anybody acting. */
export function classifyHolder(h: HolderFacts, snap: Pick<Snapshot, 'backups' | 'vacuums' | 'indexBuilds'>): { kind: ConflictKind; endsByItself: boolean; progress?: string; yields?: boolean } {
  if (h.pid === 0 || h.gid) return { kind: 'prepared', endsByItself: false };
  const backup = snap.backups.find((b) => b.pid === h.pid);
  const app = h.application ?? '';
  const q = h.query ?? '';
  if (backup || ['pg_dump', 'pg_dumpall', 'pg_basebackup'].includes(app) || /^\s*COPY\s[\s\S]*\sTO\s+(stdout|'|program)/i.test(q)) {
    let progress: string | undefined;
    if (backup) {
      const parts = [`${backup.kind}${backup.role ? ` ${backup.role}` : ''}`];
      if (backup.xactSeconds !== null) parts.push(`running ${formatSeconds(backup.xactSeconds)}`);
      if (backup.relationsTotal) parts.push(`holds ${backup.relationsTotal} table(s)`);
      if (backup.copy) parts.push(`copying ${backup.copy.relation ?? '?'} (${formatBytes(backup.copy.bytesProcessed)} so far)`);
      if (backup.basebackup) parts.push(`phase ${backup.basebackup.phase}`);
      progress = parts.join(', ');
    }
    return { kind: 'backup', endsByItself: true, progress };
  }
  const vac = snap.vacuums.find((v) => v.pid === h.pid);
  const isAutovacuum = h.backendType === 'autovacuum worker';
  if (vac || isAutovacuum || /^\s*(autovacuum:|VACUUM\b)/i.test(q)) {
    const wrap = vac?.wraparound === true || /to prevent wraparound/i.test(q);
    let progress: string | undefined;
    if (vac) {
      const parts: string[] = [];
      if (vac.phase) parts.push(vac.phase);
      if (vac.percent !== null) parts.push(`${Math.round(vac.percent)} %`);
      if (vac.runningSeconds !== null) parts.push(`running ${formatSeconds(vac.runningSeconds)}`);
      progress = parts.join(', ') || undefined;
    }
    const auto = vac?.auto === true || isAutovacuum || /^\s*autovacuum:/i.test(q);
    return { kind: wrap ? 'wraparound-vacuum' : 'vacuum', endsByItself: true, progress, ...(!wrap && auto ? { yields: true } : {}) };
  }
  const build = snap.indexBuilds.find((b) => b.pid === h.pid);
  if (build) {
    const parts = [build.command ?? 'index build', build.phase ?? '', build.percent !== null ? `${Math.round(build.percent)} %` : ''].filter(Boolean);
    return { kind: 'session', endsByItself: true, progress: parts.join(', ') };
  }
  const state = h.state ?? '';
  if (state.startsWith('idle in transaction')) return { kind: 'transaction', endsByItself: false };
  if ((h.xactSeconds ?? 0) >= LONG_TRANSACTION_SECONDS) return { kind: 'transaction', endsByItself: true };
  return { kind: 'session', endsByItself: true };
}

/** What to do about one conflict, in one sentence. */
export function adviceFor(c: Conflict): string {
  const who = c.pid === 0 ? `prepared transaction '${c.gid ?? '?'}'` : `pid ${c.pid}`;
  switch (c.kind) {
    case 'backup':
      return `wait until the backup (${who}${c.application ? `, ${c.application}` : ''}) ends${c.progress ? ` — ${c.progress}` : ''}, or schedule the migration outside the backup window`;
    case 'wraparound-vacuum':
      return `the anti-wraparound autovacuum (${who}) will not yield and must not be cancelled: wait for it to finish${c.progress ? ` (${c.progress})` : ''}`;
    case 'vacuum':
      return `the autovacuum (${who}) yields after deadlock_timeout once a conflicting lock waits: run with lock_timeout and retry${c.progress ? ` (${c.progress})` : ''}`;
    case 'prepared':
      return `resolve the orphaned prepared transaction: COMMIT PREPARED '${c.gid ?? '?'}' or ROLLBACK PREPARED '${c.gid ?? '?'}'`;
    case 'transaction':
      return c.state?.startsWith('idle in transaction')
        ? `${who} (${c.application || 'no application name'}) is idle in transaction${c.ageSeconds !== null ? ` for ${formatSeconds(c.ageSeconds)}` : ''} and will not end by itself: have its owner end it, or SELECT pg_terminate_backend(${c.pid})`
        : `${who} (${c.application || 'no application name'}) is a long transaction${c.ageSeconds !== null ? ` (${formatSeconds(c.ageSeconds)})` : ''}: wait for it, or SELECT pg_cancel_backend(${c.pid})`;
    default:
      return `${who} (${c.application || 'no application name'}) is using ${c.relation}${c.progress ? ` (${c.progress})` : ''}: retry when it is done`;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// per-statement pieces

/** The locks a statement needs on relations that exist before the migration, completed with what the target knows. */
export function liveLocks(s: StatementInfo, live: LiveRelations): PreflightLock[] {
  const out = new Map<string, PreflightLock>();
  const add = (l: PreflightLock) => {
    const prev = out.get(l.relation);
    if (!prev) out.set(l.relation, l);
    else prev.mode = stronger(prev.mode, l.mode);
  };
  for (const l of s.locks) {
    if (l.createdInMigration) continue;
    const rel = live.relations.get(l.relation);
    const name = rel?.qualified ?? l.relation;
    add({ relation: name, mode: l.mode, implicit: l.implicit, reason: l.reason });
    // DROP INDEX (not CONCURRENTLY) also takes AccessExclusiveLock on the index's table, which the analyzer only
    // knows when the index is in its schema model; the target knows.
    if (rel?.relkind === 'i' && rel.table && l.mode === 'AccessExclusiveLock' && !s.locks.some((x) => x.relation === rel.table)) {
      add({ relation: rel.table, mode: 'AccessExclusiveLock', implicit: true, reason: 'table of a dropped index' });
    }
  }
  return [...out.values()];
}

/** Sessions holding or awaiting a lock that conflicts with one this statement needs. */
export function findConflicts(locks: PreflightLock[], live: LiveRelations, snap: Pick<Snapshot, 'backups' | 'vacuums' | 'indexBuilds'>): Conflict[] {
  const out = new Map<string, Conflict>();
  for (const need of locks) {
    for (const l of live.locks) {
      if (l.relation !== need.relation || !isLockMode(l.mode) || !conflicts(need.mode, l.mode)) continue;
      const key = `${l.pid}:${l.gid ?? ''}:${l.relation}`;
      const prev = out.get(key);
      if (prev && (!prev.waiting || !l.granted)) continue; // a granted lock says more than a request
      const cls = classifyHolder(l, snap);
      out.set(key, {
        pid: l.pid, kind: cls.kind, mode: l.mode, relation: l.relation, application: l.application, needs: need.mode,
        waiting: !l.granted, ...(l.gid ? { gid: l.gid } : {}), state: l.state, query: l.query,
        ageSeconds: l.xactSeconds, endsByItself: cls.endsByItself, ...(cls.progress ? { progress: cls.progress } : {}),
        ...(cls.yields && l.granted ? { yields: true } : {}),
      });
    }
  }
  const order: Record<ConflictKind, number> = { prepared: 0, transaction: 1, 'wraparound-vacuum': 2, backup: 3, vacuum: 4, session: 5 };
  return [...out.values()].sort((a, b) => Number(a.waiting) - Number(b.waiting) || order[a.kind] - order[b.kind] || a.pid - b.pid);
}

/** The bands are deliberately wide: disks, cache and concurrent load differ by an order of magnitude. */
const REWRITE_BYTES_PER_S = { fast: 200e6, slow: 20e6 };
const SCAN_BYTES_PER_S = { fast: 1e9, slow: 100e6 };

export function estimateDuration(sizes: SizeEstimate[], indexCount = 0): DurationEstimate | null {
  if (sizes.length === 0) return null;
  let low = 0;
  let high = 0;
  for (const s of sizes) {
    const r = s.operation === 'rewrite' ? REWRITE_BYTES_PER_S : SCAN_BYTES_PER_S;
    // a rewrite also rebuilds every index: count them as a third of the table each
    const factor = s.operation === 'rewrite' ? 1 + indexCount / 3 : 1;
    low += (s.bytes * factor) / r.fast;
    high += (s.bytes * factor) / r.slow;
  }
  return { lowSeconds: round(low), highSeconds: round(high), text: `~${formatSeconds(low)} – ${formatSeconds(high)}` };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function sizeOf(rel: LiveRelation, op: 'rewrite' | 'scan', blockSize: number): SizeEstimate {
  return { relation: rel.qualified, relpages: rel.relpages, bytes: rel.relpages * blockSize, rows: rel.reltuples < 0 ? null : rel.reltuples, operation: op };
}

interface IndexCreate { name: string; table: string; columns: string[]; ifNotExists: boolean; concurrently: boolean }

const IDENT = `(?:"(?:[^"]|"")+"|[A-Za-z_][\\w$]*)`;
const QNAME = `${IDENT}(?:\\s*\\.\\s*${IDENT})?`;
const CREATE_INDEX_RE = new RegExp(`^\\s*CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(CONCURRENTLY\\s+)?(IF\\s+NOT\\s+EXISTS\\s+)?(${QNAME})\\s+ON\\s+(?:ONLY\\s+)?(${QNAME})\\s*(?:USING\\s+\\w+\\s*)?\\(([^)]*)`, 'i');
const DROP_INDEX_RE = new RegExp(`^\\s*DROP\\s+INDEX\\s+(CONCURRENTLY\\s+)?(IF\\s+EXISTS\\s+)?(${QNAME}(?:\\s*,\\s*${QNAME})*)`, 'i');

function unquote(id: string): string {
  return id.startsWith('"') ? id.slice(1, -1).replace(/""/g, '"') : id.toLowerCase();
}
function splitQName(q: string): string[] {
  return (q.match(new RegExp(IDENT, 'g')) ?? []).map(unquote);
}
function qualify(q: string, schemaOf?: string): string {
  const parts = splitQName(q);
  const quote = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
  if (parts.length >= 2) return parts.map(quote).join('.');
  return `${quote(schemaOf ?? 'public')}.${quote(parts[0] ?? '')}`;
}

/** CREATE INDEX … name ON table (col, …): read from the statement text (only what the index-swap check needs). */
export function parseCreateIndex(text: string): IndexCreate | undefined {
  const m = CREATE_INDEX_RE.exec(text.replace(/^(\s*--[^\n]*\n)+/, ''));
  if (!m) return undefined;
  const table = qualify(m[4]);
  const schema = splitQName(table)[0];
  const columns = m[5].split(',').map((c) => c.trim().split(/\s+/)[0]).filter(Boolean).map(unquote);
  return { name: qualify(m[3], schema), table, columns, ifNotExists: !!m[2], concurrently: !!m[1] };
}

export function parseDropIndex(text: string): { names: string[]; concurrently: boolean } | undefined {
  const m = DROP_INDEX_RE.exec(text.replace(/^(\s*--[^\n]*\n)+/, ''));
  if (!m) return undefined;
  return { names: m[3].split(',').map((n) => qualify(n.trim())), concurrently: !!m[1] };
}

/** The relation names the live question must resolve: every lock target, plus indexes a statement creates. */
export function relationsToAsk(files: AnalyzedFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    for (const s of f.statements) {
      for (const l of s.locks) if (!l.createdInMigration) out.add(l.relation);
      for (const r of [...s.rewrites, ...s.scans]) out.add(r);
      const ci = parseCreateIndex(s.text);
      if (ci) { out.add(ci.name); out.add(ci.table); }
      const di = parseDropIndex(s.text);
      if (di) di.names.forEach((n) => out.add(n));
    }
  }
  return [...out];
}

// ---------------------------------------------------------------------------------------------------------------------
// the whole evaluation

interface Issue { check: CheckId; status: CheckStatus; message: string }

export function evaluate(input: EvaluateInput): PreflightReport {
  const { snapshot: snap, live } = input;
  const c = snap.connections;
  const headroom = c.max - c.reservedSuperuser - c.reserved - c.used;
  const issues: Issue[] = [];
  const statements: StatementReport[] = [];
  const notes: string[] = [];
  const missing = new Set<string>();
  const droppedEarlier = new Set<string>();
  const createdEarlier: IndexCreate[] = [];
  const touchedTables = new Set<string>();
  let anyConflict = false;
  let costMessages: string[] = [];

  const deadlockTimeout = snap.server.settings.deadlock_timeout ? `${snap.server.settings.deadlock_timeout}${/^\d+$/.test(snap.server.settings.deadlock_timeout) ? ' ms' : ''}` : '1 s by default';
  const pinned = snap.xminHolders.filter((h) => h.holdsBack === 'all' && (
    h.kind === 'prepared' || h.kind === 'slot' || h.kind === 'standby' ||
    (h.state ?? '').startsWith('idle in transaction') || (h.seconds ?? 0) >= LONG_TRANSACTION_SECONDS));

  for (const f of input.files) {
    for (const s of f.statements) {
      const locks = liveLocks(s, live);
      const reasons: string[] = [];
      let verdict: Verdict = 'go';
      const fail = (check: CheckId, message: string) => { issues.push({ check, status: 'fail', message }); reasons.push(message); verdict = 'no-go'; };
      const warn = (check: CheckId, message: string) => { issues.push({ check, status: 'warn', message }); reasons.push(message); };
      for (const l of locks) {
        const rel = live.relations.get(l.relation);
        if (!rel) missing.add(l.relation);
        else if (rel.relkind === 'r' || rel.relkind === 'p' || rel.relkind === 'm') touchedTables.add(rel.qualified);
      }

      // (1) lock conflicts now
      const found = findConflicts(locks, live, snap);
      const lockTimeoutMs = parseTimeoutMs(s.lockTimeout);
      const hasLockTimeout = lockTimeoutMs !== null || (s.lockTimeout === null && !!input.assumeLockTimeout);
      if (found.length) anyConflict = true;
      for (const cf of found) {
        const who = cf.pid === 0 ? `prepared transaction '${cf.gid ?? '?'}'` : `pid ${cf.pid}`;
        const what = `${cf.waiting ? 'a request queued ahead' : cf.kind === 'backup' ? 'a backup' : cf.kind === 'wraparound-vacuum' ? 'an anti-wraparound autovacuum' : cf.kind === 'vacuum' ? 'an autovacuum' : cf.kind === 'prepared' ? 'a prepared transaction' : cf.kind === 'transaction' ? 'a transaction' : 'a session'}`;
        const head = `${sqlModeName(cf.needs as LockMode)} on ${cf.relation} conflicts with ${cf.mode}${cf.waiting ? ' (waiting)' : ''} of ${what}: ${who}${cf.application ? ` (${cf.application})` : ''}${cf.ageSeconds !== null ? `, ${formatSeconds(cf.ageSeconds)} old` : ''}`;
        if (cf.yields) {
          const msg = `${head}. The server cancels a regular autovacuum after deadlock_timeout (${deadlockTimeout}) once this statement waits for it, so the wait is short — ${adviceFor(cf)}`;
          issues.push({ check: 'lock-conflicts', status: 'warn', message: msg });
          reasons.push(msg);
          verdict = worse(verdict, 'wait');
        } else if (!hasLockTimeout) {
          fail('lock-conflicts', `${head}. Without lock_timeout the statement waits until it ends, and every query on ${cf.relation} queues behind it — add SET lock_timeout = '2s' before it and retry; ${adviceFor(cf)}`);
        } else if (!cf.endsByItself) {
          fail('lock-conflicts', `${head}. It will not end by itself, so the statement can only time out — ${adviceFor(cf)}`);
        } else {
          const msg = `${head}. With lock_timeout ${s.lockTimeout ?? '(set by the runner)'} the statement gives up instead of blocking — ${adviceFor(cf)}`;
          issues.push({ check: 'lock-conflicts', status: 'warn', message: msg });
          reasons.push(msg);
          verdict = worse(verdict, 'wait');
        }
      }

      // (2) queue pile-up forecast, for each strong lock that would wait
      for (const l of locks) {
        const held = found.filter((x) => x.relation === l.relation && x.needs === l.mode && !x.yields);
        if (!held.length || !blocksTraffic(l.mode)) continue;
        const users = new Set(live.locks.filter((x) => x.relation === l.relation).map((x) => `${x.pid}:${x.gid ?? ''}`)).size;
        const queued = live.locks.filter((x) => x.relation === l.relation && !x.granted).length;
        const blocked = blocks(l.mode).reads ? 'reads and writes' : 'writes';
        const base = `${sqlModeName(l.mode)} on ${l.relation} would wait behind ${held.map((x) => (x.pid === 0 ? `'${x.gid}'` : `pid ${x.pid}`)).join(', ')}; while it waits, ${blocked} on ${l.relation} queue behind it. ${users} session(s) use ${l.relation} now${queued ? ` (${queued} already waiting)` : ''}, ${Math.max(0, headroom)} connection slot(s) are free (max_connections ${c.max}, ${c.used} used, ${c.reservedSuperuser + c.reserved} reserved)`;
        if (!hasLockTimeout) {
          fail('queue-forecast', `${base}; without lock_timeout nothing bounds the queue and the pool runs out — set lock_timeout (e.g. '2s') and retry in a loop`);
        } else if (users >= headroom) {
          warn('queue-forecast', `${base}; for up to ${s.lockTimeout ?? 'the runner\'s lock_timeout'} new queries queue, and the free slots may not last that long — use a shorter lock_timeout (e.g. '500ms') or run when traffic is low`);
        } else {
          issues.push({ check: 'queue-forecast', status: 'pass', message: `${base}; lock_timeout ${s.lockTimeout ?? '(runner)'} bounds the queue` });
        }
      }

      // (3) cost on this target
      const sizes: SizeEstimate[] = [];
      let indexCount = 0;
      for (const r of s.rewrites) {
        const rel = live.relations.get(r);
        if (rel && !s.locks.some((x) => x.relation === r && x.createdInMigration)) {
          sizes.push(sizeOf(rel, 'rewrite', live.blockSize));
          indexCount += rel.indexes.length;
        }
      }
      for (const r of s.scans) {
        const rel = live.relations.get(r);
        if (rel && !sizes.some((x) => x.relation === rel.qualified) && !s.locks.some((x) => x.relation === r && x.createdInMigration)) sizes.push(sizeOf(rel, 'scan', live.blockSize));
      }
      // the analyzer lists the rebuilt indexes itself when it knows them: do not count them twice
      if (s.rewrites.some((r) => live.relations.get(r)?.relkind === 'i')) indexCount = 0;
      const estimate = estimateDuration(sizes, indexCount);
      if (estimate && sizes.length) {
        const strongest = locks.filter((l) => sizes.some((z) => z.relation === l.relation)).map((l) => l.mode).reduce<LockMode | undefined>((a, b) => (a ? stronger(a, b) : b), undefined);
        const desc = sizes.map((z) => `${z.operation === 'rewrite' ? 'rewrites' : 'scans'} ${z.relation} (${formatBytes(z.bytes)}, ${formatRows(z.rows)})`).join(', ');
        const stMs = parseTimeoutMs(s.statementTimeout);
        const msg = `${desc}: ${estimate.text}${strongest ? ` under ${strongest}` : ''}`;
        costMessages.push(`#${s.index + 1} ${msg}`);
        if (stMs !== null && estimate.highSeconds * 1000 > stMs) {
          warn('cost', `${msg}, which may exceed statement_timeout ${s.statementTimeout} — raise statement_timeout for this statement only, or make the change in batches`);
        } else if (strongest && blocksTraffic(strongest) && estimate.highSeconds >= 1 && sizes.some((z) => z.operation === 'rewrite')) {
          warn('cost', `${msg}: ${blocks(strongest).reads ? 'reads and writes' : 'writes'} on the table stop for that long — prefer an online alternative (new column + batched backfill) or a maintenance window`);
        }
      }

      // (4) vacuum and horizon: backfills while the xmin horizon is pinned
      // a backfill: a whole-table UPDATE/DELETE, one on a large table, or INSERT … SELECT
      const big = s.locks.some((l) => (live.relations.get(l.relation)?.reltuples ?? 0) >= BULK_ROWS);
      const bulk = ((s.kind === 'UpdateStmt' || s.kind === 'DeleteStmt') && (!/\bWHERE\b/i.test(s.text) || big)) ||
        (s.kind === 'InsertStmt' && /\bSELECT\b/i.test(s.text));
      if (bulk && pinned.length && s.locks.some((l) => !l.createdInMigration)) {
        const who = pinned.slice(0, 3).map((h) => `${h.kind} ${h.id}${h.application ? ` (${h.application})` : ''}${h.seconds ? `, ${formatSeconds(h.seconds)}` : ''}`).join('; ');
        fail('xmin-horizon', `this bulk ${s.kind.replace('Stmt', '').toUpperCase()} writes dead rows that VACUUM cannot remove while the xmin horizon is pinned by ${who} — release it first (${pinned[0].fix}), then backfill in batches`);
      }

      // (5) index swaps
      const ci = parseCreateIndex(s.text);
      if (ci) {
        const existing = live.relations.get(ci.name);
        if (existing && existing.relkind === 'i' && !droppedEarlier.has(existing.qualified)) {
          const idx = existing.indexes[0];
          if (idx && !idx.valid) {
            fail('index-swaps', ci.ifNotExists
              ? `index ${existing.qualified} already exists and is INVALID (an interrupted build): CREATE INDEX … IF NOT EXISTS would silently skip it and leave the table without a usable index — DROP INDEX CONCURRENTLY ${existing.qualified} first, then create it again`
              : `index ${existing.qualified} already exists and is INVALID (an interrupted build): this CREATE INDEX fails — DROP INDEX CONCURRENTLY ${existing.qualified} first`);
          } else if (!ci.ifNotExists) {
            fail('index-swaps', `index ${existing.qualified} already exists on the target: this CREATE INDEX fails — rename it, or check what was already applied`);
          }
        }
        const inflight = snap.indexBuilds.find((b) => b.index === ci.name || (b.relation === ci.table && b.command?.includes('CONCURRENTLY')));
        if (inflight) {
          const same = inflight.index === ci.name;
          const msg = `${inflight.command ?? 'an index build'} is in flight on ${inflight.relation} (pid ${inflight.pid}, ${inflight.phase ?? 'phase unknown'}${inflight.percent !== null ? `, ${Math.round(inflight.percent)} %` : ''})${same ? ` building this very index ${ci.name}` : ''} — ${same ? 'let it finish (or cancel it and DROP INDEX CONCURRENTLY the leftover) before running this' : 'two concurrent builds on one table wait for each other: run after it finishes'}`;
          if (same) fail('index-swaps', msg); else warn('index-swaps', msg);
        }
        createdEarlier.push(ci);
      }
      const di = parseDropIndex(s.text);
      if (di) {
        for (const name of di.names) {
          const rel = live.relations.get(name);
          droppedEarlier.add(rel?.qualified ?? name);
          if (!rel || rel.relkind !== 'i' || !rel.table) continue;
          const me = rel.indexes[0];
          const lead = me?.columns[0];
          const table = live.relations.get(rel.table);
          if (!me || !lead || lead === '(expression)') continue;
          if (!me.valid) continue; // dropping an invalid leftover is the fix, not a risk
          const others = (table?.indexes ?? []).filter((x) => x.name !== rel.qualified && x.valid && !x.partial && x.columns[0] === lead && !droppedEarlier.has(x.name));
          const newOnes = createdEarlier.filter((x) => x.table === rel.table && x.columns[0] === lead && !droppedEarlier.has(x.name));
          if (!others.length && !newOnes.length) {
            if (!table) notes.push(`the indexes of ${rel.table} were not read: cannot tell whether ${rel.qualified} is the only one on ${lead}`);
            else fail('index-swaps', `dropping ${rel.qualified} leaves no valid index on ${rel.table} leading with ${lead}: queries that use it fall back to scans — create the replacement first (CREATE INDEX CONCURRENTLY), check it is valid, and drop the old one in a later migration`);
          } else if (!others.length && newOnes.length) {
            issues.push({ check: 'index-swaps', status: 'pass', message: `${rel.qualified} is replaced by ${newOnes.map((x) => x.name).join(', ')} created earlier in this migration (make sure it is valid before the drop runs)` });
          }
        }
      }

      statements.push({
        index: statements.length, path: f.path, line: s.range.start.line + 1, text: s.text.replace(/\s+/g, ' ').trim().slice(0, 200),
        locks: locks.map((l) => ({ relation: l.relation, mode: l.mode, ...(l.implicit ? { implicit: true } : {}), ...(l.reason ? { reason: l.reason } : {}) })),
        conflicts: found, reasons, verdict, lockTimeout: s.lockTimeout, sizes, estimate,
      });
    }
  }

  // (4) wraparound on touched tables
  for (const t of touchedTables) {
    const rel = live.relations.get(t);
    if (!rel || rel.xidAge === null || !rel.freezeMaxAge) continue;
    const ratio = rel.xidAge / rel.freezeMaxAge;
    const running = snap.vacuums.find((v) => v.relation === rel.qualified && v.wraparound);
    if (running) {
      issues.push({ check: 'wraparound', status: 'warn', message: `an anti-wraparound autovacuum is running on ${rel.qualified} (pid ${running.pid}${running.percent !== null ? `, ${Math.round(running.percent)} %` : ''}${running.phase ? `, ${running.phase}` : ''}): it does not yield to DDL — let it finish before changing the table` });
    } else if (ratio >= FREEZE_WARN_RATIO) {
      issues.push({ check: 'wraparound', status: 'warn', message: `${rel.qualified} is at ${Math.round(ratio * 100)} % of its freeze max age (${rel.xidAge} of ${rel.freezeMaxAge} XIDs): an anti-wraparound autovacuum that will not yield to DDL ${ratio >= 1 ? 'is due now' : 'starts soon'} — run VACUUM (FREEZE) ${rel.qualified} in a quiet hour before the migration` });
    }
  }
  if (missing.size) notes.push(`not found on the target (created by an earlier migration not applied yet?): ${[...missing].slice(0, 10).join(', ')}`);

  // checks
  const titles: Record<CheckId, string> = {
    'lock-conflicts': 'lock conflicts', 'queue-forecast': 'queue pile-up forecast', cost: 'cost on this target',
    wraparound: 'wraparound', 'xmin-horizon': 'xmin horizon', 'index-swaps': 'index swaps', 'server-version': 'server version', trace: 'trace',
  };
  const checks: Check[] = [];
  const serverMajor = Math.floor(snap.server.versionNum / 10000);
  checks.push({
    id: 'server-version', status: 'pass',
    message: `PostgreSQL ${snap.server.version}: analyzed for ${input.pgVersion}${input.configuredPgVersion && input.configuredPgVersion !== input.pgVersion ? ` (the config says ${input.configuredPgVersion}; the server's version is used)` : ''}`,
  });
  for (const id of ['lock-conflicts', 'queue-forecast', 'cost', 'wraparound', 'xmin-horizon', 'index-swaps'] as CheckId[]) {
    const mine = issues.filter((i) => i.check === id);
    const status = mine.reduce<CheckStatus>((a, i) => (STATUS_RANK[i.status] > STATUS_RANK[a] ? i.status : a), 'pass');
    const bad = mine.filter((i) => i.status === status && status !== 'pass');
    let message: string;
    if (bad.length) message = bad.length === 1 ? bad[0].message : `${bad.length} problems; first: ${bad[0].message}`;
    else if (id === 'lock-conflicts') message = anyConflict ? 'conflicts found' : 'no session holds or awaits a lock that conflicts with the migration';
    else if (id === 'queue-forecast') message = mine.length ? mine[0].message : `no strong lock would wait; ${Math.max(0, headroom)} connection slot(s) free`;
    else if (id === 'cost') message = costMessages.length ? costMessages.slice(0, 3).join('; ') : 'no statement rewrites or scans a table';
    else if (id === 'wraparound') message = 'no touched table is near a forced (anti-wraparound) vacuum';
    else if (id === 'xmin-horizon') message = pinned.length ? `the xmin horizon is pinned by ${pinned[0].kind} ${pinned[0].id}, but the migration writes no bulk changes` : 'the xmin horizon is not pinned';
    else message = mine.length ? mine[0].message : 'no index swap risk';
    checks.push({ id, status, message: `${titles[id]}: ${message}` });
  }

  let verdict: Verdict = statements.reduce<Verdict>((a, s) => worse(a, s.verdict), 'go');
  if (checks.some((ch) => ch.status === 'fail')) verdict = 'no-go';
  const reasons = [
    ...issues.filter((i) => i.status === 'fail').map((i) => i.message),
    ...issues.filter((i) => i.status === 'warn' && (i.check === 'lock-conflicts')).map((i) => i.message),
  ];
  const uniqueReasons = [...new Set(reasons)];
  if (verdict === 'go') uniqueReasons.push('nothing on the target conflicts with this migration right now');
  if (serverMajor && serverMajor !== input.pgVersion) notes.push(`server major ${serverMajor} differs from the analyzed ${input.pgVersion}`);
  for (const n of snap.notes) if (n.level !== 'info') notes.push(`${n.section}: ${n.message}`);
  if (live.locksTruncated) notes.push('more locks on these relations than read; the conflicts listed are the first ones');

  return {
    verdict, statements, checks, reasons: uniqueReasons,
    server: { version: snap.server.version, versionNum: snap.server.versionNum, major: serverMajor, target: snap.server.target, database: snap.server.database },
    pgVersion: input.pgVersion, configuredPgVersion: input.configuredPgVersion ?? null,
    connections: { max: c.max, used: c.used, reserved: c.reservedSuperuser + c.reserved, headroom },
    notes, generatedAt: input.generatedAt ?? new Date().toISOString(), durationMs: input.durationMs ?? 0,
  };
}
