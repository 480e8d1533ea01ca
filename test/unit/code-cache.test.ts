// The CLI's V8 code cache (src/code-cache.ts): a later run uses it, and a cache that does not match the bundle byte
// for byte, or is corrupt, or is turned off, is never used — the run goes on as without it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const REPO = resolve(import.meta.dirname, '..', '..');

describe('V8 code cache of the CLI bundle', () => {
  let dir: string;
  let cache: string;
  let bundle: string;
  let runner: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgpf-code-cache-'));
    cache = join(dir, 'cache');
    bundle = join(dir, 'bundle.cjs');
    runner = join(dir, 'run.mts');
    writeFileSync(runner, `import { loadBundle } from ${JSON.stringify(join(REPO, 'src', 'code-cache.ts'))};
const r = loadBundle(process.argv[2]);
process.stdout.write(JSON.stringify({ codeCache: r.codeCache, value: r.exports.value() }));
`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', runner, bundle], {
      cwd: REPO, encoding: 'utf8', env: { ...process.env, PG_PREFLIGHT_CODE_CACHE: cache, ...env },
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { codeCache: string; value: string };
  };
  const entries = () => { try { return readdirSync(cache).filter((n) => n.endsWith('.bin')); } catch { return []; } };
  const source = (word: string) => `exports.value = function () { return ${JSON.stringify(word)} + [1, 2, 3].map((x) => x * 2).join(''); };\n`;

  it('is written after a first run and used by the next', () => {
    writeFileSync(bundle, source('alpha'));
    assert.deepEqual(run(), { codeCache: 'miss', value: 'alpha246' });
    assert.equal(entries().length, 1);
    assert.deepEqual(run(), { codeCache: 'hit', value: 'alpha246' });
  });

  it('is not used for a bundle that changed, even to one of the same length', () => {
    writeFileSync(bundle, source('omega'));
    assert.deepEqual(run(), { codeCache: 'miss', value: 'omega246' });
    assert.deepEqual(run(), { codeCache: 'hit', value: 'omega246' });
  });

  it('ignores a corrupt or truncated entry and writes it again', () => {
    const entry = join(cache, entries()[0]);
    const bytes = readFileSync(entry);
    bytes[bytes.length - 1] ^= 0xff; // the second copy of the V8 data no longer equals the first
    writeFileSync(entry, bytes);
    assert.deepEqual(run(), { codeCache: 'miss', value: 'omega246' });
    assert.deepEqual(run(), { codeCache: 'hit', value: 'omega246' });
    writeFileSync(entry, bytes.subarray(0, bytes.length >> 1));
    assert.deepEqual(run(), { codeCache: 'miss', value: 'omega246' });
  });

  it('is off with PG_PREFLIGHT_CODE_CACHE=off: nothing read or written', () => {
    rmSync(cache, { recursive: true, force: true });
    assert.deepEqual(run({ PG_PREFLIGHT_CODE_CACHE: 'off' }), { codeCache: 'off', value: 'omega246' });
    assert.deepEqual(entries(), []);
  });
});
