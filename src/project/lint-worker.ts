// The worker thread of `lintFilesParallel` (parallel.ts). It lints whole folder groups with `lintFiles`, exactly as the
// sequential path does, and sends back what the reports need (`reportResult`).
//
// In the CLI bundle (dist/cli.cjs) this module is part of the bundle: the worker loads the bundle itself, and this
// module's top level starts the loop only in a thread started with `workerData.pgPreflightLintWorker`. From the sources
// (tsx, tests) the worker loads this file directly.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadParser } from '../analyzer/parse.js';
import type { Config } from '../config/config.js';
import { lintFiles, loadSchemaDump, type FileLint } from './lint.js';
import { reduceLint, type JsonRendering } from './parallel.js';

export interface WorkerInit { pgPreflightLintWorker: true; config: Config; json?: JsonRendering }
export type ToWorker = { type: 'group'; id: number; files: string[] } | { type: 'exit' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; lints: FileLint[] }
  | { type: 'failed'; message: string };

async function serve(init: WorkerInit): Promise<void> {
  const port = parentPort!;
  const post = (m: FromWorker) => port.postMessage(m);
  try {
    await loadParser();
    const dump = loadSchemaDump(init.config.schema);
    port.on('message', (m: ToWorker) => {
      if (m.type === 'exit') { port.close(); return; }
      try {
        const lints = lintFiles(m.files, init.config, dump, (l) => reduceLint(l, init.json));
        const buffers = lints.flatMap((l) => (l.rendered ? [l.rendered.json.buffer as ArrayBuffer] : []));
        port.postMessage({ type: 'result', id: m.id, lints } satisfies FromWorker, buffers);
      } catch (err) {
        post({ type: 'failed', message: String((err as Error)?.message ?? err) });
      }
    });
    post({ type: 'ready' });
  } catch (err) {
    post({ type: 'failed', message: String((err as Error)?.message ?? err) });
  }
}

if (!isMainThread && (workerData as WorkerInit | undefined)?.pgPreflightLintWorker === true && parentPort) {
  void serve(workerData as WorkerInit);
}
