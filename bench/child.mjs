// Child process for bench/run.ts: runs in a fresh `node` so start-up costs are real.
// argv[2] is a JSON job:
//   { mode: 'cold', analyzer: <module path>, parser?: <module path>, loader?: <code-cache.cjs>, sql: <migration> }
//     Imports the analyzer, loads the parser, analyses one small migration, prints the timings. A CommonJS bundle
//     (.cjs) is required, through `loader` when given (src/code-cache.ts, as bin/pg-preflight.js loads dist/cli.cjs);
//     `codeCache` in the output says whether the V8 code cache was used (hit / miss / rejected / off).
//   { mode: 'corpus', analyzer, parser?, list: <file with one path per line> }
//     Lints every file of the list (one process over the whole corpus, as a CI job would), prints the totals.
//   { mode: 'cli', cli: <dist/cli.cjs>, file: <migration file> }
//     Loads the CLI bundle (through dist/code-cache.cjs when it exists, as bin/pg-preflight.js does) and runs
//     `lint --format json --no-earlier-migrations FILE` in process, prints the timings.
// Times come from performance.now(), whose origin (performance.timeOrigin) is the start of this process.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const t0 = performance.now();
const job = JSON.parse(process.argv[2]);
const url = (p) => (p.startsWith('file:') ? p : pathToFileURL(p).href);
const out = (o) => process.stdout.write(JSON.stringify(o));
const require = createRequire(import.meta.url);
let codeCache;
// What bin/pg-preflight.js does with dist/cli.cjs: require it through the code-cache loader when there is one.
function requireBundle(file, loader, cli = false) {
  if (!loader) return require(file);
  const codeCacheModule = require(loader);
  const loaded = codeCacheModule.loadBundle(file, cli ? { v8Flags: codeCacheModule.CLI_V8_FLAGS } : {});
  codeCache = loaded.codeCache;
  return loaded.exports;
}
const importModule = (p, loader) => (p.endsWith('.cjs') ? requireBundle(p, loader) : import(url(p)));

if (job.mode === 'cli') {
  const loader = join(dirname(job.cli), 'code-cache.cjs');
  const cli = requireBundle(job.cli, existsSync(loader) ? loader : undefined, true);
  const tImported = performance.now();
  let output = '';
  const io = {
    stdout: (s) => { output += s; }, stderr: (s) => { output += s; }, readStdin: async () => '',
    cwd: process.cwd(), isTTY: false, env: process.env,
  };
  const exitCode = await cli.run(['lint', '--format', 'json', '--no-earlier-migrations', job.file], io);
  const t1 = performance.now();
  out({
    importLoadAnalyzeMs: t1 - t0, importMs: tImported - t0, runMs: t1 - tImported,
    processStartToResultMs: t1, nodeBootstrapMs: t0, exitCode, outputBytes: output.length, codeCache,
  });
} else {
  const analyzerModule = await importModule(job.analyzer, job.loader);
  const parserModule = job.parser ? await importModule(job.parser) : analyzerModule;
  const tImported = performance.now();
  await parserModule.loadParser();
  const tLoaded = performance.now();

  if (job.mode === 'cold') {
    const result = analyzerModule.analyze(job.sql);
    const t1 = performance.now();
    out({
      // Script start (after Node's own bootstrap) → first result.
      importLoadAnalyzeMs: t1 - t0,
      importMs: tImported - t0,
      loadMs: tLoaded - tImported,
      firstAnalyzeMs: t1 - tLoaded,
      // Process start (performance.timeOrigin) → first result: includes Node's bootstrap.
      processStartToResultMs: t1,
      nodeBootstrapMs: t0,
      statements: result.statements.length,
      findings: result.findings.length,
      parseProblems: result.parseProblems.length,
      codeCache,
    });
  } else if (job.mode === 'corpus') {
    const files = readFileSync(job.list, 'utf8').split('\n').filter(Boolean);
    let findings = 0, parseProblems = 0, statements = 0, filesWithProblems = 0;
    for (const f of files) {
      const r = analyzerModule.analyze(readFileSync(f, 'utf8'), { path: f });
      findings += r.findings.length;
      parseProblems += r.parseProblems.length;
      statements += r.statements.length;
      if (r.parseProblems.length) filesWithProblems++;
    }
    const t1 = performance.now();
    const cpu = process.cpuUsage();
    out({
      files: files.length, statements, findings, parseProblems, filesWithProblems,
      lintMs: t1 - tLoaded, importLoadMs: tLoaded - t0, processStartToDoneMs: t1,
      cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024,
    });
  } else {
    throw new Error(`unknown mode ${job.mode}`);
  }
}
