// Parser comparison behind docs/decisions/0001-parser.md: libpg-query (the PostgreSQL 18 parser, WASM) vs
// pgsql-ast-parser 12.0.2 (devDependency for this benchmark only), over ../shared/corpus.
//
//   node --import tsx bench/parser.ts            # full run (about a minute: pgsql-ast-parser is slow)
//   node --import tsx bench/parser.ts --quick    # throughput on a 2,000-statement sample
//
// Measures: files that parse fully, statements that parse (the file split by our own splitter, each piece parsed
// alone), which statement kinds fail, a checklist of risky-DDL forms, warm throughput, one ~1,000-line file, cold start
// to first AST in a fresh process. Prints a table and writes bench/parser-results.json. Never fails.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { createRequire } from 'node:module';
import { loadModule, parseSync } from 'libpg-query';
import { parse as pgsqlAstParse } from 'pgsql-ast-parser';
import { splitStatements } from '../src/analyzer/split.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const CORPUS = resolve(REPO, '../shared/corpus');
const QUICK = process.argv.includes('--quick');
const require = createRequire(import.meta.url);

type Outcome = { ok: true; n: number } | { ok: false; crash: boolean; message: string };

function libpg(sql: string): Outcome {
  try {
    return { ok: true, n: (parseSync(sql) as { stmts?: unknown[] }).stmts?.length ?? 0 };
  } catch (err: any) {
    const message = String(err?.message ?? err);
    // Empty / comment-only input is not an error: there is no statement.
    if (message === 'Query cannot be empty') return { ok: true, n: 0 };
    return { ok: false, crash: !err?.sqlDetails, message: message.split('\n')[0] };
  }
}

const SYNTAX = /^(Syntax error|invalid syntax|Unexpected end of input)/;
function astParser(sql: string): Outcome {
  try {
    return { ok: true, n: pgsqlAstParse(sql).length };
  } catch (err: any) {
    const message = String(err?.message ?? err);
    return { ok: false, crash: !(err instanceof Error) || err.constructor !== Error || !SYNTAX.test(message), message: message.split('\n')[0] };
  }
}

function listSqlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listSqlFiles(p, out);
    else if (e.isFile() && e.name.endsWith('.sql')) out.push(p);
  }
  return out;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(2)} %` : '—');
const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Statement kind for the breakdown: the node type, with the first ALTER TABLE subcommand. */
function kindOf(sql: string): string {
  try {
    const stmt = (parseSync(sql) as any).stmts?.[0]?.stmt ?? {};
    const kind = Object.keys(stmt)[0] ?? '?';
    if (kind === 'AlterTableStmt') {
      const cmd = stmt.AlterTableStmt.cmds?.[0]?.AlterTableCmd;
      let sub = String(cmd?.subtype ?? '?').replace(/^AT_/, '');
      if (sub === 'AddConstraint' && cmd?.def?.Constraint?.skip_validation) sub += ' NOT VALID';
      return `AlterTableStmt/${sub}`;
    }
    if (kind === 'DropStmt') return `DropStmt/${String(stmt.DropStmt.removeType).replace(/^OBJECT_/, '')}`;
    return kind;
  } catch { return '?'; }
}

// Linter-relevant DDL forms: what a migration linter must read. Every one is valid PostgreSQL.
const RISKY_DDL: [string, string][] = [
  ['CREATE INDEX', 'CREATE INDEX i ON t (a)'],
  ['CREATE INDEX CONCURRENTLY', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)'],
  ['CREATE UNIQUE INDEX … WHERE', 'CREATE UNIQUE INDEX i ON t (a) WHERE deleted_at IS NULL'],
  ['DROP INDEX', 'DROP INDEX i'],
  ['DROP INDEX CONCURRENTLY', 'DROP INDEX CONCURRENTLY IF EXISTS i'],
  ['REINDEX', 'REINDEX INDEX i'],
  ['REINDEX CONCURRENTLY', 'REINDEX INDEX CONCURRENTLY i'],
  ['ALTER INDEX … RENAME', 'ALTER INDEX i RENAME TO j'],
  ['ADD COLUMN', 'ALTER TABLE t ADD COLUMN a int'],
  ['ADD COLUMN … DEFAULT now()', 'ALTER TABLE t ADD COLUMN a timestamptz NOT NULL DEFAULT now()'],
  ['ADD COLUMN … GENERATED STORED', 'ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a + b) STORED'],
  ['DROP COLUMN', 'ALTER TABLE t DROP COLUMN a'],
  ['ALTER COLUMN TYPE', 'ALTER TABLE t ALTER COLUMN a TYPE bigint'],
  ['ALTER COLUMN TYPE … USING', 'ALTER TABLE t ALTER COLUMN a TYPE int USING a::int'],
  ['SET NOT NULL', 'ALTER TABLE t ALTER COLUMN a SET NOT NULL'],
  ['DROP NOT NULL', 'ALTER TABLE t ALTER COLUMN a DROP NOT NULL'],
  ['SET DEFAULT', 'ALTER TABLE t ALTER COLUMN a SET DEFAULT 0'],
  ['ADD CONSTRAINT CHECK', 'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)'],
  ['ADD CONSTRAINT … NOT VALID', 'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID'],
  ['ADD FOREIGN KEY … NOT VALID', 'ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID'],
  ['VALIDATE CONSTRAINT', 'ALTER TABLE t VALIDATE CONSTRAINT c'],
  ['ADD PRIMARY KEY USING INDEX', 'ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX i'],
  ['ADD UNIQUE USING INDEX', 'ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i'],
  ['DROP CONSTRAINT', 'ALTER TABLE t DROP CONSTRAINT IF EXISTS c'],
  ['RENAME COLUMN', 'ALTER TABLE t RENAME COLUMN a TO b'],
  ['RENAME TABLE', 'ALTER TABLE t RENAME TO u'],
  ['SET TABLESPACE', 'ALTER TABLE t SET TABLESPACE fast'],
  ['SET LOGGED / UNLOGGED', 'ALTER TABLE t SET UNLOGGED'],
  ['ATTACH PARTITION', "ALTER TABLE t ATTACH PARTITION t_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"],
  ['DETACH PARTITION CONCURRENTLY', 'ALTER TABLE t DETACH PARTITION t_2024 CONCURRENTLY'],
  ['CREATE TABLE … PARTITION BY', 'CREATE TABLE t (ts timestamptz) PARTITION BY RANGE (ts)'],
  ['ENABLE / DISABLE TRIGGER', 'ALTER TABLE t DISABLE TRIGGER ALL'],
  ['CREATE TRIGGER', 'CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()'],
  ['DROP TRIGGER', 'DROP TRIGGER IF EXISTS tr ON t'],
  ['LOCK TABLE', 'LOCK TABLE t IN ACCESS EXCLUSIVE MODE'],
  ['VACUUM FULL', 'VACUUM FULL t'],
  ['CLUSTER', 'CLUSTER t USING i'],
  ['TRUNCATE … CASCADE', 'TRUNCATE t CASCADE'],
  ['DROP TABLE', 'DROP TABLE IF EXISTS t CASCADE'],
  ['DROP VIEW', 'DROP VIEW v'],
  ['REFRESH MATERIALIZED VIEW CONCURRENTLY', 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv'],
  ['CREATE OR REPLACE VIEW', 'CREATE OR REPLACE VIEW v AS SELECT a FROM t'],
  ['ALTER TYPE … ADD VALUE', "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'sad'"],
  ['ALTER DOMAIN ADD CONSTRAINT', 'ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID'],
  ['SET lock_timeout', "SET lock_timeout = '2s'"],
  ['SET LOCAL statement_timeout', "SET LOCAL statement_timeout = '5min'"],
  ['GRANT', 'GRANT SELECT ON t TO app'],
  ['DO $$ … $$', "DO $$ BEGIN RAISE NOTICE 'x'; END $$"],
  ['named dollar quote $body$', 'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN RETURN NEW; END $body$'],
  ['DROP FUNCTION (args)', 'DROP FUNCTION IF EXISTS f(int, text)'],
  ['BEGIN ATOMIC body', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END'],
  ['CREATE POLICY', 'CREATE POLICY p ON t USING (owner = current_user)'],
  ['ALTER SEQUENCE', 'ALTER SEQUENCE s RESTART WITH 100'],
  ['ADD IDENTITY', 'ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY'],
  ['named NOT NULL constraint (PG 18)', 'ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a'],
  ['CREATE STATISTICS', 'CREATE STATISTICS s ON a, b FROM t'],
  ['Prisma warning header (backticks in /* */)', '/*\n  Warnings:\n\n  - You are about to drop the column `x` on the `User` table. All the data in the column will be lost.\n\n*/\nALTER TABLE "User" DROP COLUMN "x"'],
  ["/* comment with one quote */", "/* it's gone */ ALTER TABLE t DROP COLUMN a"],
  ['COMMENT ON COLUMN', "COMMENT ON COLUMN t.a IS 'x'"],
  ['BEGIN / COMMIT', 'BEGIN'],
  ['CREATE EXTENSION', 'CREATE EXTENSION IF NOT EXISTS pg_trgm'],
];

/** Cold start to first AST in a fresh node: import, load, parse one statement. */
function coldStart(which: 'libpg-query' | 'pgsql-ast-parser'): { insideMs: number; wallMs: number } | { error: string } {
  const code = which === 'libpg-query'
    ? `const t0 = performance.now(); const m = await import(${JSON.stringify(require.resolve('libpg-query'))}); await m.loadModule(); m.parseSync('ALTER TABLE t ADD COLUMN a int'); process.stdout.write(String(performance.now() - t0));`
    : `const t0 = performance.now(); const m = await import(${JSON.stringify(require.resolve('pgsql-ast-parser'))}); m.parse('ALTER TABLE t ADD COLUMN a int'); process.stdout.write(String(performance.now() - t0));`;
  const inside: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < (QUICK ? 3 : 7); i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: REPO });
    walls.push(performance.now() - t0);
    if (r.status !== 0) return { error: r.stderr.split('\n').slice(0, 3).join(' | ') };
    inside.push(Number(r.stdout));
  }
  return { insideMs: round(median(inside)), wallMs: round(median(walls)) };
}

/** CPU time of this process, ms: on a busy machine it is steadier than the wall clock. */
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Statements per second, by wall clock and by CPU time, on a second pass after a warm-up pass. */
function throughput(parser: (s: string) => Outcome, stmts: string[]): { wall: number; cpu: number } {
  for (const s of stmts) parser(s); // warm-up pass
  const t0 = performance.now();
  const c0 = cpuMs();
  for (const s of stmts) parser(s);
  return { wall: stmts.length / ((performance.now() - t0) / 1000), cpu: stmts.length / ((cpuMs() - c0) / 1000) };
}

async function main(): Promise<void> {
  if (!existsSync(CORPUS)) { console.log(`no corpus at ${CORPUS}: nothing to measure`); return; }
  await loadModule();
  const files = listSqlFiles(CORPUS).sort();
  const results: Record<string, any> = {
    date: new Date().toISOString(), quick: QUICK, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model,
    loadAverage1mAtStart: round(os.loadavg()[0], 2),
    versions: {
      'libpg-query': require('libpg-query/package.json').version,
      'pgsql-ast-parser': require('pgsql-ast-parser/package.json').version,
    },
  };

  // --- files and statements -----------------------------------------------------------------------------------
  let withSql = 0, emptyFiles = 0;
  const fileOk = { libpg: 0, ast: 0 };
  const libpgFailedFiles: string[] = [];
  let pieces = 0, libpgStmtOk = 0, astStmtOk = 0, astOkOfValid = 0, astCrashes = 0, libpgCrashes = 0;
  const common: string[] = [];
  const byKind = new Map<string, { total: number; astFail: number }>();
  const crashSamples: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const split = splitStatements(text);
    if (!split.length) { emptyFiles++; continue; }
    withSql++;
    const a = libpg(text);
    if (a.ok) fileOk.libpg++; else libpgFailedFiles.push(`${relative(CORPUS, f)}: ${a.message}`);
    if (astParser(text).ok) fileOk.ast++;
    for (const p of split) {
      const sql = text.slice(p.start, p.end);
      pieces++;
      const x = libpg(sql);
      const y = astParser(sql);
      if (x.ok) libpgStmtOk++; else if (x.crash) libpgCrashes++;
      if (y.ok) astStmtOk++; else if (y.crash) { astCrashes++; if (crashSamples.length < 8) crashSamples.push(`${y.message} ← ${sql.slice(0, 80).replace(/\s+/g, ' ')}`); }
      if (x.ok) {
        if (y.ok) { astOkOfValid++; common.push(sql); }
        const k = kindOf(sql);
        const e = byKind.get(k) ?? { total: 0, astFail: 0 };
        e.total++;
        if (!y.ok) e.astFail++;
        byKind.set(k, e);
      }
    }
  }
  const libpgValid = libpgStmtOk;
  results.files = {
    total: files.length, withSql, emptyOrCommentOnly: emptyFiles,
    parseFully: { 'libpg-query': fileOk.libpg, 'pgsql-ast-parser': fileOk.ast },
    libpgQueryFailures: libpgFailedFiles,
  };
  results.statements = {
    total: pieces, parse: { 'libpg-query': libpgStmtOk, 'pgsql-ast-parser': astStmtOk },
    pgsqlAstParserOfValidPostgres: astOkOfValid, validPostgres: libpgValid,
    crashes: { 'libpg-query': libpgCrashes, 'pgsql-ast-parser': astCrashes }, crashSamples,
  };
  const kinds = [...byKind.entries()]
    .filter(([, v]) => v.astFail > 0)
    .sort((a, b) => b[1].astFail - a[1].astFail)
    .slice(0, 20)
    .map(([k, v]) => ({ kind: k, statements: v.total, pgsqlAstParserFails: v.astFail, failRate: pct(v.astFail, v.total) }));
  results.pgsqlAstParserFailuresByKind = kinds;

  // --- risky DDL checklist --------------------------------------------------------------------------------------
  const checklist = RISKY_DDL.map(([name, sql]) => ({ name, libpg: libpg(sql).ok, ast: astParser(sql).ok }));
  results.riskyDdl = {
    forms: checklist.length,
    parse: { 'libpg-query': checklist.filter((c) => c.libpg).length, 'pgsql-ast-parser': checklist.filter((c) => c.ast).length },
    pgsqlAstParserFails: checklist.filter((c) => !c.ast).map((c) => c.name),
    libpgQueryFails: checklist.filter((c) => !c.libpg).map((c) => c.name),
  };

  // --- throughput, warm -------------------------------------------------------------------------------------------
  const sample = QUICK ? common.filter((_, i) => i % Math.max(1, Math.floor(common.length / 2000)) === 0) : common;
  const tpLibpg = throughput(libpg, sample);
  const tpAst = throughput(astParser, sample);
  results.throughput = {
    statements: sample.length, note: 'statements both parsers parse; second pass, after a warm-up pass',
    statementsPerSecond: { 'libpg-query': Math.round(tpLibpg.wall), 'pgsql-ast-parser': Math.round(tpAst.wall) },
    statementsPerCpuSecond: { 'libpg-query': Math.round(tpLibpg.cpu), 'pgsql-ast-parser': Math.round(tpAst.cpu) },
    ratio: round(tpLibpg.wall / tpAst.wall, 1), ratioCpu: round(tpLibpg.cpu / tpAst.cpu, 1),
  };

  // --- one ~1,000-line file that both parse -----------------------------------------------------------------------
  let best: { file: string; lines: number; text: string } | undefined;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const lines = text.split('\n').length;
    if (lines < 600 || lines > 1600) continue;
    if (best && Math.abs(lines - 1000) >= Math.abs(best.lines - 1000)) continue;
    if (!libpg(text).ok || !astParser(text).ok) continue;
    best = { file: relative(CORPUS, f), lines, text };
  }
  if (best) {
    // Wall median and CPU minimum of 9 runs after one warm-up run.
    const timeMedian = (fn: () => void) => {
      fn();
      const v: number[] = [];
      let cpu = Infinity;
      for (let i = 0; i < 9; i++) { const t0 = performance.now(); const c0 = cpuMs(); fn(); v.push(performance.now() - t0); cpu = Math.min(cpu, cpuMs() - c0); }
      return { wall: round(median(v), 2), cpuMin: round(cpu, 2) };
    };
    const text = best.text;
    results.oneFile = {
      file: best.file, lines: best.lines,
      medianMs: { 'libpg-query': timeMedian(() => libpg(text)), 'pgsql-ast-parser': timeMedian(() => astParser(text)) },
    };
  }

  // --- cold start -------------------------------------------------------------------------------------------------
  results.coldStart = { 'libpg-query': coldStart('libpg-query'), 'pgsql-ast-parser': coldStart('pgsql-ast-parser') };

  // --- report -----------------------------------------------------------------------------------------------------
  const r = results;
  const rows: [string, string, string][] = [
    ['', `pgsql-ast-parser ${r.versions['pgsql-ast-parser']}`, `libpg-query ${r.versions['libpg-query']}`],
    [`Files that parse fully (of ${withSql} with SQL)`, `${fileOk.ast} (${pct(fileOk.ast, withSql)})`, `${fileOk.libpg} (${pct(fileOk.libpg, withSql)})`],
    [`Statements that parse (of ${pieces})`, `${astStmtOk} (${pct(astStmtOk, pieces)})`, `${libpgStmtOk} (${pct(libpgStmtOk, pieces)})`],
    [`… of the ${libpgValid} valid PostgreSQL statements`, `${astOkOfValid} (${pct(astOkOfValid, libpgValid)})`, `${libpgValid} (100 %)`],
    ['Internal errors (not syntax errors)', String(astCrashes), String(libpgCrashes)],
    [`Risky-DDL forms (of ${checklist.length})`, String(r.riskyDdl.parse['pgsql-ast-parser']), String(r.riskyDdl.parse['libpg-query'])],
    [`Throughput, warm (${sample.length} statements)`, `${r.throughput.statementsPerSecond['pgsql-ast-parser'].toLocaleString('en')} statements/s`, `${r.throughput.statementsPerSecond['libpg-query'].toLocaleString('en')} statements/s (${r.throughput.ratio}×)`],
    ['… per CPU second', `${r.throughput.statementsPerCpuSecond['pgsql-ast-parser'].toLocaleString('en')} statements/s`, `${r.throughput.statementsPerCpuSecond['libpg-query'].toLocaleString('en')} statements/s (${r.throughput.ratioCpu}×)`],
  ];
  const one = (x: { wall: number; cpuMin: number }) => `${x.wall} ms (CPU ${x.cpuMin} ms)`;
  if (r.oneFile) rows.push([`One ${r.oneFile.lines}-line file`, one(r.oneFile.medianMs['pgsql-ast-parser']), one(r.oneFile.medianMs['libpg-query'])]);
  const cs = (c: any) => ('error' in c ? `error: ${c.error}` : `${c.insideMs} ms (process wall ${c.wallMs} ms)`);
  rows.push(['Cold start to first AST (fresh node)', cs(r.coldStart['pgsql-ast-parser']), cs(r.coldStart['libpg-query'])]);
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((x) => x[i].length)));
  console.log(`Parser comparison over ${files.length} corpus files (node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)})\n`);
  for (const [i, x] of rows.entries()) {
    console.log(`${x[0].padEnd(w[0])} | ${x[1].padEnd(w[1])} | ${x[2]}`);
    if (i === 0) console.log(`${'-'.repeat(w[0])}-|-${'-'.repeat(w[1])}-|-${'-'.repeat(w[2])}`);
  }
  console.log('\npgsql-ast-parser failures on valid PostgreSQL, by statement kind (top 20):');
  for (const k of kinds) console.log(`  ${k.kind.padEnd(42)} ${String(k.pgsqlAstParserFails).padStart(5)} / ${String(k.statements).padEnd(5)} ${k.failRate}`);
  console.log(`\nRisky-DDL forms pgsql-ast-parser cannot parse: ${r.riskyDdl.pgsqlAstParserFails.join('; ') || 'none'}`);
  if (r.riskyDdl.libpgQueryFails.length) console.log(`Risky-DDL forms libpg-query cannot parse: ${r.riskyDdl.libpgQueryFails.join('; ')}`);
  console.log(`\nFiles libpg-query cannot parse as a whole (${libpgFailedFiles.length}):`);
  // Templated sources fail file after file: summarise a directory with many failures, list the rest.
  const groups = new Map<string, string[]>();
  for (const f of libpgFailedFiles) { const g = f.split('/')[0]; groups.set(g, [...(groups.get(g) ?? []), f]); }
  for (const [g, list] of groups) {
    if (list.length > 5) console.log(`  ${g}/…: ${list.length} files (first: ${list[0]})`);
    else for (const f of list) console.log(`  ${f}`);
  }
  if (crashSamples.length) console.log(`\npgsql-ast-parser internal errors (samples):\n  ${crashSamples.join('\n  ')}`);
  const out = join(HERE, 'parser-results.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwrote ${relative(process.cwd(), out)}`);
}

main().catch((err) => console.log(`parser bench failed: ${err?.stack ?? err}`)).finally(() => { process.exitCode = 0; });
