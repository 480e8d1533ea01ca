#!/usr/bin/env node
// npm run test:host — the extension tested where it runs: a real VS Code extension host (code-server + chromium),
// offline. Installs the host tools on first use (cached per lockfile), builds the extension bundle and the suites,
// runs them against the development folder, then packs the .vsix, installs it into code-server and runs the
// packaged checks. Ends with one plain "N passed, N failed" line; exits non-zero on any failure.
//   HOST_TEST_VERBOSE=1 forwards code-server and browser output; PG_PREFLIGHT_HOST_SUITES=a,b runs a subset.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHostTools } from './install.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const t0 = Date.now();
const step = (s) => console.log(`[test:host +${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);

function runSync(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) { console.error(`test:host: ${[cmd, ...args].join(' ')} failed`); console.log('0 passed, 1 failed'); process.exit(r.status || 1); }
}

/** Runs the launcher, echoing its output, and returns its exit code with mocha's counts. */
function launch(args) {
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/host/run.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.on('exit', (code) => {
      const m = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
      res({ code: code ?? 1, passed: m ? Number(m[1]) : 0, failed: m ? Number(m[2]) : 0 });
    });
  });
}

if (!existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium') || !existsSync('/usr/include/gssapi/gssapi.h')) {
  step('installing apt packages (scripts/host/install-deps.sh)');
  runSync('bash', [join(ROOT, 'scripts/host/install-deps.sh')]);
}
step('host tools');
try { step(`host tools in ${ensureHostTools()}`); } catch (e) { console.error(`test:host: ${e.message}`); console.log('0 passed, 1 failed'); process.exit(2); }
step('building the extension and the suites');
runSync(process.execPath, [join(ROOT, 'scripts/build.mjs')]);
runSync(process.execPath, [join(ROOT, 'scripts/host/build-tests.mjs')]);

const runs = [];
const suites = process.env.PG_PREFLIGHT_HOST_SUITES;
step('suites in the development extension host');
runs.push(['development', await launch(suites ? ['--suites', suites] : [])]);
if (!suites || suites.split(',').includes('packaged')) {
  step('packing the .vsix');
  const vsix = join(ROOT, 'out/host/pg-preflight-test.vsix');
  runSync(process.execPath, [join(ROOT, 'scripts/host/package.mjs'), '--out', vsix]);
  step('the packaged .vsix installed into code-server');
  runs.push(['packaged', await launch(['--vsix', vsix, '--suites', 'activation,packaged'])]);
}

let passed = 0, failed = 0;
for (const [name, r] of runs) {
  // A run that died before mocha reported counts as one failure.
  const f = r.failed + (r.code !== 0 && r.failed === 0 ? 1 : 0);
  console.log(`${name}: ${r.passed} passed, ${f} failed (exit ${r.code})`);
  passed += r.passed; failed += f;
}
console.log(`host tests took ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots and logs in .test-artifacts/host/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
