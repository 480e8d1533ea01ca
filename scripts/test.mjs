#!/usr/bin/env node
// npm test — runs the test layers in order with Node's test runner and ends with one plain line
// "N passed, N failed, N skipped". Exits non-zero when any layer fails (a later layer still runs, so one report
// shows everything).
//   unit  test/unit/**/*.test.ts                              (node --import tsx --test)
//   pg    test/pg/**/*.test.ts, one file at a time             (real clusters; PG_MAJORS=13,15,18 by default)
//   host  npm run test:host (VS Code extension host; tools installed on first use, cached by lockfile hash)
// All three run by default; TEST_LAYERS=unit,pg picks layers; extra arguments are passed to every node --test run (e.g. --test-name-pattern=x).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Files under `dir` (relative to the repository) whose names end with `suffix`, sorted. */
function findTests(dir, suffix = '.test.ts') {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, withFileTypes: false })
    .map(String)
    .filter((f) => f.endsWith(suffix) && !f.split(path.sep).includes('node_modules'))
    .map((f) => path.join(dir, f))
    .sort();
}

const LAYERS = {
  unit: { kind: 'node-test', files: () => findTests('test/unit'), args: [] },
  pg: { kind: 'node-test', files: () => findTests('test/pg'), args: ['--test-concurrency=1'] },
  host: { kind: 'command', cmd: process.execPath, args: [path.join(ROOT, 'scripts/host/test-host.mjs')] },
};
const DEFAULT_LAYERS = ['unit', 'pg', 'host'];

function run(cmd, args, { tee = true } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (tee) process.stdout.write(d); });
    child.on('error', (err) => { console.error(`test: cannot run ${cmd}: ${err.message}`); resolve({ code: 1, out }); });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

/** One layer through node --test: spec reporter on the console, TAP to a file for the counts. */
async function runNodeTests(name, layer, extra) {
  const files = layer.files();
  if (!files.length) {
    console.log(`\n== ${name}: no test files, skipped`);
    return { passed: 0, failed: 0, skipped: 0, code: 0 };
  }
  const tap = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pg-preflight-test-')), `${name}.tap`);
  console.log(`\n== ${name}: ${files.length} file(s)`);
  const t0 = Date.now();
  const { code } = await run(process.execPath, [
    '--import', 'tsx', '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...layer.args, ...extra, ...files,
  ]);
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  fs.rmSync(path.dirname(tap), { recursive: true, force: true });
  const count = (key) => {
    const m = [...text.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))].pop();
    return m ? Number(m[1]) : 0;
  };
  const passed = count('pass');
  let failed = count('fail') + count('cancelled');
  const skipped = count('skipped') + count('todo');
  if (code !== 0 && failed === 0) failed = 1; // crashed before reporting, or a hook failed
  console.log(`== ${name}: ${passed} passed, ${failed} failed, ${skipped} skipped (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return { passed, failed, skipped, code };
}

async function runCommand(name, layer) {
  console.log(`\n== ${name}`);
  const { code, out } = await run(layer.cmd, layer.args);
  const m = [...out.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/gm)].pop();
  const passed = m ? Number(m[1]) : 0;
  let failed = m ? Number(m[2]) : 0;
  const skipped = m?.[3] ? Number(m[3]) : 0;
  if (code !== 0 && failed === 0) failed = 1;
  return { passed, failed, skipped, code };
}

async function main() {
  const wanted = (process.env.TEST_LAYERS ?? DEFAULT_LAYERS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((l) => !(l in LAYERS));
  if (unknown.length) {
    console.error(`test: unknown layer(s) ${unknown.join(', ')}; known: ${Object.keys(LAYERS).join(', ')}`);
    console.log('0 passed, 1 failed');
    return 2;
  }
  const extra = process.argv.slice(2);
  const total = { passed: 0, failed: 0, skipped: 0 };
  let exit = 0;
  for (const name of wanted) {
    const layer = LAYERS[name];
    const r = layer.kind === 'node-test' ? await runNodeTests(name, layer, extra) : await runCommand(name, layer);
    total.passed += r.passed;
    total.failed += r.failed;
    total.skipped += r.skipped;
    if (r.code !== 0 || r.failed) exit = 1;
  }
  console.log('');
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return exit;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(err);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
