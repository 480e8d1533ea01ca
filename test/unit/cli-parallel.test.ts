// `pg-preflight lint` over many files on worker threads (project/parallel.ts) must print exactly what the sequential
// path prints, in every format, with the same exit status: folders with a schema history, Prisma folders, down
// migrations, parse problems, unreadable files, stdin. The --format json text, joined from per-file parts, must equal
// JSON.stringify(toJson(…)) of the sequential results. Workers that fail leave their folders to the main thread.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run, type Io } from '../../src/cli/main.js';
import { loadParser } from '../../src/analyzer/parse.js';
import { lintFiles } from '../../src/project/lint.js';
import { expandPaths } from '../../src/project/files.js';
import { folderGroups, lintFilesParallel } from '../../src/project/parallel.js';
import { displayPath, joinJson, renderJsonFile } from '../../src/project/json-output.js';
import { toJson } from '../../src/report/lint-report.js';

const WORKER = new URL('../../src/project/lint-worker.ts', import.meta.url);
const CORPUS = process.env.PG_PREFLIGHT_CORPUS ? resolve(process.env.PG_PREFLIGHT_CORPUS) : resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

function io(cwd: string, env: Record<string, string>, script?: URL | string, stdin = '', bytes = false): Io & { out: string; err: string } {
  const o: Io & { out: string; err: string } = {
    out: '', err: '', cwd, isTTY: false, env, lintWorkerScript: script,
    stdout(s: string) { o.out += s; }, stderr(s: string) { o.err += s; },
    readStdin: async () => stdin,
  };
  // As the real CLI writes large JSON: bytes.
  if (bytes) o.stdoutBytes = (b: Uint8Array) => { o.out += Buffer.from(b).toString('utf8'); };
  return o;
}

/** Four folders of migrations (one Prisma-style), 60 files, with history that matters, down files and broken ones. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgpf-par-'));
  const put = (p: string, text: string) => { mkdirSync(join(dir, p, '..'), { recursive: true }); writeFileSync(join(dir, p), text); };
  for (let i = 1; i <= 20; i++) {
    const n = String(i).padStart(3, '0');
    put(`app/migrations/${n}_step.sql`, i === 1
      ? 'CREATE TABLE accounts (id int PRIMARY KEY, email varchar(80), payload json, created timestamp);\n'
      : i % 5 === 0 ? `ALTER TABLE accounts DROP COLUMN c${i - 1};\n-- é ünïcode\nCREATE INDEX accounts_${i} ON accounts (email);\n`
        : `ALTER TABLE accounts ADD COLUMN c${i} int NOT NULL DEFAULT ${i};\nALTER TABLE accounts ALTER COLUMN c${i} DROP NOT NULL;\n`);
    put(`app/migrations/${n}_step.down.sql`, `ALTER TABLE accounts DROP COLUMN IF EXISTS c${i};\n`);
  }
  for (let i = 1; i <= 12; i++) {
    put(`web/prisma/migrations/2024010${String(i).padStart(2, '0')}000000_m${i}/migration.sql`, i === 1
      ? 'CREATE TABLE "User" ("id" SERIAL NOT NULL, "name" TEXT, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
      : `ALTER TABLE "User" ADD COLUMN "f${i}" TEXT;\nCREATE UNIQUE INDEX "User_f${i}_key" ON "User"("f${i}");\nBEGIN;\nUPDATE "User" SET "f${i}" = 'x';\nALTER TABLE "User" ALTER COLUMN "f${i}" SET NOT NULL;\nCOMMIT;\n`);
  }
  for (let i = 1; i <= 6; i++) {
    put(`svc/db/V${i}__change.sql`, i === 3 ? 'SELECT (;\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES accounts (id);\n'
      : `CREATE TABLE IF NOT EXISTS orders${i} (a int REFERENCES orders${i} (a));\nDROP INDEX orders_idx_${i};\nVACUUM FULL orders;\n`);
  }
  put('svc/db/R__views.sql', 'CREATE OR REPLACE VIEW v AS SELECT 1;\n');
  put('other/one.sql', 'TRUNCATE big;\nREINDEX TABLE big;\nREFRESH MATERIALIZED VIEW mv;\n');
  mkdirSync(join(dir, 'other', 'dir.sql')); // a folder named like a file is not a migration
  return dir;
}

const FORMATS = ['json', 'sarif', 'text', 'github'] as const;

describe('lint on worker threads', () => {
  before(async () => { await loadParser(); });

  it('groups files by folder as lintFiles does', () => {
    const groups = folderGroups(['/a/x/1.sql', '/a/y/p/migration.sql', '/a/x/2.sql', '/a/y/q/migration.sql', '/a/y/3.sql']);
    assert.deepEqual(groups.map((g) => g.indexes), [[0, 2], [1, 3, 4]]);
  });

  it('prints byte-identical output with the same exit status in every format', async () => {
    const dir = project();
    for (const format of FORMATS) {
      for (const extra of [[], ['--fail-on', 'warning'], ['--no-earlier-migrations']]) {
        const argv = ['lint', '--format', format, ...extra, '.'];
        const seq = io(dir, { PG_PREFLIGHT_WORKERS: '0' });
        const par = io(dir, { PG_PREFLIGHT_WORKERS: '2' }, WORKER, '', true);
        const seqCode = await run(argv, seq);
        const parCode = await run(argv, par);
        assert.equal(par.err, seq.err, argv.join(' '));
        assert.equal(parCode, seqCode, argv.join(' '));
        assert.ok(seq.out.length > 1000, `${argv.join(' ')}: ${seq.out.slice(0, 200)}`);
        assert.equal(par.out, seq.out, argv.join(' '));
      }
    }
    // With stdin among the files.
    const seq = io(dir, { PG_PREFLIGHT_WORKERS: '0' }, undefined, 'CREATE INDEX i ON accounts (email);\n');
    const par = io(dir, { PG_PREFLIGHT_WORKERS: '2' }, WORKER, 'CREATE INDEX i ON accounts (email);\n');
    assert.equal(await run(['lint', '--format', 'json', '-', 'app', 'web', 'svc'], par), await run(['lint', '--format', 'json', '-', 'app', 'web', 'svc'], seq));
    assert.equal(par.out, seq.out);
  });

  it('joins per-file JSON parts into exactly JSON.stringify(toJson(…), null, 2)', async () => {
    const dir = project();
    const files = expandPaths(['.'], dir);
    const reports = lintFiles(files, {}).map((l) => ({ ...l, path: displayPath(dir, l.path) }));
    for (const pgVersion of [13, 18]) {
      const whole = JSON.stringify(toJson(reports, pgVersion), null, 2);
      assert.equal(joinJson(reports.map((r) => renderJsonFile(r, pgVersion).json), pgVersion).map((b) => b.toString('utf8')).join(''), whole);
      assert.equal(joinJson(reports.map((r) => renderJsonFile(r, pgVersion).json), pgVersion, 64).map((b) => b.toString('utf8')).join(''), whole);
    }
    assert.equal(joinJson([], 16).join(''), JSON.stringify(toJson([], 16), null, 2));
    assert.equal(joinJson([renderJsonFile(reports[0], 16).json], 16).join(''), JSON.stringify(toJson([reports[0]], 16), null, 2));
  });

  it('lints on this thread what failed workers did not finish', async () => {
    const dir = project();
    const files = expandPaths(['.'], dir);
    const want = await lintFilesParallel(files, {}, undefined, { workers: 0 });
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, 'throw new Error("no worker today");\n');
    const got = await lintFilesParallel(files, {}, undefined, { workers: 2, script: broken, minFiles: 1 });
    assert.deepEqual(got, want);
    const missing = await lintFilesParallel(files, {}, undefined, { workers: 2, script: join(dir, 'nowhere.mjs'), minFiles: 1 });
    assert.deepEqual(missing, want);
  });

  it('gives the sequential results over part of the corpus', { skip: !existsSync(CORPUS) && `no corpus at ${CORPUS}` }, async () => {
    const sources = readdirSync(CORPUS).filter((d) => ['harbor', 'concourse', 'ory-kratos', 'authelia'].includes(d));
    const files = expandPaths(sources, CORPUS);
    assert.ok(files.length > 300, `${files.length} files`);
    const json = { pgVersion: 16, cwd: CORPUS };
    const seq = await lintFilesParallel(files, {}, undefined, { workers: 0, json });
    const par = await lintFilesParallel(files, {}, undefined, { workers: 2, script: WORKER, json });
    assert.deepEqual(par, seq);
  });
});
