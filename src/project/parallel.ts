// Linting many files on every core: `pg-preflight lint` over a repository's migrations. The files of one folder share a
// growing schema (each migration starts from the earlier ones, lint.ts), so whole folders go to worker threads, the
// largest first, each linted by `lintFiles` exactly as the sequential path lints it. The results come back in the order
// of the input, reduced to what the reports read (`reportResult`), so every output format is byte-identical to the
// sequential path's. A handful of files, or a single folder, is linted in this thread: a worker's start-up (its own
// copy of the parser and the analyzer) would cost more than it saves. When workers cannot start or fail, what they
// did not finish is linted in this thread.
import { statSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadParser } from '../analyzer/parse.js';
import type { SchemaModel } from '../analyzer/schema.js';
import type { Config } from '../config/config.js';
import { folderKey, lintFiles, loadSchemaDump, reportResult, type FileLint } from './lint.js';
import { displayPath, renderJsonFile } from './json-output.js';
import type { FromWorker, ToWorker, WorkerInit } from './lint-worker.js';
// The CLI bundle carries the worker's code: its threads load the bundle itself (see lint-worker.ts).
import './lint-worker.js';

export interface ParallelOptions {
  /** Worker threads to use (default defaultWorkerCount()); never more than there are folders. Below 2, this thread lints. */
  workers?: number;
  /** What a worker runs: the CLI bundle (the default when running from it) or src/project/lint-worker.ts under tsx. */
  script?: string | URL;
  /** Below this many files this thread lints (default MIN_PARALLEL_FILES). */
  minFiles?: number;
  /** Render each file's `--format json` part where it is linted (FileLint.rendered) instead of returning its result. */
  json?: JsonRendering;
}

/** How the CLI renders a file's JSON report: the target major, and the folder paths are shown relative to. */
export interface JsonRendering { pgVersion: number; cwd: string }

/**
 * Below this many files one thread is faster: a worker costs its start-up (the bundle, the parser's WASM, ~50–100 ms)
 * and warms up V8's compiled code on its own, which only pays off over a few hundred files.
 */
export const MIN_PARALLEL_FILES = 200;

/** The worker script when running from the CLI bundle (dist/cli.cjs holds the worker's code); otherwise undefined. */
export function defaultWorkerScript(): string | undefined {
  return typeof __filename === 'string' && __filename.endsWith('.cjs') ? __filename : undefined;
}

/**
 * One worker per core, from 3 cores up. On 2 cores one thread is as fast: V8's own background threads (optimising
 * compiler, concurrent GC) already keep the second core busy, and each worker warms up the analyzer's code again
 * (measured over the 4,353-file corpus: 2 workers took as long as 1 thread, with ~10% more CPU).
 */
export function defaultWorkerCount(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores >= 3 ? cores : 0;
}

interface Group { files: string[]; indexes: number[]; bytes: number }

/** Files grouped as lintFiles groups them (one schema history per folder key), each group in input order. */
export function folderGroups(files: string[]): Group[] {
  const byKey = new Map<string, Group>();
  files.forEach((f, i) => {
    const key = folderKey(f);
    let g = byKey.get(key);
    if (!g) byKey.set(key, g = { files: [], indexes: [], bytes: 0 });
    g.files.push(f);
    g.indexes.push(i);
  });
  return [...byKey.values()];
}

function sizeOf(path: string): number {
  try { return statSync(path).size; } catch { return 0; }
}

/**
 * `lintFiles` on worker threads: the same results in the same order, each reduced by `reportResult`.
 * `dump` is the schema of `config.schema` when already loaded (workers load it again from the file).
 */
export async function lintFilesParallel(files: string[], config: Config, dump?: SchemaModel, options: ParallelOptions = {}): Promise<FileLint[]> {
  if (!dump) {
    if (config.schema) await loadParser();
    dump = loadSchemaDump(config.schema);
  }
  const base = dump;
  const groups = folderGroups(files);
  const script = options.script ?? defaultWorkerScript();
  const count = Math.min(options.workers ?? defaultWorkerCount(), groups.length);
  const out: FileLint[] = new Array(files.length);
  const here = async (pending: Group[]) => {
    if (!pending.length) return;
    await loadParser();
    for (const g of pending) place(out, g, lintFiles(g.files, config, base, (l) => reduceLint(l, options.json)));
  };
  if (!script || count < 2 || files.length < (options.minFiles ?? MIN_PARALLEL_FILES)) {
    await here(groups);
    return out;
  }
  // The workers start at once (each loads the analyzer and the parser); meanwhile the queue is put in order, largest
  // folders first so the last ones to finish are small. No worker takes a group before this function yields.
  const queue = [...groups];
  const finished = runWorkers(script, count, { pgPreflightLintWorker: true, config, json: options.json }, queue, out);
  for (const g of groups) for (const f of g.files) g.bytes += sizeOf(f);
  queue.sort((a, b) => b.bytes - a.bytes);
  await here(await finished);
  return out;
}

/** What leaves a worker for one file: the reduced result, or the rendered report. */
export function reduceLint(l: FileLint, json: JsonRendering | undefined): FileLint {
  if (json) return { path: l.path, error: l.error, rendered: renderJsonFile({ ...l, path: displayPath(json.cwd, l.path) }, json.pgVersion) };
  return l.result ? { ...l, result: reportResult(l.result) } : l;
}

function place(out: FileLint[], g: Group, lints: FileLint[]): void {
  g.indexes.forEach((at, j) => { out[at] = lints[j]; });
}

/** Feeds the queue to `count` workers; resolves with the groups no worker finished. */
function runWorkers(script: string | URL, count: number, init: WorkerInit, queue: Group[], out: FileLint[]): Promise<Group[]> {
  return new Promise((resolveAll) => {
    const failed: Group[] = [];
    let running = 0;
    const startOne = () => {
      let worker: Worker;
      try {
        worker = new Worker(script, { workerData: init, stdout: true, stderr: true });
      } catch {
        return;
      }
      running++;
      let current: Group | undefined;
      let done = false;
      const next = () => {
        current = queue.shift();
        if (current) worker.postMessage({ type: 'group', id: 0, files: current.files } satisfies ToWorker);
        else finish();
      };
      const finish = (lost?: boolean) => {
        if (done) return;
        done = true;
        if (lost && current) failed.push(current);
        current = undefined;
        if (lost) void worker.terminate(); else worker.postMessage({ type: 'exit' } satisfies ToWorker);
        worker.unref();
        if (--running === 0) resolveAll([...failed, ...queue.splice(0)]);
      };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') next();
        else if (m.type === 'result' && current) { place(out, current, m.lints); next(); }
        else if (m.type === 'failed') finish(true);
      });
      worker.on('error', () => finish(true));
      worker.on('exit', () => finish(true));
    };
    for (let i = 0; i < count; i++) startOne();
    if (running === 0) resolveAll(queue.splice(0));
  });
}
