// Deterministic fuzzing of analyze(): whatever the input, it returns arrays, never throws, every range lies inside the
// document, and it finishes. Seeded PRNG: a failure reproduces exactly. Bounds are generous on purpose: this is not a
// timing test, only proof that each case completes.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadParser } from '../../src/analyzer/parse.js';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../../src/analyzer/analyze.js';
import type { Position, Range } from '../../src/analyzer/types.js';
import { prng, CORPUS } from './support.js';

const SLOW = { timeout: 300_000 };

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

const show = (sql: string) => JSON.stringify(sql.length > 160 ? `${sql.slice(0, 100)}…(${sql.length} chars)…${sql.slice(-40)}` : sql);

/** Runs analyze() and checks every invariant; returns the result for further checks. */
function check(sql: string, label: string, options?: AnalyzeOptions): AnalysisResult {
  let r: AnalysisResult;
  try {
    r = analyze(sql, options);
  } catch (err) {
    assert.fail(`${label}: analyze() threw on ${show(sql)}: ${String((err as Error)?.stack ?? err)}`);
  }
  assert.ok(Array.isArray(r.statements) && Array.isArray(r.findings) && Array.isArray(r.parseProblems), `${label}: not arrays`);
  // Lines as LineIndex (and VS Code, and the LSP) count them: \r\n, \n and a lone \r end a line.
  const lineLengths = sql.split(/\r\n|\n|\r/).map((l) => l.length);
  const pos = (p: Position, what: string) => {
    assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.line < lineLengths.length, `${label}: ${what} line ${p.line} outside the document (${lineLengths.length} lines) in ${show(sql)}`);
    assert.ok(Number.isInteger(p.character) && p.character >= 0 && p.character <= lineLengths[p.line], `${label}: ${what} ${p.line}:${p.character} beyond the line (${lineLengths[p.line]} chars) in ${show(sql)}`);
  };
  const range = (x: Range, what: string) => {
    pos(x.start, `${what} start`);
    pos(x.end, `${what} end`);
    assert.ok(x.start.line < x.end.line || (x.start.line === x.end.line && x.start.character <= x.end.character), `${label}: ${what} ends before it starts: ${JSON.stringify(x)}`);
  };
  r.statements.forEach((s, i) => {
    assert.equal(s.index, i, `${label}: statement index`);
    assert.ok(s.start >= 0 && s.start <= s.end && s.end <= sql.length, `${label}: statement ${i} offsets ${s.start}–${s.end} outside 0–${sql.length}`);
    assert.ok(sql.startsWith(s.text, s.start), `${label}: statement ${i} text is not the document's at ${s.start}`);
    range(s.range, `statement ${i}`);
  });
  for (const f of r.findings) {
    range(f.range, `finding ${f.ruleId}`);
    if (r.statements.length) assert.ok(f.statementIndex >= 0 && f.statementIndex < r.statements.length, `${label}: finding ${f.ruleId} points at statement ${f.statementIndex}`);
    for (const e of f.fix?.edits ?? []) range(e.range, `fix of ${f.ruleId}`);
  }
  for (const p of r.parseProblems) {
    assert.ok(typeof p.message === 'string' && p.message.length > 0, `${label}: empty parse-problem message`);
    range(p.range, 'parse problem');
  }
  return r;
}

/** Statements that exercise the splitter and the parser; used when the corpus is not around, and always mixed in. */
const SEEDS = [
  'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, note text DEFAULT \'it\'\'s\')',
  'ALTER TABLE accounts ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()',
  'CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (lower(email)) WHERE deleted_at IS NULL',
  "ALTER TABLE accounts ADD CONSTRAINT accounts_email_check CHECK (email <> '') NOT VALID",
  'DROP INDEX CONCURRENTLY IF EXISTS accounts_email_idx',
  "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN NEW.x := 'a;b'; RETURN NEW; END $body$",
  'CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END; SELECT 3; END',
  "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('a'); END IF; END $$",
  "SELECT E'\\'; still a string', \"quoted \"\" ident\", $1, U&'d\\0061t'",
  "COMMENT ON COLUMN accounts.email IS 'Adresse électronique 📧 ; with a semicolon'",
  "/* Prisma's `warning` header: it's $fine\\ */ ALTER TABLE \"User\" ADD COLUMN \"name\" TEXT",
  "BEGIN; SET LOCAL lock_timeout = '2s'; ALTER TABLE accounts ALTER COLUMN email TYPE varchar(320); COMMIT",
  '-- pg-preflight-ignore require-concurrent-index-creation\nCREATE INDEX i ON accounts (id)',
];

function corpusFiles(): string[] {
  if (!existsSync(CORPUS)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p); else if (e.isFile() && e.name.endsWith('.sql')) out.push(p);
    }
  };
  walk(CORPUS);
  return out.sort();
}

describe('fuzz: analyze() on hostile input', () => {
  let files: string[] = [];
  before(async () => {
    await loadParser();
    files = corpusFiles();
  });

  it('truncations of real statements at every 7th byte (UTF-8 cut mid-character included)', SLOW, () => {
    const rnd = prng(1);
    const statements: string[] = [...SEEDS];
    // ~150 statements from the corpus, spread over it, preferring ones with dollar quotes, comments or non-ASCII.
    for (let k = 0; k < 60 && files.length; k++) {
      const text = readFileSync(pick(rnd, files), 'utf8');
      const r = analyze(text);
      const interesting = r.statements.filter((s) => /\$|\/\*|--|[^\x00-\x7f]|ATOMIC/i.test(s.text) && s.text.length < 4000);
      const plain = r.statements.filter((s) => s.text.length < 2000);
      if (interesting.length) statements.push(pick(rnd, interesting).text);
      if (plain.length) statements.push(pick(rnd, plain).text);
      if (plain.length) statements.push(pick(rnd, plain).text);
    }
    const decoder = new TextDecoder('utf-8', { fatal: false });
    let cases = 0;
    for (const stmt of statements) {
      const bytes = Buffer.from(`${stmt};`, 'utf8');
      for (let cut = 0; cut <= bytes.length; cut += 7) {
        const piece = decoder.decode(bytes.subarray(0, cut));
        check(piece, `truncated at byte ${cut}`);
        // The same cut in the middle of a migration: what an editor sees while the user types.
        check(`SELECT 1;\n${piece}\nCREATE INDEX i ON t (a);\n`, `truncated at byte ${cut}, mid-file`);
        cases += 2;
      }
    }
    assert.ok(cases > 1000, `only ${cases} cases`);
  });

  it('whole corpus files cut at 40 places each', SLOW, (t) => {
    if (!files.length) { t.skip('no corpus'); return; }
    const rnd = prng(2);
    for (let k = 0; k < 40; k++) {
      const text = readFileSync(pick(rnd, files), 'utf8');
      const step = Math.max(1, Math.floor(text.length / 40));
      for (let cut = 0; cut <= text.length; cut += step) check(text.slice(0, cut), `file prefix of ${cut} chars`);
    }
  });

  it('random bytes decoded as UTF-8 (NUL, invalid sequences) and random UTF-16 (lone surrogates)', SLOW, () => {
    const rnd = prng(3);
    const decoder = new TextDecoder('utf-8', { fatal: false });
    for (let k = 0; k < 400; k++) {
      const bytes = new Uint8Array(Math.floor(rnd() * 600));
      for (let i = 0; i < bytes.length; i++) {
        // Bias towards SQL-significant ASCII so the splitter's branches are hit, and keep raw high bytes.
        const roll = rnd();
        bytes[i] = roll < 0.3 ? pick(rnd, [0, 10, 13, 32, 34, 36, 39, 40, 41, 42, 45, 47, 59, 92]) : Math.floor(rnd() * 256);
      }
      check(decoder.decode(bytes), `random bytes #${k}`);
    }
    for (let k = 0; k < 400; k++) {
      let s = '';
      const n = Math.floor(rnd() * 400);
      for (let i = 0; i < n; i++) {
        const roll = rnd();
        s += roll < 0.1 ? String.fromCharCode(0xd800 + Math.floor(rnd() * 0x800)) // lone surrogates, high and low
          : roll < 0.15 ? '\u0000'
            : roll < 0.5 ? String.fromCharCode(Math.floor(rnd() * 0x10000))
              : pick(rnd, ['SELECT ', '1', ';', "'", '"', '$$', '$a$', '/*', '*/', '--', '\n', '\r\n', '(', ')', ' ', 'é', '😀', '\uFEFF']);
      }
      check(s, `random UTF-16 #${k}`);
    }
  });

  it('token soup: quotes, dollar quotes, comments, BEGIN ATOMIC, directives in random order', SLOW, () => {
    const rnd = prng(4);
    const tokens = [
      'SELECT', 'CREATE TABLE t (a int)', 'ALTER TABLE t ADD COLUMN b int', 'CREATE INDEX i ON t (a)', 'DROP INDEX i', ';', ';', ';',
      "'", "''", "E'", "\\'", '"', '""', '$$', '$a$', '$b$', '$1', 'x$y', '/*', '*/', '--', '\n', '\r\n', '\r', ' ', '\t', '(', ')',
      'BEGIN', 'ATOMIC', 'END', 'CASE', 'COMMIT', 'ROLLBACK', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC',
      '😀', 'é', '中', '\u0000', '\uD83D', '\uDE00', '\uFEFF', "SET LOCAL lock_timeout = '1s'", 'RESET ALL',
      '-- pg-preflight-ignore\n', '-- pg-preflight-ignore rule-a, rule-b\n', '-- pg-preflight-ignore-file\n',
      'DROP INDEX CONCURRENTLY i', 'VACUUM', 'ALTER TABLE t ALTER COLUMN a TYPE bigint', 'ADD CONSTRAINT c CHECK (a > 0) NOT VALID',
    ];
    const runners = [undefined, 'psql', 'flyway', 'golang-migrate', 'prisma'] as const;
    for (let k = 0; k < 1500; k++) {
      const n = 1 + Math.floor(rnd() * 40);
      let s = '';
      for (let i = 0; i < n; i++) s += pick(rnd, tokens) + (rnd() < 0.5 ? ' ' : '');
      const runner = pick(rnd, runners);
      check(s, `token soup #${k}`, { runner, assumeInTransaction: rnd() < 0.2 ? rnd() < 0.5 : undefined, schemaSql: rnd() < 0.2 ? 'CREATE TABLE t (a int); CREATE INDEX i ON t (a);' : undefined });
    }
  });

  it('unbalanced quotes, dollar quotes and comments anywhere', SLOW, () => {
    const openers = ["'", '"', "E'", "E'\\'", "U&'", "B'", '$$', '$body$', '$a$ $b$', '/*', '/* /* */', '--'];
    const closers = ["'", '"', '$$', '$body$', '*/', '*/ */', ')', '))', 'END', 'END END'];
    const base = ['CREATE TABLE t (a int);', 'ALTER TABLE t ADD COLUMN b text;', 'CREATE INDEX i ON t (a);', 'SELECT 1;'];
    for (const bad of [...openers, ...closers, ...openers.map((o) => `SELECT ${o} abc; SELECT 2`)]) {
      for (let at = 0; at <= base.length; at++) {
        const sql = [...base.slice(0, at), bad, ...base.slice(at)].join('\n');
        const r = check(sql, `unbalanced ${JSON.stringify(bad)} at statement ${at}`);
        // Statements before the broken one are still analysed.
        assert.ok(r.statements.length >= Math.min(at, base.length), `${JSON.stringify(bad)} at ${at}: ${r.statements.length} statements before it`);
        check(sql.replace(/\n/g, '\r\n'), `unbalanced ${JSON.stringify(bad)} at statement ${at}, CRLF`);
        check(`${bad}`.repeat(50), `unbalanced ${JSON.stringify(bad)} × 50`);
      }
    }
  });

  it('a 1 MB single line: one statement, one literal, 116k statements on one line', SLOW, () => {
    const mb = 1 << 20;
    const r1 = check(`SELECT '${'x'.repeat(mb)}';`, '1 MB string literal');
    assert.equal(r1.statements.length, 1);
    check(`SELECT ${'a, '.repeat(mb / 3)}1;`, '1 MB select list');
    check(`SELECT ${'1 + '.repeat(mb / 4)}1;`, '1 MB left-deep expression');
    const r2 = check('SELECT 1;'.repeat(Math.ceil(mb / 9)), '1 MB of SELECT 1; on one line');
    assert.equal(r2.statements.length, Math.ceil(mb / 9));
    check(`SELECT '${'é😀'.repeat(mb / 8)}' FRM t;`, '1 MB non-ASCII line with a syntax error at the end');
    check(`-- ${'x'.repeat(mb)}`, '1 MB comment');
    check(`SELECT $$${'x'.repeat(mb)}`, '1 MB unterminated dollar quote');
  });

  it('100,000 statements: SELECT 1; × 100k and a mix', SLOW, () => {
    const r1 = check('SELECT 1;\n'.repeat(100_000), 'SELECT 1; × 100k');
    assert.equal(r1.statements.length, 100_000);
    const rnd = prng(5);
    const mix: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const roll = rnd();
      mix.push(roll < 0.3 ? `SELECT ${i};`
        : roll < 0.5 ? `CREATE TABLE t${i} (id bigint PRIMARY KEY, v text);`
          : roll < 0.65 ? `CREATE INDEX i${i} ON t${i - 1} (v);`
            : roll < 0.8 ? `ALTER TABLE t${i - 2} ADD COLUMN c${i} int DEFAULT ${i};`
              : roll < 0.9 ? `-- note ${i}\nINSERT INTO t${i - 3} VALUES (${i}, 'é');`
                : roll < 0.999 ? `SET lock_timeout = '${i % 10}s';`
                  : 'SELEC broken;');
    }
    const r2 = check(mix.join('\n'), 'mixed 100k statements', { runner: 'flyway' });
    assert.equal(r2.statements.length + r2.parseProblems.length, 100_000);
  });

  it('deep nesting: parentheses, ARRAY, CASE, subqueries, nested comments', SLOW, () => {
    for (const depth of [100, 1_000, 10_000, 100_000]) {
      check(`SELECT ${'('.repeat(depth)}1${')'.repeat(depth)};`, `${depth} nested parentheses`);
      check(`SELECT ${'('.repeat(depth)}1;\nSELECT 2;`, `${depth} unclosed parentheses`);
      check(`SELECT 1${')'.repeat(depth)};`, `${depth} unopened parentheses`);
      check(`${'/*'.repeat(depth)} SELECT 1; ${'*/'.repeat(depth)} SELECT 2;`, `${depth} nested comments`);
    }
    for (const depth of [100, 1_000, 5_000]) {
      check(`SELECT ${'ARRAY['.repeat(depth)}1${']'.repeat(depth)};`, `${depth} nested ARRAY`);
      check(`SELECT ${'CASE WHEN true THEN '.repeat(depth)}1${' END'.repeat(depth)};`, `${depth} nested CASE`);
      check(`SELECT ${'(SELECT '.repeat(depth)}1${')'.repeat(depth)};`, `${depth} nested subqueries`);
      check(`CREATE TABLE t (a int DEFAULT ${'('.repeat(depth)}1${')'.repeat(depth)});\nALTER TABLE t ADD COLUMN b int DEFAULT ${'abs('.repeat(depth)}1${')'.repeat(depth)};`, `${depth} nested default expressions`);
      check(`CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC ${'SELECT CASE WHEN true THEN 1 ELSE 2 END; '.repeat(depth)} END; SELECT 1;`, `BEGIN ATOMIC with ${depth} statements`);
    }
  });

  it('the parser still works after all of the above, and analysis is deterministic', () => {
    const sql = "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nSELECT '😀' FRM WHERE;\nALTER TABLE t ADD COLUMN b int;";
    const a = check(sql, 'after fuzzing');
    assert.deepEqual(a.statements.map((s) => s.kind), ['CreateStmt', 'IndexStmt', 'AlterTableStmt']);
    assert.equal(a.parseProblems.length, 1);
    const b = check(sql, 'again');
    assert.deepEqual(JSON.parse(JSON.stringify({ s: b.statements.map((s) => [s.kind, s.range, s.locks]), f: b.findings, p: b.parseProblems })),
      JSON.parse(JSON.stringify({ s: a.statements.map((s) => [s.kind, s.range, s.locks]), f: a.findings, p: a.parseProblems })));
  });
});
