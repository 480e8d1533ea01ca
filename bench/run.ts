// pg-preflight benchmark: `npm run bench` (= node --import tsx bench/run.ts), `npm run bench -- --quick`.
//
// One run measures, prints a table and writes bench/results.json:
//   (a) whole-corpus lint (../shared/corpus, every *.sql, default options) vs squawk's own run over the same files
//       (one squawk process, as CI would run it). Ours twice: in-process on one thread (analyze() per file), and as
//       the user runs it: one fresh `node bin/pg-preflight.js lint --format json FILES…` process (worker threads,
//       schema history per folder, JSON written to a pipe). Squawk and our CLI run alternately (3 times each, 1 with
//       --quick) and the medians are compared; ratio = our CLI / squawk, goal ≤ 1.0;
//   (b) per-file analyze() time, p50 / p99;
//   (c) re-analysis of a 2,000-statement migration after a one-statement edit (200 edits), p50 / p99, goal p99 ≤ 5 ms;
//   (d) cold start: a fresh `node` imports the built analyzer (bundled and loaded as bin/ loads dist/cli.cjs: through
//       the V8 code cache of src/code-cache.ts, primed by one run; the figure without it is shown too), loads the
//       parser and analyses one small migration,
//       timed from inside the child; median of 10; goal ≤ 60 ms for import + load + first analyze;
//   (e) peak memory during the corpus run.
// It is a benchmark, not a test: it reports PASS / MISS and always exits 0.
//
// Flags: --quick (fewer edits and cold starts), --no-squawk, --json (print results.json to stdout as well).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { parseSync, scanSync } from 'libpg-query';
import { clearParseCache, loadParser, parseStatementText } from '../src/analyzer/parse.js';
import { splitStatements } from '../src/analyzer/split.js';
import { analyze } from '../src/analyzer/analyze.js';
import { DocumentAnalyzer } from '../src/analyzer/incremental.js';
import { isAscii } from '../src/analyzer/text.js';
import { allRules } from '../src/analyzer/registry.js';
// The seeded PRNG (the same edits every run), the corpus folder and its listing: shared with the unit tests.
import { CORPUS, listSqlFiles, prng } from '../test/unit/support.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const CACHE = join(HERE, '.cache'); // git-ignored (.cache/)
const RESULTS = join(HERE, 'results.json');

const argv = new Set(process.argv.slice(2));
const QUICK = argv.has('--quick');
const NO_SQUAWK = argv.has('--no-squawk');
const EDITS = QUICK ? 50 : 200;
const COLD_RUNS = QUICK ? 5 : 10;
const DOC_STATEMENTS = 2000;

const GOALS = { ratio: 1.0, editP99Ms: 5, coldStartMs: 60 };

// ---------------------------------------------------------------------------------------------------------------
// helpers

function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  // nearest-rank: the smallest value with at least q of the samples at or below it
  const rank = Math.min(s.length, Math.max(1, Math.ceil(q * s.length)));
  return s[rank - 1];
}
const median = (v: number[]) => quantile(v, 0.5);
const round = (n: number, d = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);

function errorText(err: unknown): string {
  return String((err as Error)?.stack ?? err).split('\n').slice(0, 3).join(' | ');
}

/** CPU time of this process (all threads), ms. */
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
/** CPU time of the waited-for children of this process (Linux /proc/self/stat cutime + cstime), ms; NaN elsewhere. */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    const ticks = Number(fields[15 - 2]) + Number(fields[16 - 2]); // cutime (16), cstime (17), 1-based from pid
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch { return NaN; }
}

interface Row { measure: string; value: string; goal: string; status: string }
const rows: Row[] = [];
function row(measure: string, value: string, goal = '—', status = ''): void { rows.push({ measure, value, goal, status }); }
const passMiss = (ok: boolean) => (ok ? 'PASS' : 'MISS');

const results: Record<string, any> = {
  date: new Date().toISOString(),
  quick: QUICK,
  environment: {
    node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model, loadAverage1mAtStart: round(os.loadavg()[0]), memoryGB: round(os.totalmem() / 2 ** 30, 1), rules: allRules.length,
  },
  goals: GOALS,
};

// ---------------------------------------------------------------------------------------------------------------
// (a), (b), (e): the corpus, in process

interface CorpusRun { files: string[]; texts: Map<string, string>; statementTexts: string[][] }

async function corpusInProcess(): Promise<CorpusRun | undefined> {
  if (!existsSync(CORPUS)) {
    results.corpus = { error: `corpus not found at ${CORPUS}` };
    row('(a) corpus lint', `skipped: no corpus at ${CORPUS}`);
    return undefined;
  }
  const files = listSqlFiles(CORPUS).sort();
  const texts = new Map<string, string>();
  const statementTexts: string[][] = [];
  const perFile: number[] = [];
  let findings = 0, parseProblems = 0, statements = 0, filesWithProblems = 0, bytes = 0;
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;

  const t0 = performance.now();
  const c0 = cpuMs();
  await loadParser();
  const tLoaded = performance.now();
  for (let i = 0; i < files.length; i++) {
    const text = readFileSync(files[i], 'utf8');
    const a = performance.now();
    const r = analyze(text, { path: files[i] });
    perFile.push(performance.now() - a);
    findings += r.findings.length;
    parseProblems += r.parseProblems.length;
    statements += r.statements.length;
    if (r.parseProblems.length) filesWithProblems++;
    bytes += text.length;
    texts.set(files[i], text);
    statementTexts.push(r.parseProblems.length ? [] : r.statements.map((s) => s.text));
    if (i % 25 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }
  const wall = performance.now() - t0;
  const cpu = cpuMs() - c0;
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  const maxRSS = process.resourceUsage().maxRSS * 1024; // KiB on Linux

  results.corpus = {
    dir: CORPUS, files: files.length, megabytes: round(bytes / 1e6), statements, findings, parseProblems,
    filesWithParseProblems: filesWithProblems, wallMs: round(wall), cpuMs: round(cpu), parserLoadMs: round(tLoaded - t0),
    note: 'in-process, first pass (empty parse cache): loadParser() + reading + analyze() of every file',
  };
  results.perFile = {
    p50Ms: round(quantile(perFile, 0.5), 3), p90Ms: round(quantile(perFile, 0.9), 3), p99Ms: round(quantile(perFile, 0.99), 3),
    maxMs: round(Math.max(...perFile), 2), meanMs: round(perFile.reduce((x, y) => x + y, 0) / perFile.length, 3),
  };
  results.memory = {
    rssBeforeMB: round(rssBefore / 2 ** 20, 1), rssPeakSampledMB: round(rssPeak / 2 ** 20, 1),
    maxRssMB: round(maxRSS / 2 ** 20, 1), heapUsedAfterMB: round(process.memoryUsage().heapUsed / 2 ** 20, 1),
  };
  return { files, texts, statementTexts };
}

// ---------------------------------------------------------------------------------------------------------------
// squawk

function squawkBinary(): string | undefined {
  const require = createRequire(import.meta.url);
  const exe = process.platform === 'win32' ? 'squawk.exe' : 'squawk';
  try {
    const pkg = require.resolve(`@squawk-cli/${process.platform}-${process.arch}/package.json`);
    const bin = join(dirname(pkg), 'bin', exe);
    if (existsSync(bin)) return bin;
  } catch { /* not installed for this platform */ }
  const fallback = join(REPO, 'node_modules', '@squawk-cli', `${process.platform}-${process.arch}`, 'bin', exe);
  return existsSync(fallback) ? fallback : undefined;
}

function squawkCorpus(files: string[]): void {
  const bin = NO_SQUAWK ? undefined : squawkBinary();
  if (!bin) {
    results.squawk = { error: NO_SQUAWK ? 'skipped (--no-squawk)' : 'squawk binary not found (@squawk-cli/<platform>)' };
    return;
  }
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    results.squawk = { error: `squawk does not run: ${version.error ?? version.stderr}` };
    return;
  }
  // One process over every file, paths relative to the corpus (as a CI job in the repository would pass them).
  const rel = files.map((f) => relative(CORPUS, f));
  const t0 = performance.now();
  const c0 = childrenCpuMs();
  const r = spawnSync(bin, ['--reporter', 'json', ...rel], { cwd: CORPUS, encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = performance.now() - t0;
  const cpu = childrenCpuMs() - c0;
  let parsed: Array<{ file: string; rule_name: string }> = [];
  let parseError: string | undefined;
  try { parsed = JSON.parse(r.stdout); } catch (err) { parseError = errorText(err); }
  const syntax = parsed.filter((f) => f.rule_name === 'syntax-error');
  const rules = new Set(parsed.map((f) => f.rule_name));
  results.squawk = {
    binary: relative(REPO, bin), version: version.stdout.trim(), wallMs: round(wall), cpuMs: round(cpu), exitStatus: r.status,
    signal: r.signal ?? undefined, findings: parsed.length, findingsExcludingSyntaxErrors: parsed.length - syntax.length,
    syntaxErrors: syntax.length, filesWithSyntaxErrors: new Set(syntax.map((f) => f.file)).size, rules: rules.size,
    filesWithFindings: new Set(parsed.map((f) => f.file)).size, parseError, stderr: r.stderr ? r.stderr.slice(0, 500) : undefined,
  };
}

/**
 * Our CLI over the corpus as a user runs it, and squawk again, alternately: the same relative paths from the corpus
 * folder, one fresh process each, output to a pipe (read and parsed here after the timing). Nothing is cached between
 * runs except V8's compiled code of the bundle (src/code-cache.ts, as for any user's second run): no results.
 */
function cliCorpus(files: string[]): void {
  const bin = join(REPO, 'bin', 'pg-preflight.js');
  const bundle = join(REPO, 'dist', 'cli.cjs');
  if (!existsSync(bin) || !existsSync(bundle)) { results.cliCorpus = { error: 'no CLI build (npm run build makes dist/cli.cjs)' }; return; }
  const rel = files.map((f) => relative(CORPUS, f));
  const squawk = NO_SQUAWK || results.squawk?.error ? undefined : squawkBinary();
  const runs = QUICK ? 1 : 3;
  const ours: Array<{ wallMs: number; cpuMs: number; status: number | null; bytes: number }> = [];
  // The same with two worker threads forced (PG_PREFLIGHT_WORKERS=2): the CLI's default on 2 cores is one thread.
  const forced: Array<{ wallMs: number; cpuMs: number }> = [];
  const theirs: number[] = [];
  const theirsCpu: number[] = [];
  let check: { files?: number; findings?: number; statements?: number; parseErrors?: number; error?: string } = {};
  for (let i = 0; i < runs; i++) {
    if (squawk) {
      const c0 = childrenCpuMs();
      const t0 = performance.now();
      spawnSync(squawk, ['--reporter', 'json', ...rel], { cwd: CORPUS, encoding: 'utf8', maxBuffer: 1 << 30 });
      theirs.push(performance.now() - t0);
      theirsCpu.push(childrenCpuMs() - c0);
    }
    const c0 = childrenCpuMs();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'lint', '--format', 'json', ...rel], {
      cwd: CORPUS, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, PG_PREFLIGHT_CODE_CACHE: join(CACHE, 'v8-code-cache') },
    });
    const wallMs = performance.now() - t0;
    ours.push({ wallMs, cpuMs: childrenCpuMs() - c0, status: r.status, bytes: Buffer.byteLength(r.stdout ?? '') });
    {
      const c1 = childrenCpuMs();
      const t1 = performance.now();
      spawnSync(process.execPath, [bin, 'lint', '--format', 'json', ...rel], {
        cwd: CORPUS, encoding: 'utf8', maxBuffer: 1 << 30,
        env: { ...process.env, PG_PREFLIGHT_CODE_CACHE: join(CACHE, 'v8-code-cache'), PG_PREFLIGHT_WORKERS: '2' },
      });
      forced.push({ wallMs: performance.now() - t1, cpuMs: childrenCpuMs() - c1 });
    }
    if (i === 0) {
      try {
        const j = JSON.parse(r.stdout) as { files: Array<{ statements: unknown[]; findings: unknown[]; parseErrors: unknown[] }> };
        check = {
          files: j.files.length, statements: j.files.reduce((n, f) => n + f.statements.length, 0),
          findings: j.files.reduce((n, f) => n + f.findings.length, 0), parseErrors: j.files.reduce((n, f) => n + f.parseErrors.length, 0),
        };
      } catch (err) { check = { error: `${errorText(err)}; stderr: ${String(r.stderr).slice(0, 300)}` }; }
    }
  }
  results.cliCorpus = {
    command: `node bin/pg-preflight.js lint --format json <${rel.length} files> (cwd ${relative(REPO, CORPUS)})`,
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    // The CLI's default (src/project/parallel.ts defaultWorkerCount): one per core from 3 cores up, else none.
    workers: (() => { const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length; return n >= 3 ? n : 0; })(),
    runs, wallMs: round(median(ours.map((o) => o.wallMs))), wallRunsMs: ours.map((o) => round(o.wallMs)),
    cpuMs: round(median(ours.map((o) => o.cpuMs))), exitStatus: ours[0]?.status, outputMB: round((ours[0]?.bytes ?? 0) / 1e6),
    ...check,
    twoWorkers: { wallMs: round(median(forced.map((o) => o.wallMs))), wallRunsMs: forced.map((o) => round(o.wallMs)), cpuMs: round(median(forced.map((o) => o.cpuMs))) },
    note: 'one fresh process per run (the CLI default: worker threads from 3 cores up), schema history per folder, JSON to a pipe; median of the runs; twoWorkers: the same with PG_PREFLIGHT_WORKERS=2',
  };
  if (squawk && theirs.length) {
    results.squawk.singleRunWallMs = results.squawk.wallMs;
    results.squawk.wallRunsMs = [results.squawk.wallMs, ...theirs.map((t) => round(t))];
    results.squawk.wallMs = round(median([results.squawk.wallMs, ...theirs]));
    results.squawk.cpuMs = round(median([results.squawk.cpuMs, ...theirsCpu]));
    results.squawk.note = `median of ${theirs.length + 1} runs (one before our in-process figures were taken, ${theirs.length} alternating with our CLI)`;
  }
}

function squawkSmallFile(smallFile: string): void {
  const bin = NO_SQUAWK ? undefined : squawkBinary();
  if (!bin || results.squawk?.error) return;
  const walls: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t0 = performance.now();
    spawnSync(bin, [smallFile], { encoding: 'utf8' });
    walls.push(performance.now() - t0);
  }
  results.squawk.smallFileProcessWallMedianMs = round(median(walls));
}

// ---------------------------------------------------------------------------------------------------------------
// (c) re-analysis after a one-statement edit

interface Token { start: number; end: number; text: string; tokenName: string }

/** Changes one identifier or literal of a statement, the way a user edits one; undefined when it cannot. */
function editStatement(text: string, k: number, rnd: () => number): string | undefined {
  if (!isAscii(text)) return undefined; // scan offsets are UTF-8 bytes: keep to ASCII statements
  let tokens: Token[];
  try { tokens = (scanSync(text) as { tokens: Token[] }).tokens; } catch { return undefined; }
  const candidates = tokens.filter((t) =>
    t.tokenName === 'IDENT' || t.tokenName === 'ICONST' || (t.tokenName === 'SCONST' && text[t.end - 1] === "'" && text[t.start] === "'"));
  if (!candidates.length) return undefined;
  const t = candidates[Math.floor(rnd() * candidates.length)];
  const original = text.slice(t.start, t.end);
  let replacement: string;
  if (t.tokenName === 'IDENT') replacement = original.endsWith('"') ? `${original.slice(0, -1)}_e${k}"` : `${original}_e${k}`;
  else if (t.tokenName === 'ICONST') replacement = `${original}${k % 10}`;
  else replacement = `${original.slice(0, -1)}${k}'`;
  const edited = text.slice(0, t.start) + replacement + text.slice(t.end);
  // Check with the raw parser, not parseStatementText: the analyzer's parse cache must not see the edit beforehand.
  try { parseSync(edited); } catch { return undefined; }
  return edited;
}

/** The range of the document that changes when statement `idx` becomes `edited` (documents are joined by ';\n\n'). */
function changeOf(stmts: string[], idx: number, edited: string): { start: number; oldEnd: number; newEnd: number } {
  let off = 0;
  for (let i = 0; i < idx; i++) off += stmts[i].length + 3;
  const old = stmts[idx];
  let p = 0;
  while (p < old.length && p < edited.length && old[p] === edited[p]) p++;
  let q = 0;
  while (q < old.length - p && q < edited.length - p && old[old.length - 1 - q] === edited[edited.length - 1 - q]) q++;
  return { start: off + p, oldEnd: off + old.length - q, newEnd: off + edited.length - q };
}

function editBenchmark(run: CorpusRun): void {
  // A realistic long migration: statements of the corpus (files that parse), spread over all sources, in order.
  const pool = run.statementTexts.flat().filter((s) => s.length > 0 && s.length < 20_000);
  if (pool.length < DOC_STATEMENTS) { results.edit = { error: `only ${pool.length} statements in the corpus` }; return; }
  const stride = pool.length / DOC_STATEMENTS;
  const stmts: string[] = [];
  for (let i = 0; i < DOC_STATEMENTS; i++) stmts.push(pool[Math.floor(i * stride)]);
  // One flat string, as TextDocument.getText() gives it (a `+` would leave a rope that the first read flattens).
  const render = () => [stmts.join(';\n\n'), ';\n'].join('');

  const doc0 = render();
  const t = performance.now();
  const first = analyze(doc0);
  const firstMs = performance.now() - t;

  // The edits first (one identifier or literal of a random statement each), then each way of re-analysing runs over
  // the same sequence on its own, so that one's garbage does not land in another's timings.
  const rnd = prng(0x5eed);
  const original = [...stmts];
  const edits: Array<{ idx: number; edited: string; change: { start: number; oldEnd: number; newEnd: number } }> = [];
  for (let k = 0, attempts = 0; k < EDITS && attempts < EDITS * 50; attempts++) {
    const idx = Math.floor(rnd() * stmts.length);
    const edited = editStatement(stmts[idx], k, rnd);
    if (edited === undefined) continue;
    edits.push({ idx, edited, change: changeOf(stmts, idx, edited) });
    stmts[idx] = edited;
    k++;
  }
  /**
   * Replays the edits from the original document; `step` is timed, rendering the text is not (the editor has it).
   * Each replay starts without the edited statements in the parse cache (as in the editor: an edit makes new text).
   */
  const replay = (step: (doc: string, e: (typeof edits)[number]) => void, count = edits.length) => {
    stmts.splice(0, stmts.length, ...original);
    clearParseCache();
    for (const e of edits.slice(0, count)) {
      stmts[e.idx] = e.edited;
      step(render(), e);
    }
  };

  // The editor's path: one incremental analyzer per document (src/analyzer/incremental.ts), given the changed range
  // as VS Code reports it. An editor that has been typing for a while has its code compiled: a few edits on a
  // scratch analyzer warm it up first (their parses are forgotten before the measured run).
  const warm = new DocumentAnalyzer({});
  warm.update(doc0);
  replay((doc, e) => { warm.update(doc, e.change); }, Math.min(30, edits.length));
  const inc = new DocumentAnalyzer({});
  inc.update(doc0);
  const incTimes: number[] = [];
  const incCpu: number[] = [];
  const incAnalysed: number[] = [];
  const incRechecked: number[] = [];
  replay((doc, e) => {
    const t0 = performance.now();
    const c0 = cpuMs();
    inc.update(doc, e.change);
    incTimes.push(performance.now() - t0);
    incCpu.push(cpuMs() - c0);
    incAnalysed.push(inc.lastStats.analysed);
    incRechecked.push(inc.lastStats.rechecked);
  });
  // The same without the changed range (the texts compared instead).
  const incText = new DocumentAnalyzer({});
  incText.update(doc0);
  const incTextTimes: number[] = [];
  replay((doc) => {
    const t0 = performance.now();
    incText.update(doc);
    incTextTimes.push(performance.now() - t0);
  });
  // A full analyze() of each version.
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let parseProblems = 0, kinds: Record<string, number> = {};
  replay((doc, e) => {
    const t0 = performance.now();
    const c0 = cpuMs();
    const r = analyze(doc);
    times.push(performance.now() - t0);
    cpuTimes.push(cpuMs() - c0);
    parseProblems += r.parseProblems.length;
    const kind = r.statements[e.idx]?.kind ?? '?';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  });
  kinds = Object.fromEntries(Object.entries(kinds).sort((a, b) => b[1] - a[1]).slice(0, 8));

  // Where the time of one re-analysis goes (medians): the splitter over the whole document, the splitter plus the
  // parse-cache lookups (every statement text is sliced and hashed again), analyze() without rules, with all rules.
  const doc = render();
  const timeIt = (fn: () => void, n = QUICK ? 5 : 15) => {
    const v: number[] = [];
    for (let i = 0; i < n; i++) { const a = performance.now(); fn(); v.push(performance.now() - a); }
    return round(median(v), 3);
  };
  const breakdown = {
    splitMs: timeIt(() => splitStatements(doc)),
    splitAndCachedParseMs: timeIt(() => { for (const p of splitStatements(doc)) parseStatementText(doc.slice(p.start, p.end)); }),
    analyzeWithoutRulesMs: timeIt(() => analyze(doc, { ruleSet: [] })),
    analyzeMs: timeIt(() => analyze(doc)),
  };
  // Cost of each rule on this document: CPU time of analyze() with that rule alone minus with no rule (the minimum of
  // a few runs: CPU time and minimum keep other processes on a busy machine out of the figure).
  const cpuMin = (fn: () => void, n: number) => {
    let best = Infinity;
    for (let i = 0; i < n; i++) { const a = cpuMs(); fn(); best = Math.min(best, cpuMs() - a); }
    return best;
  };
  const noRules = cpuMin(() => analyze(doc, { ruleSet: [] }), QUICK ? 3 : 5);
  const perRule = allRules.map((rule) => ({
    rule: rule.id,
    ms: round(Math.max(0, cpuMin(() => analyze(doc, { ruleSet: [rule], rules: { [rule.id]: rule.defaultSeverity } }), QUICK ? 2 : 3) - noRules), 2),
  })).sort((a, b) => b.ms - a.ms);
  results.edit = {
    statements: first.statements.length, lines: doc0.split('\n').length, kilobytes: round(doc0.length / 1024, 1),
    findings: first.findings.length, edits: times.length, firstAnalyzeMs: round(firstMs),
    p50Ms: round(quantile(times, 0.5), 3), p90Ms: round(quantile(times, 0.9), 3), p99Ms: round(quantile(times, 0.99), 3),
    maxMs: round(Math.max(...times), 3), cpuP50Ms: round(quantile(cpuTimes, 0.5), 3), cpuP99Ms: round(quantile(cpuTimes, 0.99), 3),
    parseProblemsAfterEdits: parseProblems, editedStatementKinds: kinds,
    incremental: {
      p50Ms: round(quantile(incTimes, 0.5), 3), p90Ms: round(quantile(incTimes, 0.9), 3), p99Ms: round(quantile(incTimes, 0.99), 3),
      maxMs: round(Math.max(...incTimes), 3), cpuP50Ms: round(quantile(incCpu, 0.5), 3), cpuP99Ms: round(quantile(incCpu, 0.99), 3),
      statementsAnalysedP50: quantile(incAnalysed, 0.5), statementsAnalysedP99: quantile(incAnalysed, 0.99),
      statementsRecheckedP50: quantile(incRechecked, 0.5), statementsRecheckedP99: quantile(incRechecked, 0.99),
      note: 'DocumentAnalyzer.update(text, change) with the changed range, as the editor calls it',
      withoutChange: { p50Ms: round(quantile(incTextTimes, 0.5), 3), p99Ms: round(quantile(incTextTimes, 0.99), 3), note: 'update(text) alone: the texts are compared' },
    },
    breakdownMedianMs: breakdown, perRuleMsOnThisDocument: perRule,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// (d) cold start in a fresh process

interface Build { kind: string; analyzer: string; parser?: string; nodeArgs: string[]; builtAt?: string; loader?: string }

async function pickBuild(): Promise<Build> {
  const outAnalyze = join(REPO, 'out', 'src', 'analyzer', 'analyze.js');
  const outParse = join(REPO, 'out', 'src', 'analyzer', 'parse.js');
  if (existsSync(outAnalyze) && existsSync(outParse)) {
    return { kind: 'out/ (tsc output)', analyzer: outAnalyze, parser: outParse, nodeArgs: [], builtAt: statSync(outAnalyze).mtime.toISOString() };
  }
  // No compiled tree: bundle the analyzer the way scripts/build.mjs builds dist/cli.cjs (esbuild, one CommonJS file
  // with its dependencies, libpg-query.wasm beside it) and load it the way bin/pg-preflight.js loads dist/cli.cjs
  // (through src/code-cache.ts, the V8 code cache).
  try {
    const esbuild = await import('esbuild');
    const dir = join(CACHE, 'cold-build');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'analyzer.cjs');
    const common = {
      bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent', legalComments: 'none',
      define: { 'import.meta.url': 'undefined' },
    } as const;
    await esbuild.build({
      ...common,
      stdin: {
        contents: "export { analyze } from './src/analyzer/analyze.ts';\nexport { loadParser } from './src/analyzer/parse.ts';\n",
        resolveDir: REPO, loader: 'ts', sourcefile: 'bench-analyzer-entry.ts',
      },
      outfile,
    });
    const loader = join(dir, 'code-cache.cjs');
    await esbuild.build({ ...common, entryPoints: [join(REPO, 'src', 'code-cache.ts')], outfile: loader });
    writeFileSync(join(dir, 'libpg-query.wasm'), readFileSync(createRequire(import.meta.url).resolve('libpg-query/wasm/libpg-query.wasm')));
    return {
      kind: 'esbuild bundle of src/analyzer like dist/cli.cjs (bench/.cache/cold-build/analyzer.cjs), loaded like bin/ does (V8 code cache)',
      analyzer: outfile, loader, nodeArgs: [],
    };
  } catch (err) {
    return {
      kind: `tsx (bundling failed: ${errorText(err)})`, analyzer: join(REPO, 'src', 'analyzer', 'analyze.ts'),
      parser: join(REPO, 'src', 'analyzer', 'parse.ts'), nodeArgs: ['--import', 'tsx'],
    };
  }
}

const SMALL_MIGRATION = `-- a small migration
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE accounts ADD COLUMN name text;
CREATE INDEX accounts_email_idx ON accounts (email);
`;

// The V8 code cache the cold-start children use (src/code-cache.ts; the CLI's own lives in the user's cache folder).
const CODE_CACHE = join(CACHE, 'v8-code-cache');

function runChild(build: Build, job: Record<string, unknown>, codeCache: string = CODE_CACHE): { wallMs: number; out?: any; error?: string } {
  const child = join(HERE, 'child.mjs');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...build.nodeArgs, child, JSON.stringify({ ...job, analyzer: build.analyzer, parser: build.parser, loader: build.loader })], {
    cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, PG_PREFLIGHT_CODE_CACHE: codeCache },
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) return { wallMs, error: (r.stderr || String(r.error)).split('\n').slice(0, 4).join(' | ') };
  try { return { wallMs, out: JSON.parse(r.stdout) }; } catch (err) { return { wallMs, error: errorText(err) }; }
}

async function coldStart(files: string[] | undefined): Promise<void> {
  const build = await pickBuild();
  const samples: any[] = [];
  const walls: number[] = [];
  let error: string | undefined;
  // The code cache, as a user's second and later runs find it: one run first (a cache miss, which writes the entry
  // when it exits), reported as `codeCachePrimingRun`; the runs without any code cache are reported as
  // `withoutCodeCache` (a first run after an install or an upgrade of Node).
  let priming: any;
  if (build.loader) {
    const r = runChild(build, { mode: 'cold', sql: SMALL_MIGRATION });
    if (r.error) error = r.error; else priming = { ...roundAll(r.out), processWallMs: round(r.wallMs) };
  }
  const noCache: any[] = [];
  for (let i = 0; i < COLD_RUNS && build.loader && !error; i++) {
    const r = runChild(build, { mode: 'cold', sql: SMALL_MIGRATION }, 'off');
    if (r.error) { error = r.error; break; }
    noCache.push(r.out);
  }
  for (let i = 0; i < COLD_RUNS && !error; i++) {
    const r = runChild(build, { mode: 'cold', sql: SMALL_MIGRATION });
    if (r.error) { error = r.error; break; }
    samples.push(r.out);
    walls.push(r.wallMs);
  }
  // The same with V8's WASM tier-up off: after the result, Node spends a noticeable time before it exits (V8 is still
  // optimising the 1.6 MB parser module in the background); --liftoff-only shows how much of the wall that is.
  const liftoffWalls: number[] = [];
  const liftoffSamples: any[] = [];
  for (let i = 0; i < COLD_RUNS && !error; i++) {
    const r = runChild({ ...build, nodeArgs: ['--liftoff-only', ...build.nodeArgs] }, { mode: 'cold', sql: SMALL_MIGRATION });
    if (r.error) break;
    liftoffWalls.push(r.wallMs);
    liftoffSamples.push(r.out);
  }
  const med = (k: string) => round(median(samples.map((s) => s[k])));
  results.coldStart = error ? { build: build.kind, error } : {
    build: build.kind, builtAt: build.builtAt, runs: samples.length,
    importLoadAnalyzeMedianMs: med('importLoadAnalyzeMs'), importLoadAnalyzeMinMs: round(Math.min(...samples.map((s) => s.importLoadAnalyzeMs))),
    importMedianMs: med('importMs'), loadParserMedianMs: med('loadMs'),
    firstAnalyzeMedianMs: med('firstAnalyzeMs'), nodeBootstrapMedianMs: med('nodeBootstrapMs'),
    processStartToResultMedianMs: med('processStartToResultMs'), processWallMedianMs: round(median(walls)),
    statements: samples[0]?.statements, findings: samples[0]?.findings,
    codeCache: samples[0]?.codeCache, codeCachePrimingRun: priming,
    withoutCodeCache: noCache.length ? {
      runs: noCache.length,
      importLoadAnalyzeMedianMs: round(median(noCache.map((s) => s.importLoadAnalyzeMs))),
      importMedianMs: round(median(noCache.map((s) => s.importMs))), loadParserMedianMs: round(median(noCache.map((s) => s.loadMs))),
      firstAnalyzeMedianMs: round(median(noCache.map((s) => s.firstAnalyzeMs))),
    } : undefined,
    liftoffOnly: liftoffWalls.length ? {
      processWallMedianMs: round(median(liftoffWalls)),
      importLoadAnalyzeMedianMs: round(median(liftoffSamples.map((s) => s.importLoadAnalyzeMs))),
    } : undefined,
  };

  // The CLI bundle, when the build made one (npm run build → dist/cli.cjs): (1) in a fresh node, require it and run
  // `lint` on the small migration in process, timed from inside; (2) the whole `node bin/pg-preflight.js lint FILE`
  // process, spawn to exit.
  mkdirSync(CACHE, { recursive: true });
  const smallFile = join(CACHE, 'small-migration.sql');
  writeFileSync(smallFile, SMALL_MIGRATION);
  const cli = ['cli.cjs', 'cli.js'].map((f) => join(REPO, 'dist', f)).find((f) => existsSync(f));
  if (cli && results.coldStart && !results.coldStart.error) {
    const inside: any[] = [];
    const walls: number[] = [];
    let cliError: string | undefined;
    // One run first, as for the analyzer: it writes the code cache entry that later runs find (bin/ below uses the
    // user's cache folder, as an installed CLI would).
    runChild({ kind: 'cli', analyzer: '', nodeArgs: [] }, { mode: 'cli', cli, file: smallFile });
    const bin = join(REPO, 'bin', 'pg-preflight.js');
    if (existsSync(bin)) spawnSync(process.execPath, [bin, 'lint', '--no-earlier-migrations', smallFile], { cwd: REPO, encoding: 'utf8' });
    for (let i = 0; i < COLD_RUNS; i++) {
      const r = runChild({ kind: 'cli', analyzer: '', nodeArgs: [] }, { mode: 'cli', cli, file: smallFile });
      if (r.error) { cliError = r.error; break; }
      inside.push(r.out);
    }
    for (let i = 0; i < COLD_RUNS && existsSync(bin); i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, [bin, 'lint', '--no-earlier-migrations', smallFile], { cwd: REPO, encoding: 'utf8' });
      walls.push(performance.now() - t0);
    }
    results.coldStart.cli = cliError ? { bundle: relative(REPO, cli), error: cliError } : {
      bundle: relative(REPO, cli), builtAt: statSync(cli).mtime.toISOString(), runs: inside.length, codeCache: inside[0]?.codeCache,
      requireRunLintMedianMs: round(median(inside.map((x) => x.importLoadAnalyzeMs))),
      requireMedianMs: round(median(inside.map((x) => x.importMs))),
      processStartToResultMedianMs: round(median(inside.map((x) => x.processStartToResultMs))),
      binProcessWallMedianMs: walls.length ? round(median(walls)) : undefined,
    };
  }
  squawkSmallFile(smallFile);

  // The whole corpus in one fresh process with the same build: the CI-shaped twin of squawk's run.
  if (files && !error) {
    const list = join(CACHE, 'corpus-files.txt');
    writeFileSync(list, files.join('\n'));
    const r = runChild(build, { mode: 'corpus', list });
    results.corpusFreshProcess = r.error ? { error: r.error } : { build: build.kind, processWallMs: round(r.wallMs), ...roundAll(r.out) };
  }
}

function roundAll(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
}

// ---------------------------------------------------------------------------------------------------------------
// report

function fill(): void {
  const c = results.corpus, s = results.squawk, f = results.perFile, e = results.edit, d = results.coldStart, m = results.memory;
  const fp = results.corpusFreshProcess;
  if (c && !c.error) {
    row('(a) corpus: files / statements', `${c.files} files, ${c.megabytes} MB, ${c.statements} statements`);
    row('(a) ours: findings / parse problems', `${c.findings} findings (${results.environment.rules} rules), ${c.parseProblems} parse problems in ${c.filesWithParseProblems} files`);
    row('(a) ours: corpus wall, in-process', `${c.wallMs} ms (CPU ${c.cpuMs} ms; parser load ${c.parserLoadMs} ms)`);
    if (fp && !fp.error) row('(a) ours: corpus wall, fresh node process', `${fp.processWallMs} ms (lint ${fp.lintMs} ms, CPU ${fp.cpuMs} ms, max RSS ${fp.maxRssMB} MB)`);
    else if (fp?.error) row('(a) ours: corpus wall, fresh node process', `error: ${fp.error}`);
  }
  const cli = results.cliCorpus;
  if (cli && !cli.error) {
    row('(a) ours: CLI process, lint --format json', `${cli.wallMs} ms median of ${cli.runs} [${cli.wallRunsMs.join(', ')}] (CPU ${cli.cpuMs} ms, ${cli.workers ? `${cli.workers} worker threads` : 'one thread'} on ${cli.cores} cores; ${cli.files} files, ${cli.findings} findings, ${cli.outputMB} MB of JSON; exit status ${cli.exitStatus})`);
    if (cli.twoWorkers) row('(a) ours: the same, PG_PREFLIGHT_WORKERS=2', `${cli.twoWorkers.wallMs} ms median [${cli.twoWorkers.wallRunsMs.join(', ')}] (CPU ${cli.twoWorkers.cpuMs} ms)`);
  } else if (cli?.error) row('(a) ours: CLI process, lint --format json', `error: ${cli.error}`);
  if (s && !s.error) {
    row('(a) squawk: corpus wall, one process', `${s.wallMs} ms${s.wallRunsMs ? ` median of ${s.wallRunsMs.length} [${s.wallRunsMs.join(', ')}]` : ''} (CPU ${s.cpuMs} ms; ${s.version}, exit status ${s.exitStatus})`);
    row('(a) squawk: findings', `${s.findings} (${s.rules} rules; ${s.syntaxErrors} syntax errors in ${s.filesWithSyntaxErrors} files)`);
    // The goal is measured on what a user runs: our CLI process (when there is a build), else the in-process figure.
    if (cli && !cli.error) {
      const ratio = cli.wallMs / s.wallMs;
      results.ratio = round(ratio, 3);
      results.ratioBasis = 'cli';
      row('(a) ratio ours / squawk (CLI process, lint --format json)', ratio.toFixed(2), `≤ ${GOALS.ratio.toFixed(1)}`, passMiss(ratio <= GOALS.ratio));
      if (Number.isFinite(s.cpuMs) && s.cpuMs > 0) results.ratioCliCpu = round(cli.cpuMs / s.cpuMs, 3);
    }
    if (c && !c.error) {
      const ratio = c.wallMs / s.wallMs;
      results.ratioInProcess = round(ratio, 3);
      if (!(cli && !cli.error)) { results.ratio = round(ratio, 3); results.ratioBasis = 'in-process'; }
      row('(a) ratio ours / squawk (in-process, one thread)', ratio.toFixed(2), cli && !cli.error ? 'info' : `≤ ${GOALS.ratio.toFixed(1)}`, cli && !cli.error ? '' : passMiss(ratio <= GOALS.ratio));
      if (Number.isFinite(s.cpuMs) && s.cpuMs > 0) {
        results.ratioCpu = round(c.cpuMs / s.cpuMs, 3);
        row('(a) ratio ours / squawk, CPU time', (c.cpuMs / s.cpuMs).toFixed(2), 'info');
      }
      if (fp && !fp.error) {
        results.ratioFreshProcess = round(fp.processWallMs / s.wallMs, 3);
        row('(a) ratio ours / squawk (fresh process)', (fp.processWallMs / s.wallMs).toFixed(2), 'info');
      }
    }
  } else if (s?.error) {
    row('(a) squawk', s.error, `≤ ${GOALS.ratio.toFixed(1)}`, 'n/a');
  }
  if (f) row('(b) per-file analyze p50 / p99', `${f.p50Ms} ms / ${f.p99Ms} ms (max ${f.maxMs} ms)`);
  if (e && !e.error) {
    row('(c) 2,000-statement migration', `${e.statements} statements, ${e.lines} lines, ${e.kilobytes} KB; first analyze ${e.firstAnalyzeMs} ms`);
    const i = e.incremental;
    row('(c) incremental re-analysis after an edit p50', `${i.p50Ms} ms (${e.edits} edits, with the changed range as the editor gives it; CPU p50 ${i.cpuP50Ms} ms, p99 ${i.cpuP99Ms} ms; statements re-analysed p50 ${i.statementsAnalysedP50}, p99 ${i.statementsAnalysedP99}; rechecked p50 ${i.statementsRecheckedP50}, p99 ${i.statementsRecheckedP99})`);
    if (i.withoutChange) row('(c) same, text only (no changed range) p50 / p99', `${i.withoutChange.p50Ms} ms / ${i.withoutChange.p99Ms} ms`);
    row('(c) incremental re-analysis after an edit p99', `${i.p99Ms} ms`, `≤ ${GOALS.editP99Ms} ms`, passMiss(i.p99Ms <= GOALS.editP99Ms));
    row('(c) full analyze() after an edit p50 / p99', `${e.p50Ms} ms / ${e.p99Ms} ms (CPU p50 ${e.cpuP50Ms} ms, p99 ${e.cpuP99Ms} ms)`);
    const b = e.breakdownMedianMs;
    row('(c) breakdown (medians)', `split ${b.splitMs} ms; split + cached parse ${b.splitAndCachedParseMs} ms; analyze without rules ${b.analyzeWithoutRulesMs} ms; with rules ${b.analyzeMs} ms`);
    if (e.perRuleMsOnThisDocument?.length) row('(c) slowest rules on it (CPU ms, alone)', e.perRuleMsOnThisDocument.slice(0, 5).map((x: { rule: string; ms: number }) => `${x.rule} ${x.ms}`).join('; '));
  } else if (e?.error) row('(c) re-analysis after an edit', e.error, `≤ ${GOALS.editP99Ms} ms`, 'n/a');
  if (d && !d.error) {
    row('(d) cold start: import+load+first analyze', `${d.importLoadAnalyzeMedianMs} ms median of ${d.runs}, min ${d.importLoadAnalyzeMinMs} (medians: import ${d.importMedianMs}, load ${d.loadParserMedianMs}, analyze ${d.firstAnalyzeMedianMs})`,
      `≤ ${GOALS.coldStartMs} ms`, passMiss(d.importLoadAnalyzeMedianMs <= GOALS.coldStartMs));
    row('(d) cold start: process start → result', `${d.processStartToResultMedianMs} ms (Node bootstrap ${d.nodeBootstrapMedianMs} ms)`);
    row('(d) cold start: total process wall', `${d.processWallMedianMs} ms (${round(d.processWallMedianMs - d.processStartToResultMedianMs)} ms after the result, until exit)`);
    row('(d) cold start: build used', d.build);
    if (d.withoutCodeCache) row('(d) same without the V8 code cache', `${d.withoutCodeCache.importLoadAnalyzeMedianMs} ms median of ${d.withoutCodeCache.runs} (medians: import ${d.withoutCodeCache.importMedianMs}, load ${d.withoutCodeCache.loadParserMedianMs}, analyze ${d.withoutCodeCache.firstAnalyzeMedianMs}): a first run, or PG_PREFLIGHT_CODE_CACHE=off`);
    if (d.liftoffOnly) row('(d) same with node --liftoff-only', `total process wall ${d.liftoffOnly.processWallMedianMs} ms; import+load+first analyze ${d.liftoffOnly.importLoadAnalyzeMedianMs} ms`);
    if (d.cli?.error) row(`(d) ${d.cli.bundle}`, `error: ${d.cli.error}`);
    else if (d.cli) {
      row(`(d) ${d.cli.bundle}: require + lint one file`, `${d.cli.requireRunLintMedianMs} ms median of ${d.cli.runs} (require ${d.cli.requireMedianMs} ms), in a fresh node`);
      if (d.cli.binProcessWallMedianMs !== undefined) row('(d) bin/pg-preflight.js lint, process wall', `${d.cli.binProcessWallMedianMs} ms`);
    }
    if (s?.smallFileProcessWallMedianMs !== undefined) row('(d) squawk process wall, small file', `${s.smallFileProcessWallMedianMs} ms`);
  } else if (d?.error) row('(d) cold start', `error: ${d.error}`, `≤ ${GOALS.coldStartMs} ms`, 'n/a');
  if (m) row('(e) peak memory, corpus run', `max RSS ${m.maxRssMB} MB (sampled peak ${m.rssPeakSampledMB} MB, before ${m.rssBeforeMB} MB)`);
}

function printTable(): void {
  const w0 = Math.max(...rows.map((r) => r.measure.length), 7);
  const w1 = Math.min(110, Math.max(...rows.map((r) => r.value.length), 5));
  const w2 = Math.max(...rows.map((r) => r.goal.length), 4);
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padEnd(w2)}  ${d}`;
  console.log(line('Measure', 'Value', 'Goal', 'Status'));
  console.log(line('-'.repeat(w0), '-'.repeat(w1), '-'.repeat(w2), '------'));
  for (const r of rows) console.log(line(r.measure, r.value, r.goal, r.status));
}

async function main(): Promise<void> {
  const load = os.loadavg()[0];
  console.log(`pg-preflight bench${QUICK ? ' (--quick)' : ''}: node ${process.version}, ${os.cpus().length} CPUs, ${allRules.length} rules, load average ${load.toFixed(2)}`);
  if (load > os.cpus().length * 0.75) console.log('note: the machine is busy; wall times are inflated (CPU times are shown beside them)');
  console.log('');
  let run: CorpusRun | undefined;
  try { run = await corpusInProcess(); } catch (err) { results.corpus = { error: errorText(err) }; }
  if (run) {
    try { squawkCorpus(run.files); } catch (err) { results.squawk = { error: errorText(err) }; }
    try { cliCorpus(run.files); } catch (err) { results.cliCorpus = { error: errorText(err) }; }
    try { editBenchmark(run); } catch (err) { results.edit = { error: errorText(err) }; }
  }
  try { await coldStart(run?.files); } catch (err) { results.coldStart = { error: errorText(err) }; }
  fill();
  results.table = rows;
  printTable();
  try {
    writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
    console.log(`\nwrote ${relative(process.cwd(), RESULTS) || RESULTS}`);
  } catch (err) { console.log(`could not write ${RESULTS}: ${errorText(err)}`); }
  if (argv.has('--json')) console.log(JSON.stringify(results, null, 2));
}

main().catch((err) => console.log(`bench failed: ${errorText(err)}`)).finally(() => { process.exitCode = 0; });
