// Child process for bench/run.ts: runs in a fresh `node` so start-up costs are real.
// argv[2] is a JSON job:
//   { mode: 'cold', analyzer: <module path>, parser?: <module path>, sql: <migration> }
//     Imports the analyzer, loads the parser, analyses one small migration, prints the timings.
//   { mode: 'corpus', analyzer, parser?, list: <file with one path per line> }
//     Lints every file of the list (one process over the whole corpus, as a CI job would), prints the totals.
//   { mode: 'cli', cli: <dist/cli.cjs>, file: <migration file> }
//     Loads the CLI bundle and runs `lint --format json --no-earlier-migrations FILE` in process, prints the timings.
// Times come from performance.now(), whose origin (performance.timeOrigin) is the start of this process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const t0 = performance.now();
const job = JSON.parse(process.argv[2]);
const url = (p) => (p.startsWith('file:') ? p : pathToFileURL(p).href);
const out = (o) => process.stdout.write(JSON.stringify(o));

if (job.mode === 'cli') {
  const cli = createRequire(import.meta.url)(job.cli);
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
    processStartToResultMs: t1, nodeBootstrapMs: t0, exitCode, outputBytes: output.length,
  });
} else {
  const analyzerModule = await import(url(job.analyzer));
  const parserModule = job.parser ? await import(url(job.parser)) : analyzerModule;
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
