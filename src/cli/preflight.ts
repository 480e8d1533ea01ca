// `pg-preflight preflight`: the migration against a live target, read-only. Exit 0 go, 1 wait or no-go, 2 cannot run
// (one line, never a password). --wait SECONDS polls every 2 s until go or the time is up.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Io } from './main.js';
import { walkArgs } from './args.js';
import { makeStyle } from './text.js';
import { loadConfig, type Config } from '../config/config.js';
import { expandPaths, globToRegExp } from '../project/files.js';
import { isSslMode, redact, resolveTarget, secretsOf, TargetError, type SslMode, type Target } from '../inspector/connection.js';
import { InspectorSession } from '../inspector/inspector.js';
import { analyzeFiles, runPreflight } from '../preflight/preflight.js';
import { runTrace, traceRefusal } from '../preflight/trace.js';
import { loadSchemaDump } from '../project/lint.js';
import { formatPreflightMarkdown, formatPreflightText } from '../preflight/format.js';
import type { PreflightReport } from '../preflight/types.js';

export const PREFLIGHT_HELP = `Usage: pg-preflight preflight --db URL [--format text|json|markdown] [--wait SECONDS] [options] PATHS...

Checks migration files against what a live PostgreSQL database is doing right now, read-only: sessions holding or
awaiting locks the migration needs (backups, vacuums, long and idle transactions, prepared transactions), the lock
queue pile-up it would cause against the free connection slots, table sizes and a duration estimate, wraparound and
xmin horizon, index swaps. The migration is analyzed for the server's real major version.

Options:
  --db URL|CONNINFO        the target (default: $DATABASE_URL, then the PG* variables, ~/.pgpass and the service file)
  --format text|json|markdown
  --wait SECONDS           poll every 2 s until the verdict is go, at most SECONDS
  --config FILE            a .pgpreflight.json (default: found upward from the current folder)
  --schema FILE            a schema dump read before the migrations
  --name NAME              the target's display name
  --sslmode MODE           disable, allow, prefer (default), require, verify-ca, verify-full
  --trace                  SCRATCH DATABASES ONLY: also run each file in a transaction that is always rolled back,
                           record the locks really taken and the tables really rewritten, and report where the
                           static model disagrees. Refused unless the target is local (127.0.0.1, localhost, a Unix
                           socket) or --scratch is given. Never on production.
  --scratch                the target is a throwaway copy (allows --trace on a non-local host)

Exit status: 0 go, 1 wait or no-go, 2 the preflight cannot run (target unreachable, bad options or files).`;

export const POLL_INTERVAL_MS = 2000;
export const MAX_WAIT_SECONDS = 3600;

interface Args {
  db?: string; format: 'text' | 'json' | 'markdown'; wait: number; config?: string; schema?: string;
  name?: string; sslmode?: SslMode; paths: string[]; help: boolean; trace: boolean; scratch: boolean;
}

class PreflightUsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const a: Args = { format: 'text', wait: 0, paths: [], help: false, trace: false, scratch: false };
  walkArgs(argv, (m) => new PreflightUsageError(m), (arg, take) => {
    switch (arg) {
      case '--db': case '--url': a.db = take(); break;
      case '--format': {
        const v = take();
        if (v !== 'text' && v !== 'json' && v !== 'markdown') throw new PreflightUsageError(`--format must be text, json or markdown, got "${v}"`);
        a.format = v;
        break;
      }
      case '--wait': {
        const v = Number(take());
        if (!Number.isFinite(v) || v < 0 || v > MAX_WAIT_SECONDS) throw new PreflightUsageError(`--wait must be a number of seconds between 0 and ${MAX_WAIT_SECONDS}`);
        a.wait = v;
        break;
      }
      case '--config': a.config = take(); break;
      case '--schema': a.schema = take(); break;
      case '--name': a.name = take(); break;
      case '--sslmode': {
        const v = take();
        if (!isSslMode(v)) throw new PreflightUsageError(`--sslmode must be disable, allow, prefer, require, verify-ca or verify-full, got "${v}"`);
        a.sslmode = v;
        break;
      }
      case '--trace': a.trace = true; break;
      case '--scratch': a.scratch = true; break;
      case '--help': case '-h': a.help = true; break;
      default:
        if (arg.startsWith('-')) throw new PreflightUsageError(`unknown option ${arg} (see pg-preflight preflight --help)`);
        a.paths.push(arg);
    }
  });
  return a;
}

export async function preflightCommand(argv: string[], io: Io): Promise<number> {
  const secrets: (string | undefined)[] = [];
  const say = (s: string) => io.stderr(`pg-preflight preflight: ${redact(s, secrets)}\n`);
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    say((e as Error).message);
    return 2;
  }
  if (args.help) { io.stdout(PREFLIGHT_HELP + '\n'); return 0; }
  if (args.paths.length === 0) { say('no migration files given (see pg-preflight preflight --help)'); return 2; }

  let config: Config;
  let files: Array<{ path: string; text: string }>;
  try {
    const loaded = loadConfig(io.cwd, args.config);
    config = { ...loaded.config };
    if (args.schema !== undefined) config.schema = resolve(io.cwd, args.schema);
    const exclude = (config.exclude ?? []).map(globToRegExp);
    const paths = expandPaths(args.paths, io.cwd, exclude);
    if (paths.length === 0) { say(`no .sql file found in ${args.paths.join(' ')}`); return 2; }
    const rel = (f: string) => { const r = relative(io.cwd, f); return r.startsWith('..') ? f : r.split(sep).join('/'); };
    files = paths.map((p) => ({ path: rel(p), text: readFileSync(p, 'utf8') }));
    // earlier migrations are looked up next to each file: give the analyzer absolute paths, report relative ones
    files = files.map((f, i) => ({ ...f, absolute: paths[i] })) as typeof files;
  } catch (e) {
    say((e as Error).message);
    return 2;
  }

  let target: Target;
  try {
    target = resolveTarget({ db: args.db, name: args.name, sslmode: args.sslmode, readOnly: true },
      { env: io.env, homeDir: io.env.HOME ?? os.homedir() });
  } catch (e) {
    say(e instanceof TargetError ? e.message : `invalid connection options: ${(e as Error).message}`);
    return 2;
  }
  secrets.push(...secretsOf(target));
  // refused before anything connects: the trace is the one path that runs statements
  if (args.trace) {
    const refusal = traceRefusal(target, args.scratch);
    if (refusal) { say(refusal); return 2; }
  }

  const session = new InspectorSession(target, { slowSectionsMaxAgeMs: 0 });
  const deadline = Date.now() + args.wait * 1000;
  let report: PreflightReport | undefined;
  let polls = 0;
  try {
    for (;;) {
      polls++;
      const r = await runPreflight({
        files: files.map((f) => ({ path: (f as { absolute?: string }).absolute ?? f.path, text: f.text })),
        config, session,
      });
      if (!r.ok) {
        say(`cannot run against ${target.name}: ${r.error.message}`);
        return 2;
      }
      report = r.value;
      // back to the paths as the user typed them
      const shown = new Map(files.map((f) => [(f as { absolute?: string }).absolute ?? f.path, f.path]));
      for (const s of report.statements) s.path = shown.get(s.path) ?? s.path;
      if (report.verdict === 'go' || args.wait <= 0 || Date.now() + POLL_INTERVAL_MS > deadline) break;
      if (args.format === 'text') io.stderr(`pg-preflight preflight: ${report.verdict}, polling again in ${POLL_INTERVAL_MS / 1000} s (until ${Math.ceil((deadline - Date.now()) / 1000)} s are up)\n`);
      await sleep(POLL_INTERVAL_MS);
    }
    if (args.trace) {
      const analyzed = analyzeFiles(files.map((f) => ({ path: (f as { absolute?: string }).absolute ?? f.path, text: f.text })), config, report.pgVersion, loadSchemaDump(config.schema));
      if (!analyzed.ok) { say(analyzed.error.message); return 2; }
      const tr = await runTrace(target, analyzed.value, { scratch: args.scratch });
      if (!tr.ok) { say(`cannot trace on ${target.name}: ${tr.error.message}`); return 2; }
      const shown = new Map(files.map((f) => [(f as { absolute?: string }).absolute ?? f.path, f.path]));
      for (const s of tr.value.statements) s.path = shown.get(s.path) ?? s.path;
      report.trace = tr.value;
      const diffs = tr.value.statements.flatMap((s) => s.differences.map((d) => `#${s.index + 1} ${d}`));
      report.checks.push({ id: 'trace', status: diffs.length ? 'warn' : 'pass',
        message: diffs.length ? `trace: the static model disagrees with the server on ${diffs.length} point(s): ${diffs.slice(0, 3).join('; ')}`
          : `trace: ${tr.value.statements.filter((s) => !s.skipped && !s.error).length} statement(s) run and rolled back; locks and rewrites as the model says` });
      for (const s of tr.value.statements) {
        const st = report.statements.find((x) => x.index === s.index);
        if (st) for (const d of s.differences) st.reasons.push(`trace: ${d}`);
      }
    }
  } catch (e) {
    say(`internal error: ${String((e as Error)?.message ?? e)} (please report this)`);
    return 2;
  } finally {
    await session.close();
  }
  const out = args.format === 'json'
    ? JSON.stringify({ ...report, polls }, null, 2) + '\n'
    : args.format === 'markdown' ? formatPreflightMarkdown(report) + '\n'
      : formatPreflightText(report, makeStyle(io.isTTY && !io.env.NO_COLOR));
  io.stdout(redact(out));
  return report.verdict === 'go' ? 0 : 1;
}
