// Loads a CommonJS bundle (dist/cli.cjs) with a V8 code cache, so a fresh process does not parse and compile the
// same JavaScript again on every run. Node 20 has no compile cache of its own (module.enableCompileCache is Node 22);
// this is the same idea, for one file. Built into dist/code-cache.cjs by scripts/build.mjs; bin/pg-preflight.js uses it.
//
// Soundness:
// - An entry holds a copy of the bundle it was made from and is used only if that copy equals the bundle byte for byte
//   (a memcmp: cheaper than hashing, and exact). V8's own check compares only the source's length.
// - Entries are per bundle path, Node and V8 version, architecture and V8 flags (execArgv, NODE_OPTIONS, the flags the
//   caller sets), which V8 also checks.
// - V8 does not checksum code caches in release builds, so the payload is stored twice and used only if both copies
//   agree: a truncated or corrupt file is ignored. Writes go to a temporary file renamed into place, so a reader never
//   sees half a file.
// - Any failure (no cache directory, read-only disk, rejected data) falls back to compiling normally: a cache problem
//   costs time, never a run.
// - The cache lives in the user's own cache directory (never a shared temp folder: V8 trusts cached bytecode).
//   PG_PREFLIGHT_CODE_CACHE=off disables it; PG_PREFLIGHT_CODE_CACHE=<dir> puts it elsewhere.
// (No node:crypto: loading it costs more than the whole cache saves on the analyzer's own start.)
//
// When the entry is missing or rejected, it is written when the process exits, after the run, so it holds the
// functions the run compiled lazily too (which is most of the saving).
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

const MAGIC = 'pg-preflight-v8-code-cache-2';

function cacheDir(): string | undefined {
  const env = process.env.PG_PREFLIGHT_CODE_CACHE;
  if (env === 'off' || env === '0') return undefined;
  if (env) return env;
  if (process.platform === 'win32') {
    const base = process.env.LOCALAPPDATA;
    return base ? join(base, 'pg-preflight', 'v8-code-cache') : undefined;
  }
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : undefined);
  return base ? join(base, 'pg-preflight', 'v8-code-cache') : undefined;
}

/** FNV-1a of a short string, for file names (the content itself is compared, not hashed). */
function nameHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export interface LoadedBundle {
  exports: any;
  /** 'hit' (cache accepted), 'miss' (no entry: written at exit), 'rejected' (V8 refused it: rewritten), 'off'. */
  codeCache: 'hit' | 'miss' | 'rejected' | 'off';
}

/**
 * V8 flags of the CLI process (bin/pg-preflight.js). `--liftoff-only`: the parser's WASM stays on V8's baseline
 * compiler. With tier-up on, a lint of even one small file makes V8 start optimising the parser's largest functions
 * (libpg_query's grammar is one 260 KB function) on a background thread, and Node waits for that job before the
 * process can exit: hundreds of ms after the result. Over 1,500 corpus files in one process Liftoff-only also used
 * less CPU than tier-up (the optimising compiles cost more than they saved).
 */
export const CLI_V8_FLAGS: readonly string[] = ['--liftoff-only'];

/**
 * require(file), compiled with a code cache when one is available. `v8Flags` are set (v8.setFlagsFromString) before
 * anything is compiled and are part of the cache key.
 */
export function loadBundle(file: string, options: { v8Flags?: readonly string[] } = {}): LoadedBundle {
  // node:v8 only when needed: loading it costs ~2 ms (streams and more), a third of what the cache saves.
  if (options.v8Flags?.length) {
    const v8: typeof import('node:v8') = createRequire(__filename)('node:v8');
    for (const flag of options.v8Flags) v8.setFlagsFromString(flag);
  }
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  const dir = cacheDir();
  let entry: string | undefined;
  let cachedData: Buffer | undefined;
  if (dir) {
    try {
      const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? '', ...(options.v8Flags ?? [])].join('\u0000');
      const id = nameHash([dirname(file), process.versions.v8, flags].join('\u0000'));
      entry = join(dir, `${basename(file)}-${process.version}-${process.arch}-${id}.bin`);
      cachedData = readEntry(entry, bytes);
    } catch { cachedData = undefined; }
  }
  let script: vm.Script;
  try {
    script = compile(source, file, cachedData);
  } catch (err) {
    if (!cachedData) throw err;
    cachedData = undefined;
    script = compile(source, file, undefined);
  }
  const codeCache = !dir ? 'off' : !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  if (entry && codeCache !== 'hit') {
    const target = entry;
    process.once('exit', () => writeEntry(target, bytes, script));
  }
  const mod = new Module(file, undefined) as any;
  mod.filename = file;
  mod.paths = (Module as any)._nodeModulePaths(dirname(file));
  (Module as any)._cache[file] = mod;
  const wrapper = script.runInThisContext();
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, codeCache };
}

function compile(source: string, filename: string, cachedData: Buffer | undefined): vm.Script {
  // As Node's own CommonJS loader: the module wrapper, and import() through the main context's loader.
  return new vm.Script(Module.wrap(source), {
    filename, cachedData, importModuleDynamically: (vm as any).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

// An entry: MAGIC \n {"source":n,"payload":m} \n the bundle (n bytes) · the V8 data (m bytes) · the V8 data again.
function readEntry(path: string, bundle: Buffer): Buffer | undefined {
  let buf: Buffer;
  try { buf = readFileSync(path); } catch { return undefined; }
  try {
    const nl1 = buf.indexOf(10);
    const nl2 = nl1 < 0 ? -1 : buf.indexOf(10, nl1 + 1);
    if (nl2 < 0 || buf.toString('latin1', 0, nl1) !== MAGIC) return undefined;
    const { source, payload } = JSON.parse(buf.toString('latin1', nl1 + 1, nl2));
    const at = nl2 + 1;
    if (source !== bundle.length || !(payload > 0) || buf.length !== at + source + 2 * payload) return undefined;
    if (!bundle.equals(buf.subarray(at, at + source))) return undefined;
    const data = buf.subarray(at + source, at + source + payload);
    return data.equals(buf.subarray(at + source + payload)) ? data : undefined;
  } catch { return undefined; }
}

const KEEP = 8;

function writeEntry(path: string, bundle: Buffer, script: vm.Script): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const payload = script.createCachedData();
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const header = Buffer.from(`${MAGIC}\n${JSON.stringify({ source: bundle.length, payload: payload.length })}\n`, 'latin1');
    writeFileSync(tmp, Buffer.concat([header, bundle, payload, payload]), { mode: 0o600 });
    renameSync(tmp, path);
    // Entries of earlier builds, Node versions or flag sets are never read again: keep the newest few.
    const old = readdirSync(dir).filter((n) => n.endsWith('.bin')).map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t).slice(KEEP);
    for (const { n } of old) unlinkSync(join(dir, n));
  } catch {
    try { unlinkSync(tmp); } catch { /* nothing to clean */ }
  }
}
