// The command line: the only place that knows argv, stdout and exit codes. Every command is a thin shell over the core.
import { readFileSync } from 'node:fs';
import { resolve, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadParser } from '../analyzer/parse.js';
import { allRules } from '../analyzer/registry.js';
import { docsUrl } from '../analyzer/rule.js';
import { isRunnerName } from '../analyzer/runners.js';
import { DEFAULT_PG_VERSION } from '../analyzer/analyze.js';
import { loadConfig, ConfigError, SUPPORTED_PG_VERSIONS, type Config } from '../config/config.js';
import { expandPaths, globToRegExp, InputError } from '../project/files.js';
import { lintText, loadSchemaDump, SchemaFileError } from '../project/lint.js';
import { lintFilesParallel } from '../project/parallel.js';
import { displayPath, joinJson, renderJsonFile, type RenderedFile } from '../project/json-output.js';
import { toJson, toSarif, toGithub, type FileReport } from '../report/lint-report.js';
import { formatText, makeStyle } from './text.js';
import { VERSION } from '../version.js';
import { walkArgs } from './args.js';

export class UsageError extends Error {}

export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  readStdin(): Promise<string>;
  cwd: string;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** The worker threads' script for linting many files (default: the CLI bundle itself; tests pass lint-worker.ts). */
  lintWorkerScript?: string | URL;
  /** Writes UTF-8 bytes to stdout (large JSON output); without it they are decoded and passed to stdout(). */
  stdoutBytes?(b: Uint8Array): void;
}

const HELP = `pg-preflight ${VERSION} — stops PostgreSQL migrations from taking production down

Usage:
  pg-preflight lint [options] PATHS...     lint migration files, folders or globs ('-' reads stdin)
  pg-preflight lint --list-rules           list every rule with its default severity
  pg-preflight inspect [--db URL] [--format text|json]
                                           one read-only snapshot of a live database: blocking, lock queues,
                                           backups, vacuum and wraparound, xmin horizon, connections
                                           (pg-preflight inspect --help)
  pg-preflight preflight --db URL [--format text|json] [--wait SECONDS] PATHS...
                                           check a migration against a live target (pg-preflight preflight --help)
  pg-preflight --version | --help

lint options:
  --format text|json|sarif|github          output format (default text)
  --pg-version N                           target PostgreSQL major, 13–18 (default: config, else ${DEFAULT_PG_VERSION})
  --runner NAME                            psql, flyway, golang-migrate, prisma, node-pg-migrate, rails, django, alembic, sqitch, liquibase
  --assume-in-transaction                  the whole file runs in one transaction
  --no-assume-in-transaction               each statement runs on its own (autocommit)
  --config FILE                            a .pgpreflight.json (default: found upward from the current folder)
  --schema FILE                            a schema dump (pg_dump --schema-only, structure.sql) read before the migrations
  --no-earlier-migrations                  do not read the earlier migrations of each file's folder into the schema
  --fail-on error|warning                  exit 1 when a finding at or above this severity exists (default error)
  --stdin-filepath PATH                    the path to report for '-'
  --verbose                                show every statement, not only those with findings

Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error.`;

interface LintArgs {
  format: 'text' | 'json' | 'sarif' | 'github';
  pgVersion?: number; runner?: string; assumeInTransaction?: boolean; config?: string; schema?: string;
  failOn: 'error' | 'warning'; paths: string[]; listRules: boolean; stdinPath?: string; verbose: boolean; earlier?: boolean;
}

function parseLintArgs(argv: string[]): LintArgs {
  const a: LintArgs = { format: 'text', failOn: 'error', paths: [], listRules: false, verbose: false };
  walkArgs(argv, (m) => new UsageError(m), (arg, take) => {
    switch (arg) {
      case '--format': { const v = take(); if (!['text', 'json', 'sarif', 'github'].includes(v)) throw new UsageError(`--format must be text, json, sarif or github, got "${v}"`); a.format = v as LintArgs['format']; break; }
      case '--pg-version': { const v = Number(take()); if (!SUPPORTED_PG_VERSIONS.includes(v as 13)) throw new UsageError(`--pg-version must be one of ${SUPPORTED_PG_VERSIONS.join(', ')}`); a.pgVersion = v; break; }
      case '--runner': { const v = take(); if (!isRunnerName(v)) throw new UsageError(`unknown --runner "${v}"`); a.runner = v; break; }
      case '--assume-in-transaction': a.assumeInTransaction = true; break;
      case '--no-assume-in-transaction': a.assumeInTransaction = false; break;
      case '--config': a.config = take(); break;
      case '--schema': a.schema = take(); break;
      case '--fail-on': { const v = take(); if (v !== 'error' && v !== 'warning') throw new UsageError('--fail-on must be error or warning'); a.failOn = v; break; }
      case '--stdin-filepath': a.stdinPath = take(); break;
      case '--list-rules': a.listRules = true; break;
      case '--verbose': case '-v': a.verbose = true; break;
      case '--no-earlier-migrations': a.earlier = false; break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg} (see pg-preflight --help)`);
        a.paths.push(arg);
    }
  });
  return a;
}

export async function run(argv: string[], io: Io): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') { io.stdout(HELP + '\n'); return cmd ? 0 : 2; }
    if (cmd === '--version' || cmd === '-V') { io.stdout(VERSION + '\n'); return 0; }
    if (cmd === 'lint') return await lint(parseLintArgs(rest), io);
    // Loaded on use: they bring pg, net, tls, crypto… which `lint` never needs (start-up time).
    if (cmd === 'inspect') return await (await import('./inspect.js')).inspectCommand(rest, io);
    if (cmd === 'preflight') return await (await import('./preflight.js')).preflightCommand(rest, io);
    throw new UsageError(`unknown command "${cmd}" (commands: lint, inspect; see pg-preflight --help)`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof InputError || e instanceof SchemaFileError) {
      io.stderr(`pg-preflight: ${e.message}\n`);
      return 2;
    }
    io.stderr(`pg-preflight: internal error: ${(e as Error)?.message ?? e} (please report this)\n`);
    return 2;
  }
}

async function lint(a: LintArgs, io: Io): Promise<number> {
  if (a.listRules) {
    for (const r of allRules) io.stdout(`${r.id.padEnd(48)} ${r.optIn ? 'off (opt-in)' : r.defaultSeverity.padEnd(12)} ${r.summary}\n`);
    return 0;
  }
  if (a.paths.length === 0) throw new UsageError('no paths given (pass files, folders, globs, or - for stdin)');
  const loaded = loadConfig(io.cwd, a.config);
  const config: Config = { ...loaded.config };
  if (a.pgVersion !== undefined) config.pgVersion = a.pgVersion;
  if (a.runner !== undefined && isRunnerName(a.runner)) config.runner = a.runner;
  if (a.assumeInTransaction !== undefined) config.assumeInTransaction = a.assumeInTransaction;
  if (a.schema !== undefined) config.schema = resolve(io.cwd, a.schema);
  if (a.earlier === false) config.useEarlierMigrations = false;
  const pgVersion = config.pgVersion ?? DEFAULT_PG_VERSION;

  // The parser is needed here for a schema dump and stdin; files are parsed where they are linted (worker threads,
  // which load their own, or lintFilesParallel's fallback in this thread).
  if (config.schema || a.paths.includes('-')) await loadParser();
  const dump = loadSchemaDump(config.schema);
  const exclude = (config.exclude ?? []).map(globToRegExp);
  const reports: Array<FileReport & { rendered?: RenderedFile }> = [];
  const filePaths = a.paths.filter((p) => p !== '-');
  if (a.paths.includes('-')) {
    const text = await io.readStdin();
    reports.push(lintText(text, a.stdinPath ?? '<stdin>', config, dump));
  }
  if (filePaths.length) {
    const files = expandPaths(filePaths, io.cwd, exclude);
    if (files.length === 0 && !a.paths.includes('-')) throw new InputError(`no .sql file found in ${filePaths.join(' ')}`);
    const rel = (f: string) => displayPath(io.cwd, f);
    // Many files are linted on worker threads, one per core (PG_PREFLIGHT_WORKERS=N: N workers whatever the number of
    // files, at most one per folder; 0 or 1 turns them off).
    const workers = io.env.PG_PREFLIGHT_WORKERS !== undefined && /^\d+$/.test(io.env.PG_PREFLIGHT_WORKERS) ? Number(io.env.PG_PREFLIGHT_WORKERS) : undefined;
    // --format json: each file's part is rendered where it is linted (project/json-output.ts).
    const json = a.format === 'json' ? { pgVersion, cwd: io.cwd } : undefined;
    for (const l of await lintFilesParallel(files, config, dump, { workers, minFiles: workers !== undefined ? 1 : undefined, script: io.lintWorkerScript, json })) reports.push({ ...l, path: rel(l.path) });
  }

  switch (a.format) {
    case 'json': {
      const out = joinJson(reports.map((r) => (r.rendered ?? renderJsonFile(r, pgVersion)).json), pgVersion);
      if (io.stdoutBytes) { for (const b of out) io.stdoutBytes(b); io.stdout('\n'); } else io.stdout(Buffer.concat(out).toString('utf8') + '\n');
      break;
    }
    case 'sarif': io.stdout(JSON.stringify(toSarif(reports, (p) => (p === '<stdin>' ? p : p.startsWith('/') ? pathToFileURL(p).href : p)), null, 2) + '\n'); break;
    case 'github': { const s = toGithub(reports); if (s) io.stdout(s + '\n'); break; }
    default: io.stdout(formatText(reports, makeStyle(io.isTTY && !io.env.NO_COLOR), { verbose: a.verbose }) + '\n');
  }
  const failing = reports.some((r) => r.rendered
    ? r.rendered.broken || r.rendered.severities.some((s) => s === 'error' || (a.failOn === 'warning' && s === 'warning'))
    : !!r.error || (r.result?.parseProblems.length ?? 0) > 0 ||
      (r.result?.findings ?? []).some((f) => f.severity === 'error' || (a.failOn === 'warning' && f.severity === 'warning')));
  return failing ? 1 : 0;
}

export function docsLink(ruleId: string): string { return docsUrl(ruleId); }

/** Entry point of the bundled bin. */
export async function main(): Promise<void> {
  const io: Io = {
    stdout: (s) => process.stdout.write(s),
    stdoutBytes: (b) => process.stdout.write(b),
    stderr: (s) => process.stderr.write(s),
    readStdin: () => new Promise((res, rej) => {
      const chunks: Buffer[] = [];
      process.stdin.on('data', (c) => chunks.push(c as Buffer));
      process.stdin.on('end', () => res(Buffer.concat(chunks).toString('utf8')));
      process.stdin.on('error', rej);
    }),
    cwd: process.cwd(),
    isTTY: !!process.stdout.isTTY,
    env: process.env,
  };
  const code = await run(process.argv.slice(2), io);
  // Let stdout drain before exiting (large JSON to a pipe).
  process.exitCode = code;
}
