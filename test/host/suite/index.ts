// Entry point loaded by the extension host (extensionTestsPath). VS Code calls run() inside the Node extension host
// and waits for the returned promise. mocha comes from the host tools (PG_PREFLIGHT_MOCHA), not from the project.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';

interface MochaStats { passes: number; failures: number; pending: number; duration?: number }
interface MochaRunner { stats?: MochaStats }
interface MochaInstance { addFile(f: string): void; run(cb: (failures: number) => void): MochaRunner }
interface MochaCtor {
  new (opts: Record<string, unknown>): MochaInstance;
  reporters: { Base: { consoleLog: (...a: unknown[]) => void } };
}

export function run(): Promise<void> {
  const mochaPath = process.env.PG_PREFLIGHT_MOCHA ?? 'mocha';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(mochaPath) as MochaCtor;
  // Console output forwarded through the browser is mangled: mirror the reporter into a file the launcher prints.
  const logFile = process.env.PG_PREFLIGHT_TEST_LOG;
  const base = Mocha.reporters.Base;
  const orig = base.consoleLog;
  base.consoleLog = (...a: unknown[]) => { if (logFile) fs.appendFileSync(logFile, format(...a) + '\n'); orig(...a); };

  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30000, reporter: 'spec' });
  const only = (process.env.PG_PREFLIGHT_HOST_SUITES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (!f.endsWith('.test.cjs')) continue;
    const name = f.replace(/^\d+-/, '').replace(/\.test\.cjs$/, '');
    // The benchmark (scripts/host/bench.mjs) and the packaged checks (run.mjs --vsix) run only when named.
    if (only.length ? !only.includes(name) : name === 'bench' || name === 'packaged') continue;
    mocha.addFile(path.join(__dirname, f));
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats ?? { passes: 0, failures, pending: 0 };
      base.consoleLog(`host suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      base.consoleLog(`${s.passes} passed, ${s.failures} failed` + (s.pending ? `, ${s.pending} skipped` : ''));
      if (failures > 0) reject(new Error(`${failures} tests failed.`)); else resolve();
    });
  });
}
