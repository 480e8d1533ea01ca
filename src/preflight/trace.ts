// --trace: the one preflight path that RUNS the migration, on a scratch database only. Each file runs inside one
// transaction that is always rolled back; after every statement it records the relation locks its own backend holds
// (pg_locks for pg_backend_pid()) and whether a table got a new relfilenode (a rewrite), and compares that with the
// static model. A separate, explicit connection that is NOT read-only: refused unless the target is local
// (127.0.0.1, ::1, localhost, a Unix socket) or the caller marks it scratch.
import pg from 'pg';
import type { StatementInfo } from '../analyzer/analyze.js';
import { isLockMode, stronger } from '../analyzer/locks.js';
import type { LockMode } from '../analyzer/types.js';
import { describeError, redact, secretsOf, targetPassword, tlsAttempts, type Target } from '../inspector/connection.js';
import { fail, ok, type Result } from '../inspector/types.js';
import type { AnalyzedFile } from './evaluate.js';

export interface TraceStatement {
  /** the statement's index in the preflight report */
  index: number;
  path: string;
  line: number;
  /** strongest mode per user relation this statement added to its transaction's locks */
  observed: Array<{ relation: string; mode: string }>;
  /** tables (and indexes) whose relfilenode changed during the statement */
  rewritten: string[];
  /** where the static model disagrees with what the server did */
  differences: string[];
  skipped?: string;
  error?: string;
}

export interface TraceReport {
  target: string;
  statements: TraceStatement[];
  agrees: boolean;
}

export function isLocalTarget(t: Pick<Target, 'host'>): boolean {
  const h = t.host.trim().toLowerCase();
  return h.startsWith('/') || h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Why a trace is refused on this target, or undefined when it may run. */
export function traceRefusal(t: Target, scratch: boolean): string | undefined {
  if (scratch || isLocalTarget(t)) return undefined;
  return `--trace runs the migration (always rolled back) and is refused on ${t.name}: the target is not local ` +
    '(127.0.0.1, localhost, a Unix socket); pass --scratch if it really is a throwaway copy, never production';
}

const OWN_LOCKS_SQL = `SELECT coalesce(quote_ident(n.nspname) || '.' || quote_ident(c.relname), l.relation::text) AS relation, l.mode
  FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
    AND coalesce(n.nspname, '') NOT IN ('pg_catalog', 'information_schema') AND coalesce(n.nspname, '') !~ '^pg_toast'
    AND (c.oid IS NULL OR c.relkind IN ('r', 'p', 'i', 'I', 'm', 'S', 'v', 'f'))
  LIMIT 2000`;

const FILENODES_SQL = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS relation, c.relfilenode::bigint AS node
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.oid IN (SELECT to_regclass(x) FROM unnest($1::text[]) AS x) AND c.relkind IN ('r', 'm', 't', 'i')`;

const TRANSACTION_CONTROL = new Set(['TransactionStmt']);

function strongestByRelation(rows: Array<{ relation: string; mode: string }>): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of rows) {
    const prev = m.get(r.relation);
    m.set(r.relation, prev && isLockMode(prev) && isLockMode(r.mode) ? stronger(prev, r.mode) : prev ?? r.mode);
  }
  return m;
}

async function openWritable(t: Target): Promise<pg.Client> {
  const attempts = tlsAttempts(t);
  let last: unknown;
  for (const ssl of attempts) {
    const client = new pg.Client({
      host: t.host, port: t.port, user: t.user, database: t.database, password: targetPassword(t),
      ssl: ssl as pg.ClientConfig['ssl'], application_name: 'pg-preflight (trace)',
      connectionTimeoutMillis: t.connectTimeoutSeconds * 1000,
      options: "-c lock_timeout=2s -c statement_timeout=60s -c idle_in_transaction_session_timeout=60s",
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (e) {
      last = e;
      await client.end().catch(() => undefined);
    }
  }
  throw last;
}

/** Runs the analyzed files on a scratch target, each in a transaction that is always rolled back. */
export async function runTrace(target: Target, files: AnalyzedFile[], opts: { scratch?: boolean } = {}): Promise<Result<TraceReport>> {
  const refusal = traceRefusal(target, !!opts.scratch);
  if (refusal) return fail({ code: 'read-only', message: refusal });
  let client: pg.Client;
  try {
    client = await openWritable(target);
  } catch (e) {
    return fail(describeError(e, target));
  }
  const out: TraceStatement[] = [];
  let index = 0;
  try {
    for (const f of files) {
      await client.query('BEGIN');
      let before = new Map<string, string>();
      let broken: string | undefined;
      for (const s of f.statements) {
        const entry: TraceStatement = { index: index++, path: f.path, line: s.range.start.line + 1, observed: [], rewritten: [], differences: [] };
        out.push(entry);
        if (broken) { entry.skipped = `not run: an earlier statement failed (${broken})`; continue; }
        if (TRANSACTION_CONTROL.has(s.kind)) { entry.skipped = 'transaction control: the trace runs the whole file in one transaction'; continue; }
        if (s.effects.nonTransactional) { entry.skipped = 'cannot run inside a transaction block (CONCURRENTLY, VACUUM, …): not traced'; continue; }
        const names = [...new Set([...s.locks.map((l) => l.relation), ...s.rewrites])];
        const nodes0 = new Map((await client.query<{ relation: string; node: string }>(FILENODES_SQL, [names])).rows.map((r) => [r.relation, String(r.node)]));
        try {
          await client.query('SAVEPOINT pgpf_trace');
          await client.query(s.text);
          await client.query('RELEASE SAVEPOINT pgpf_trace');
        } catch (e) {
          entry.error = redact(String((e as Error).message ?? e), secretsOf(target));
          broken = entry.error;
          await client.query('ROLLBACK TO SAVEPOINT pgpf_trace').catch(() => undefined);
          continue;
        }
        const now = strongestByRelation((await client.query<{ relation: string; mode: string }>(OWN_LOCKS_SQL)).rows);
        for (const [rel, mode] of now) {
          const prev = before.get(rel);
          if (prev !== mode) entry.observed.push({ relation: rel, mode });
        }
        before = now;
        const nodes1 = new Map((await client.query<{ relation: string; node: string }>(FILENODES_SQL, [names])).rows.map((r) => [r.relation, String(r.node)]));
        for (const [rel, node] of nodes0) if (nodes1.has(rel) && nodes1.get(rel) !== node) entry.rewritten.push(rel);
        entry.differences = compare(s, entry);
      }
      await client.query('ROLLBACK');
    }
  } catch (e) {
    return fail(describeError(e, target, 'query'));
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
  return ok({ target: target.name, statements: out, agrees: out.every((s) => s.differences.length === 0) });
}

/** The static model against what the server did, for one statement. */
export function compare(s: StatementInfo, t: Pick<TraceStatement, 'observed' | 'rewritten'>): string[] {
  const diffs: string[] = [];
  const model = new Map<string, LockMode>();
  for (const l of s.locks) model.set(l.relation, model.has(l.relation) ? stronger(model.get(l.relation)!, l.mode) : l.mode);
  const observed = new Map(t.observed.map((o) => [o.relation, o.mode]));
  for (const [rel, mode] of model) {
    const o = observed.get(rel);
    // a lock this transaction already held in the same or a stronger mode does not show as new
    if (o === undefined) continue;
    if (o !== mode) diffs.push(`${rel}: the model says ${mode}, the server took ${o}`);
  }
  for (const [rel, mode] of observed) {
    if (!model.has(rel) && /^\d+$/.test(rel) === false) diffs.push(`${rel}: the server took ${mode}, the model has no lock on it`);
  }
  const rewrites = new Set(s.rewrites);
  for (const r of t.rewritten) if (!rewrites.has(r)) diffs.push(`${r} was rewritten (new relfilenode), the model says it is not`);
  for (const r of rewrites) {
    if (!t.rewritten.includes(r) && s.locks.some((l) => l.relation === r && !l.createdInMigration)) diffs.push(`the model says ${r} is rewritten, its relfilenode did not change`);
  }
  return diffs;
}
