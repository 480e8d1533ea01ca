#!/usr/bin/env node
// Measures the extension in a real extension host (the "bench" suite, test/host/suite/90-bench.test.ts) on a
// 2,000-statement migration: activation, open → first diagnostics, keystroke → updated diagnostics (p50/p95 over 50
// edits) and our own work per edit. Prints the figures and writes .test-artifacts/host-bench.json.
//   PG_PREFLIGHT_BENCH_PROFILE=1  also writes CPU profiles of the extension host (open, edits) beside it
//   PG_PREFLIGHT_BENCH_EDITS=N    edits to time (default 100)
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHostTools } from './install.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, '.test-artifacts/host-bench.json');
const node = (args, env = {}) => {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status || 1);
};
ensureHostTools();
node([join(ROOT, 'scripts/build.mjs')]);
node([join(ROOT, 'scripts/host/build-tests.mjs')]);
rmSync(OUT, { force: true });
node([join(ROOT, 'scripts/host/run.mjs'), '--suites', 'bench'], { PG_PREFLIGHT_BENCH_OUT: OUT });
const f = JSON.parse(readFileSync(OUT, 'utf8'));
const e = f.editToDiagnostics;
const verdict = (v, goal) => (v <= goal ? 'ok' : 'OVER GOAL');
console.log(`
pg-preflight in the extension host (${f.node}), ${f.statements} statements, ${f.diagnostics} diagnostics
  activation                      ${f.activation.activateMs} ms in activate() (goal ≤ ${f.activation.goalMs}: ${verdict(f.activation.activateMs, f.activation.goalMs)})
  open → first diagnostics        ${f.openToDiagnostics.coldMs} ms cold (goal ≤ ${f.openToDiagnostics.goalMs}: ${verdict(f.openToDiagnostics.coldMs, f.openToDiagnostics.goalMs)}): the document reached the extension host
                                  after ${f.openToDiagnostics.documentReadyMs} ms, the lint started at ${f.openToDiagnostics.lintStartedMs} ms (engine + WASM parser load ${f.openToDiagnostics.engineLoadMs} ms);
                                  ${f.openToDiagnostics.steps ? `analysed in steps: the first statements' diagnostics first, all of them at ${f.openToDiagnostics.allDiagnosticsMs} ms` : `all diagnostics at once`};
                                  the lint took ${f.openToDiagnostics.firstLintMs} ms; the editor finished showing at ${f.openToDiagnostics.editorShownMs} ms
                                  (analysis ${f.openToDiagnostics.firstAnalyzeMs} ms, diagnostics ${f.openToDiagnostics.firstPublishMs} ms, GC ${f.openToDiagnostics.gcMs} ms)
                                  ${f.openToDiagnostics.warmMs} ms for a second large migration later in the session (own work ${f.openToDiagnostics.warmLintMs} ms, of which
                                  ${f.openToDiagnostics.warmBaseMs} ms building its schema base from the earlier 2,000-statement migration)
  edit → diagnostics              p50 ${e.p50Ms} ms, p95 ${e.p95Ms} ms, max ${e.maxMs} ms over ${e.edits} edits, debounce ${e.debounceMs} ms included (goal p95 ≤ ${e.goalP95Ms}: ${verdict(e.p95Ms, e.goalP95Ms)})
                                  from the edit request to the diagnostics handed to VS Code; of which the edit's trip
                                  through the workbench p50 ${e.editReachedUs.p50Ms} / p95 ${e.editReachedUs.p95Ms} ms, the debounce timer late by p50 ${e.debounceTimerLate.p50Ms} / p95 ${e.debounceTimerLate.p95Ms} ms,
                                  GC pauses p50 ${e.gcInWindow.p50Ms} / p95 ${e.gcInWindow.p95Ms} ms; event loop delay p99 ${e.eventLoopDelay.p99Ms} ms, max ${e.eventLoopDelay.maxMs} ms
  our own work per edit           p50 ${e.ownWork.p50Ms} ms, p95 ${e.ownWork.p95Ms} ms (goal ≤ ${e.ownWork.goalMs}: ${verdict(e.ownWork.p95Ms, e.ownWork.goalMs)}); analysis p50 ${e.ofWhichAnalyze.p50Ms} ms, p95 ${e.ofWhichAnalyze.p95Ms} ms;
                                  diagnostics p50 ${e.ofWhichDiagnostics.p50Ms} ms, p95 ${e.ofWhichDiagnostics.p95Ms} ms (sent to VS Code after ${e.ofWhichDiagnostics.publishedEdits} of ${e.edits} edits: the others moved no finding)
  real keystrokes (Playwright)    p50 ${f.realKeystrokes.p50Ms} ms, p95 ${f.realKeystrokes.p95Ms} ms, max ${f.realKeystrokes.maxMs} ms over ${f.realKeystrokes.typed} keys typed in the page ${f.realKeystrokes.pauseMs} ms apart,
                                  from the keydown in the page; of which the keystroke's trip to us p50 ${f.realKeystrokes.keyReachedUs.p50Ms} / p95 ${f.realKeystrokes.keyReachedUs.p95Ms} ms${f.realKeystrokes.error ? ` (${f.realKeystrokes.error.trim()})` : ''}
  edit inside a statement         p50 ${f.editInsideStatement.p50Ms} ms, p95 ${f.editInsideStatement.p95Ms} ms over ${f.editInsideStatement.edits} edits; own work p50 ${f.editInsideStatement.ownWork.p50Ms} ms, p95 ${f.editInsideStatement.ownWork.p95Ms} ms (diagnostics sent after ${f.editInsideStatement.publishedEdits})
  typical migration               ${f.smallMigration.statements} statements: edit → diagnostics p50 ${f.smallMigration.editP50Ms} ms, p95 ${f.smallMigration.editP95Ms} ms; own work p95 ${f.smallMigration.ownWorkP95Ms} ms
  machine                         ${f.machine.cpus} CPUs, load average ${f.machine.loadAverage1m} during the run
written to ${OUT}`);
