// The hook through which a connected target database adds live facts to the hover: who holds locks that conflict
// with the statement's right now, and table size estimates. NoLiveInfo is the provider while no target is connected
// (the hover shows how to connect); SnapshotLiveInfo is the connected one (connection.ts creates it).
import type * as vscode from 'vscode';
import type { StatementInfo } from '../analyzer/analyze.js';
import { conflicts } from '../analyzer/locks.js';
import { LOCK_MODES, type LockMode } from '../analyzer/types.js';
import type { Snapshot } from '../inspector/types.js';

export interface LiveFact {
  /** What the fact is about: a relation (`public.articles`) or the whole target. */
  subject: string;
  /** One line of markdown: "3 sessions hold AccessShareLock (oldest 41 min)". */
  text: string;
  severity?: 'info' | 'warning' | 'error';
}

export interface LiveInfo {
  /** The target's display name (never a URL with a password). */
  target: string;
  /** When the snapshot was taken. */
  at: Date;
  facts: LiveFact[];
}

export interface LiveInfoProvider {
  /** The connected target's name, or undefined when none is connected. */
  readonly targetName: string | undefined;
  /** Live facts about the relations this statement locks; undefined when there is nothing to say (or no target). */
  liveInfo(statement: StatementInfo, document: vscode.TextDocument, token: vscode.CancellationToken): Promise<LiveInfo | undefined>;
}

/** The provider until a target can be connected: no target, no facts. */
export class NoLiveInfo implements LiveInfoProvider {
  readonly targetName = undefined;
  async liveInfo(): Promise<LiveInfo | undefined> { return undefined; }
}

export function liveMarkdown(info: LiveInfo | undefined, targetName: string | undefined): string {
  if (!info) {
    return targetName
      ? `*Live data from ${targetName}: nothing to report for these tables.*`
      : '*Live data: no target database connected.* [Connect…](command:pgPreflight.connect "Connect a target database")';
  }
  const lines = [`**Live** · ${info.target} · ${info.at.toLocaleTimeString()}`];
  for (const f of info.facts) lines.push(`- ${f.subject}: ${f.text}`);
  return lines.join('\n');
}

/** A read-only query on the connected target's inspector connection (bound parameters only). */
export interface LiveQueryClient {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

interface SizeRow { rel: string; relpages: number | null; reltuples: number | null; block_size: number }
interface HolderRow { rel: string; pid: number | null; mode: string; application: string | null; xact_seconds: number | null; gid: string | null }

// Relation names are bound as text and resolved with to_regclass() (no identifier is ever spliced into SQL). Sizes
// come from relpages/reltuples (pg_relation_size() would queue behind a waiting AccessExclusiveLock).
const SIZES_SQL = `SELECT r AS rel, c.relpages::float8 AS relpages, c.reltuples::float8 AS reltuples,
  current_setting('block_size')::int AS block_size
FROM unnest($1::text[]) AS r LEFT JOIN pg_class c ON c.oid = to_regclass(r)`;
const HOLDERS_SQL = `SELECT r AS rel, l.pid, l.mode, a.application_name AS application,
  extract(epoch FROM now() - a.xact_start)::float8 AS xact_seconds, p.gid
FROM unnest($1::text[]) AS r
JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = to_regclass(r) AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
LEFT JOIN pg_stat_activity a ON a.pid = l.pid
LEFT JOIN pg_prepared_xacts p ON l.pid IS NULL AND p.transaction::text = split_part(l.virtualtransaction, '/', 2)
WHERE l.granted AND l.pid IS DISTINCT FROM pg_backend_pid()
ORDER BY a.xact_start NULLS LAST
LIMIT 200`;

function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n < 10 && i ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

function count(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n));
}

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  return s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`;
}

const isMode = (m: string): m is LockMode => (LOCK_MODES as readonly string[]).includes(m);

/**
 * Live facts for a statement's relations from the connected target: the size estimate and who holds a lock that
 * conflicts with the statement's right now (and the lock queue of the last snapshot, when there is one).
 */
export class SnapshotLiveInfo implements LiveInfoProvider {
  constructor(readonly targetName: string, private readonly snapshot: () => Snapshot | undefined, private readonly client: LiveQueryClient) {}

  async liveInfo(statement: StatementInfo, _doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<LiveInfo | undefined> {
    const locks = new Map<string, LockMode>();
    for (const l of statement.locks) {
      if (l.createdInMigration) continue;
      const prev = locks.get(l.relation);
      if (!prev || LOCK_MODES.indexOf(l.mode) > LOCK_MODES.indexOf(prev)) locks.set(l.relation, l.mode);
    }
    if (locks.size === 0) return undefined;
    const rels = [...locks.keys()].slice(0, 20);
    const facts: LiveFact[] = [];
    let sizes: SizeRow[] = [];
    let holders: HolderRow[] = [];
    try {
      sizes = (await this.client.query<SizeRow>(SIZES_SQL, [rels])).rows;
      if (token.isCancellationRequested) return undefined;
      holders = (await this.client.query<HolderRow>(HOLDERS_SQL, [rels])).rows;
    } catch (e) {
      facts.push({ subject: this.targetName, text: `live query failed: ${(e as Error).message}`, severity: 'warning' });
    }
    const snap = this.snapshot();
    for (const rel of rels) {
      const mode = locks.get(rel)!;
      const size = sizes.find((s) => s.rel === rel);
      if (size && size.relpages !== null) {
        const tuples = size.reltuples !== null && size.reltuples >= 0 ? `~${count(size.reltuples)} rows` : 'never analyzed';
        facts.push({ subject: `\`${rel}\``, text: `~${bytes(size.relpages * size.block_size)} (${size.relpages} pages), ${tuples} — estimate from pg_class` });
      } else if (size) {
        facts.push({ subject: `\`${rel}\``, text: 'not found on the target', severity: 'info' });
      }
      const conflicting = holders.filter((h) => h.rel === rel && isMode(h.mode) && conflicts(mode, h.mode));
      if (conflicting.length) {
        const list = conflicting.slice(0, 5).map((h) => h.pid === null
          ? `prepared transaction ${h.gid ?? '?'} (${h.mode})`
          : `pid ${h.pid}${h.application ? ` (${h.application})` : ''} ${h.mode}${h.xact_seconds !== null ? `, in transaction ${duration(h.xact_seconds)}` : ''}`);
        const more = conflicting.length > 5 ? `, … ${conflicting.length - 5} more` : '';
        facts.push({ subject: `\`${rel}\``, text: `**${conflicting.length} conflicting lock(s) held right now** (your ${mode} would wait): ${list.join('; ')}${more}`, severity: 'error' });
      } else if (!facts.some((f) => f.text.startsWith('live query failed'))) {
        facts.push({ subject: `\`${rel}\``, text: `no lock conflicting with ${mode} is held right now` });
      }
      const queue = snap?.lockQueues.find((q) => q.relation === rel);
      if (queue && queue.waitersTotal > 0) {
        facts.push({ subject: `\`${rel}\``, text: `${queue.waitersTotal} session(s) already waiting in its lock queue`, severity: 'warning' });
      }
    }
    return { target: this.targetName, at: new Date(), facts };
  }
}
