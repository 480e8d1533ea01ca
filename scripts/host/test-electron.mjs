#!/usr/bin/env node
// npm run test:electron — the same in-host suites in desktop VS Code, downloaded by @vscode/test-electron. For
// contributors with internet access; CI runs npm run test:host instead (no download possible there). The UI
// checkpoint and packaged suites need the code-server launcher and are left out here.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const node = (args, cwd = ROOT) => {
  const r = spawnSync(process.execPath, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
};
node([join(ROOT, 'scripts/build.mjs')]);
node([join(ROOT, 'scripts/host/build-tests.mjs')]);

// mocha, at the version the host tools pin, in a small cache of its own (not the 800 MB code-server install).
const version = JSON.parse(readFileSync(join(ROOT, '.vscode-host/package.json'), 'utf8')).dependencies.mocha;
const mochaDir = join(homedir(), '.cache', 'pg-preflight-host', `mocha-${version}`);
if (!existsSync(join(mochaDir, 'node_modules/mocha'))) {
  mkdirSync(mochaDir, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', mochaDir, '--no-save', '--no-audit', '--no-fund', `mocha@${version}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}

const tmp = mkdtempSync(join(tmpdir(), 'pg-preflight-electron-'));
const workspace = join(tmp, 'workspace');
cpSync(join(ROOT, 'test/fixtures/workspace'), workspace, { recursive: true });
try {
  await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'out/host/suite/index.cjs'),
    launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes', '--disable-workspace-trust', `--user-data-dir=${join(tmp, 'user')}`],
    extensionTestsEnv: {
      PG_PREFLIGHT_MOCHA: join(mochaDir, 'node_modules/mocha'),
      PG_PREFLIGHT_REPO: ROOT,
      PG_PREFLIGHT_TEST_LOG: join(tmp, 'mocha.log'),
      PG_PREFLIGHT_HOST_SUITES: 'activation,diagnostics,hover-lens,code-actions,config,commands,parity',
    },
  });
} catch (e) {
  console.error(`test:electron: ${e?.message ?? e}`);
  process.exit(1);
}
