// The incremental analyzer must give exactly what a full analyze() gives, after any edit. Differential test over
// random edits (seeded) on realistic migrations, and checks that it really does reuse work.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadParser } from '../../../src/analyzer/parse.js';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../../../src/analyzer/analyze.js';
import { DocumentAnalyzer, composeChange, type TextChange } from '../../../src/analyzer/incremental.js';
import { prng, CORPUS } from '../support.js';
import { allRules } from '../../../src/analyzer/registry.js';


function normalize(r: AnalysisResult) {
  return {
    statements: r.statements.map((s) => ({
      index: s.index, kind: s.kind, text: s.text, start: s.start, end: s.end, range: s.range, terminated: s.terminated,
      inTransaction: s.inTransaction, transactionId: s.transactionId, implicit: s.implicitTransaction,
      locks: s.locks.map((l) => `${l.relation}:${l.mode}:${l.implicit}:${l.createdInMigration}`),
      rewrites: s.rewrites, scans: s.scans, lockTimeout: s.lockTimeout, statementTimeout: s.statementTimeout,
      ignored: s.ignoredRules, unknowns: s.effects.unknowns,
    })),
    findings: r.findings.map((f) => JSON.stringify(f)), // in order: the incremental analysis must give the same order too
    problems: r.parseProblems.map((p) => JSON.stringify(p)),
    endsInTransaction: r.file.endsInTransaction,
  };
}

const SCHEMA = `CREATE TABLE authors (id bigint PRIMARY KEY, name text);
CREATE TABLE articles (id bigint PRIMARY KEY, author_id bigint REFERENCES authors (id), title varchar(50), view_count int, body text);
CREATE INDEX articles_view_count_idx ON articles (view_count);
CREATE TABLE events (id bigint, ts timestamptz) PARTITION BY RANGE (ts);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`;

const SNIPPETS = [
  'ALTER TABLE articles ADD COLUMN c{n} int', 'CREATE INDEX i{n} ON articles (title)', 'DROP INDEX articles_view_count_idx',
  'SET lock_timeout = \'2s\'', 'BEGIN', 'COMMIT', 'UPDATE articles SET title = \'x\'', 'ALTER TABLE articles ALTER COLUMN view_count TYPE bigint',
  'CREATE TABLE t{n} (id int)', 'ALTER TABLE t{n} ADD COLUMN x text', 'DROP TRIGGER trg ON articles', 'CREATE TRIGGER trg AFTER INSERT ON articles FOR EACH ROW EXECUTE FUNCTION f()',
  'CREATE INDEX CONCURRENTLY j{n} ON articles (body)', '-- pg-preflight-ignore require-lock-timeout\nALTER TABLE authors ADD COLUMN z int', 'ALTER TABLE articles RENAME COLUMN body TO content',
  'SELECT 1', 'ALTER TABLE events ADD COLUMN k int DEFAULT random()', 'ROLLBACK', 'SET LOCAL statement_timeout = 0',
  'ALTER TABLE articles ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES authors (id) NOT VALID', 'ALTER TABLE articles VALIDATE CONSTRAINT fk',
  // What the whole-file rules read: renames and views, index swaps, foreign keys and the indexes that cover them.
  'ALTER TABLE t{n} RENAME TO t{n}_old', 'CREATE VIEW t{n} AS SELECT 1 AS one', 'ALTER TABLE authors RENAME TO writers',
  'CREATE INDEX CONCURRENTLY articles_vc2 ON articles (view_count)', 'CREATE INDEX t{n}_a_idx ON t{n} (a_id)',
  'ALTER TABLE t{n} ADD COLUMN a_id bigint REFERENCES authors (id)', 'DROP TRIGGER trg ON articles',
];

function corpusDoc(): string | undefined {
  const dir = CORPUS;
  if (!existsSync(dir)) return undefined;
  const out: string[] = [];
  const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (p.endsWith('.sql') && out.length < 60) out.push(readFileSync(p, 'utf8')); } };
  walk(join(dir, 'harbor'));
  return out.join('\n');
}

function edit(text: string, rnd: () => number, k: number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const choice = Math.floor(rnd() * 9);
  switch (choice) {
    case 0: return text.slice(0, at) + 'x' + text.slice(at); // typing
    case 1: return text.slice(0, Math.max(0, at - 1)) + text.slice(at); // backspace
    case 2: return text.slice(0, at) + ';' + text.slice(at);
    case 3: return text.slice(0, at) + '\n' + SNIPPETS[Math.floor(rnd() * SNIPPETS.length)].replace(/\{n\}/g, String(k)) + ';\n' + text.slice(at);
    case 4: { const end = Math.min(text.length, at + Math.floor(rnd() * 80)); return text.slice(0, at) + text.slice(end); } // delete a range
    case 5: return text.slice(0, at) + "'" + text.slice(at); // unbalanced quote
    case 6: return text.slice(0, at) + '$$' + text.slice(at);
    case 7: return text.slice(0, at) + '\n-- comment\n' + text.slice(at);
    default: { const w = text.slice(at).match(/^[a-z_]+/i); return w ? text.slice(0, at) + w[0] + '_e' + text.slice(at + w[0].length) : text + `\nSELECT ${k};`; }
  }
}

function widenedChange(old: string, text: string, rnd: () => number): TextChange {
  let start = 0;
  while (start < old.length && start < text.length && old[start] === text[start]) start++;
  let suffix = 0;
  while (suffix < old.length - start && suffix < text.length - start && old[old.length - 1 - suffix] === text[text.length - 1 - suffix]) suffix++;
  start = Math.max(0, start - Math.floor(rnd() * 40));
  suffix = Math.max(0, suffix - Math.floor(rnd() * 40));
  return { start, oldEnd: old.length - suffix, newEnd: text.length - suffix };
}

function differential(name: string, doc: string, options: AnalyzeOptions, edits: number, seed: number): void {
  it(name, () => {
    const rnd = prng(seed);
    const inc = new DocumentAnalyzer(options);
    let text = doc;
    assert.deepEqual(normalize(inc.update(text)), normalize(analyze(text, options)), 'initial');
    let reused = 0;
    for (let k = 0; k < edits; k++) {
      const before = text;
      text = edit(text, rnd, k);
      // Every other edit comes with the change an editor would report, widened at random: any range that covers the
      // edit is a valid change.
      const got = normalize(inc.update(text, k % 2 ? widenedChange(before, text, rnd) : undefined));
      const want = normalize(analyze(text, options));
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        assert.deepEqual(got, want, `edit #${k} diverged (${inc.lastStats.reused} reused)`);
      }
      reused += inc.lastStats.reused;
    }
    assert.ok(reused > 0, 'the incremental analyzer never reused anything');
  });
}

describe('DocumentAnalyzer (incremental) equals analyze()', () => {
  before(async () => { await loadParser(); });
  const synthetic = Array.from({ length: 60 }, (_, i) => SNIPPETS[i % SNIPPETS.length].replace(/\{n\}/g, String(i)) + ';').join('\n');
  differential('synthetic migration, psql runner', synthetic, { schemaSql: SCHEMA, pgVersion: 16 }, 300, 1);
  differential('synthetic migration, flyway (one transaction)', synthetic, { schemaSql: SCHEMA, pgVersion: 15, runner: 'flyway' }, 200, 2);
  differential('synthetic migration, golang-migrate (multi-statement)', synthetic, { schemaSql: SCHEMA, pgVersion: 14, runner: 'golang-migrate' }, 200, 3);
  differential('synthetic migration, no schema', synthetic, { pgVersion: 18 }, 200, 4);
  // Long enough for many schema layers: edits above reused layers, layers rebuilt and reused over a new parent.
  const long = Array.from({ length: 420 }, (_, i) => SNIPPETS[(i * 7) % SNIPPETS.length].replace(/\{n\}/g, String(i % 37)) + ';').join('\n');
  differential('long synthetic migration (many schema layers), psql runner', long, { schemaSql: SCHEMA, pgVersion: 17 }, 150, 6);
  differential('long synthetic migration (many schema layers), flyway', long, { schemaSql: SCHEMA, pgVersion: 13, runner: 'flyway' }, 100, 7);
  const corpus = corpusDoc();
  if (corpus) differential('real migrations (harbor)', corpus, { pgVersion: 16 }, 150, 5);

  it('composes an editor\'s successive changes into one range that covers them', () => {
    const rnd = prng(11);
    for (let trial = 0; trial < 2000; trial++) {
      const start = 'abcdefghijklmnopqrstuvwxyz'.repeat(3);
      let text = start;
      let change: TextChange | undefined;
      for (let k = 0, n = 1 + Math.floor(rnd() * 5); k < n; k++) {
        const offset = Math.floor(rnd() * (text.length + 1));
        const length = Math.floor(rnd() * Math.min(6, text.length - offset + 1));
        const inserted = '0123456789'.slice(0, Math.floor(rnd() * 5));
        text = text.slice(0, offset) + inserted + text.slice(offset + length);
        change = composeChange(change, offset, length, inserted.length);
      }
      const c = change!;
      // Outside the range both texts agree, and the lengths add up.
      assert.equal(text.length - c.newEnd, start.length - c.oldEnd, `trial ${trial}`);
      assert.equal(text.slice(0, c.start), start.slice(0, c.start), `trial ${trial}: prefix`);
      assert.equal(text.slice(c.newEnd), start.slice(c.oldEnd), `trial ${trial}: suffix`);
    }
  });

  it('uses the change an editor reports, and ignores one that does not fit the texts', () => {
    const doc = Array.from({ length: 300 }, (_, i) => `ALTER TABLE t${i % 30} ADD COLUMN c${i} int;`).join('\n');
    const inc = new DocumentAnalyzer({ schemaSql: SCHEMA });
    inc.update(doc);
    const at = doc.indexOf('c150 int') + 'c150 '.length;
    const edited = doc.slice(0, at) + 'big' + doc.slice(at); // int → bigint
    const r = inc.update(edited, { start: at, oldEnd: at, newEnd: at + 3 });
    assert.ok(inc.lastStats.analysed <= 6, `analysed ${inc.lastStats.analysed}`);
    assert.deepEqual(normalize(r), normalize(analyze(edited, { schemaSql: SCHEMA })));
    // A change from another version (its lengths do not add up): the texts are compared instead.
    const again = edited.replace('c10 int', 'c10 text');
    assert.deepEqual(normalize(inc.update(again, { start: 5, oldEnd: 6, newEnd: 6 })), normalize(analyze(again, { schemaSql: SCHEMA })));
  });

  it('reuses the statements before and after a one-statement edit', () => {
    // 500 statements over 50 tables: an edit re-analyses the edited statement and the later ones on its table only.
    const doc = Array.from({ length: 500 }, (_, i) => `ALTER TABLE t${i % 50} ADD COLUMN c${i} int;`).join('\n');
    const inc = new DocumentAnalyzer({ schemaSql: SCHEMA });
    inc.update(doc);
    const edited = doc.replace('ADD COLUMN c250 int', 'ADD COLUMN c250 bigint');
    const r = inc.update(edited);
    assert.equal(r.statements.length, 500);
    assert.ok(inc.lastStats.analysed <= 5 + 1, `analysed ${inc.lastStats.analysed} statements after a one-statement edit`);
    assert.deepEqual(normalize(r), normalize(analyze(edited, { schemaSql: SCHEMA })));
    // A comment typed between two statements re-analyses nothing but the statement after it.
    const commented = edited.replace('\nALTER TABLE t10 ADD COLUMN c260', '\n-- note\nALTER TABLE t10 ADD COLUMN c260');
    inc.update(commented);
    assert.ok(inc.lastStats.analysed <= 1, `analysed ${inc.lastStats.analysed} after a comment`);
  });

  it('rules about the end state and whole-file rules keep their findings while nothing they read changes', () => {
    // 100 unindexed foreign keys, then 100 SELECTs. Editing a SELECT leaves the foreign-key findings as they were (the
    // same objects: require-index-for-foreign-key checks each statement against the end schema, checkEnd). An index
    // created on one of the tables changes what it read of that table: that statement alone is checked again.
    const schema = SCHEMA + Array.from({ length: 100 }, (_, i) => `CREATE TABLE t${i} (id int);`).join('\n');
    const options: AnalyzeOptions = { schemaSql: schema, pgVersion: 16 };
    const doc = [...Array.from({ length: 100 }, (_, i) => `ALTER TABLE t${i} ADD COLUMN a_id bigint REFERENCES authors (id);`),
      ...Array.from({ length: 100 }, (_, i) => `SELECT ${i};`)].join('\n');
    const fkOf = (r: AnalysisResult) => r.findings.filter((f) => f.ruleId === 'require-index-for-foreign-key');
    const inc = new DocumentAnalyzer(options);
    const fks = fkOf(inc.update(doc));
    assert.equal(fks.length, 100);
    assert.equal(inc.lastStats.endChecked, 100);
    const fileRules = allRules.filter((r) => r.checkFile).length;
    const edited = doc.replace('SELECT 50;', 'SELECT 50 + 1;');
    const r = inc.update(edited);
    assert.deepEqual(normalize(r), normalize(analyze(edited, options)));
    assert.equal(inc.lastStats.endChecked, 0);
    assert.ok(fkOf(r).every((f, i) => f === fks[i]), 'the foreign-key findings are the same objects');
    // The whole-file rules that read every statement (or the file's end state) run again; the four that read only
    // some kinds or transactions (renames and views, index swaps, triggers, backfills) do not.
    assert.equal(inc.lastStats.fileRulesRun, fileRules - 4);
    const indexed = edited + '\nCREATE INDEX ON t7 (a_id);';
    const r2 = inc.update(indexed);
    assert.deepEqual(normalize(r2), normalize(analyze(indexed, options)));
    assert.equal(fkOf(r2).length, 99, 'the foreign key of t7 is covered now');
    assert.equal(inc.lastStats.endChecked, 1, 'only the statement on t7 is checked again');
  });

  it('a statement locking another table re-checks only the later statements of its transaction that its locks concern', () => {
    // One transaction (flyway) of 300 ALTERs over 50 existing tables: every statement has lock findings that read
    // what the transaction already holds. Renaming the table of statement 150 concerns the later statements on the
    // old and the new table only; the first strong lock of the transaction (statement 0) is unchanged.
    const schema = Array.from({ length: 51 }, (_, i) => `CREATE TABLE t${i} (id int);`).join('\n');
    const options: AnalyzeOptions = { schemaSql: schema, runner: 'flyway', pgVersion: 16 };
    const doc = Array.from({ length: 300 }, (_, i) => `ALTER TABLE t${i % 50} ADD COLUMN c${i} int;`).join('\n');
    const inc = new DocumentAnalyzer(options);
    inc.update(doc);
    const renamed = doc.replace('ALTER TABLE t0 ADD COLUMN c150 int', 'ALTER TABLE t50 ADD COLUMN c150 int');
    const r = inc.update(renamed);
    assert.deepEqual(normalize(r), normalize(analyze(renamed, options)));
    // Analysed again: statement 150, and 200 and 250, which read t0's columns that 150 no longer adds to.
    assert.equal(inc.lastStats.analysed, 3);
    assert.ok(inc.lastStats.rechecked <= 2, `re-checked ${inc.lastStats.rechecked} statements`);
    // Changing the first statement changes what every later statement is told ("… already holds … on line 1").
    const first = renamed.replace('ALTER TABLE t0 ADD COLUMN c0 int', 'ALTER TABLE t50 ADD COLUMN c0 int');
    const r2 = inc.update(first);
    assert.deepEqual(normalize(r2), normalize(analyze(first, options)));
    assert.ok(inc.lastStats.rechecked >= 250, `re-checked ${inc.lastStats.rechecked} statements after the first lock changed`);
  });
});

describe('DocumentAnalyzer.begin (a first analysis in steps)', () => {
  before(async () => { await loadParser(); });
  const doc = Array.from({ length: 300 }, (_, i) => SNIPPETS[(i * 5) % SNIPPETS.length].replace(/\{n\}/g, String(i % 23)) + ';').join('\n');
  const options: AnalyzeOptions = { schemaSql: SCHEMA, pgVersion: 16 };

  it('gives what analyze() gives, and the findings so far are those of the statements analysed', () => {
    const inc = new DocumentAnalyzer(options);
    const steps = inc.begin(doc);
    const want = analyze(doc, options);
    assert.equal(steps.total, want.statements.length);
    let result: AnalysisResult | undefined;
    let partials = 0;
    while (!(result = steps.step(40))) {
      partials++;
      const { findings, parseProblems } = steps.partial();
      const seen = steps.analysed;
      assert.ok(seen > 0 && seen < steps.total);
      // Every finding so far is a finding of the result, on a statement analysed already, and in the same order.
      const all = want.findings.map((f) => JSON.stringify(f));
      let at = 0;
      for (const f of findings) {
        assert.ok(f.statementIndex < seen);
        const k = all.indexOf(JSON.stringify(f), at);
        assert.ok(k >= at, `a finding of the partial analysis is not in the result, or out of order: ${f.ruleId} on statement ${f.statementIndex}`);
        at = k + 1;
      }
      assert.equal(parseProblems.length, want.parseProblems.length);
    }
    assert.ok(partials >= 5);
    assert.deepEqual(normalize(result), normalize(want));
    assert.equal(steps.step(10), undefined, 'done');
    // The analyzer keeps the result: the next edit is incremental.
    const edited = doc.replace('SELECT 1', 'SELECT 2');
    assert.deepEqual(normalize(inc.update(edited)), normalize(analyze(edited, options)));
    assert.equal(inc.lastStats.full, false);
  });

  it('starts again when the parse finds one statement where the split saw many (the count changes what rules see)', () => {
    // 300 pieces of which only the last parses: one statement, for a runner whose implicit transaction needs two.
    const broken = Array.from({ length: 300 }, (_, i) => `ALTER TABEL t${i} ADD COLUMN x int;`).join('\n') + '\nCREATE INDEX i ON articles (title);';
    for (const runner of ['golang-migrate', undefined] as const) {
      const opts: AnalyzeOptions = { schemaSql: SCHEMA, pgVersion: 16, ...(runner ? { runner } : {}) };
      const inc = new DocumentAnalyzer(opts);
      const steps = inc.begin(broken);
      let result: AnalysisResult | undefined;
      for (let k = 0; k < 100 && !result; k++) result = steps.step(50);
      assert.ok(result, 'finished');
      assert.deepEqual(normalize(result), normalize(analyze(broken, opts)));
      assert.equal(result.statements.length, 1);
      assert.equal(result.file.statementCount, 1);
      assert.deepEqual(normalize(new DocumentAnalyzer(opts).update(broken)), normalize(analyze(broken, opts)));
    }
  });

  it('stops when an update comes first, and that update stands', () => {
    const inc = new DocumentAnalyzer(options);
    const steps = inc.begin(doc);
    assert.equal(steps.step(50), undefined);
    const edited = doc + '\nSELECT 42;';
    const r = inc.update(edited);
    assert.ok(steps.abandoned);
    assert.equal(steps.step(10_000), undefined, 'an abandoned analysis gives no result');
    assert.deepEqual(normalize(r), normalize(analyze(edited, options)));
    const again = edited.replace('SELECT 42', 'SELECT 43');
    assert.deepEqual(normalize(inc.update(again)), normalize(analyze(again, options)));
  });
});
