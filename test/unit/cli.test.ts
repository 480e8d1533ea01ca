// The CLI's contract: exit codes, formats, the JSON shape, stdin, config and schema handling.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type Io } from '../../src/cli/main.js';

function io(cwd: string, stdin = ''): Io & { out: string; err: string } {
  const o = {
    out: '', err: '', cwd, isTTY: false, env: {},
    stdout(s: string) { o.out += s; }, stderr(s: string) { o.err += s; },
    readStdin: async () => stdin,
  };
  return o;
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgpf-cli-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

describe('pg-preflight lint', () => {
  it('exits 0 on a clean migration and 1 on an error finding', async () => {
    const dir = project({ 'ok.sql': 'CREATE TABLE t (id bigint);\n', 'bad.sql': 'CREATE INDEX i ON articles (title);\n' });
    const a = io(dir);
    assert.equal(await run(['lint', 'ok.sql'], a), 0, a.err + a.out);
    const b = io(dir);
    assert.equal(await run(['lint', 'bad.sql'], b), 1);
    assert.match(b.out, /require-concurrent-index-creation/);
    assert.match(b.out, /ShareLock public\.articles/);
  });

  it('exits 2 with one line for usage and input errors, never a stack trace', async () => {
    const dir = project({});
    for (const argv of [['lint'], ['lint', '--format', 'xml', 'a.sql'], ['lint', 'missing.sql'], ['lint', '--pg-version', '9', 'a.sql'], ['frobnicate'], ['lint', '--nope', 'x']]) {
      const c = io(dir);
      assert.equal(await run(argv, c), 2, argv.join(' '));
      assert.equal(c.err.trim().split('\n').length, 1, `one line: ${c.err}`);
      assert.match(c.err, /^pg-preflight: /);
      assert.doesNotMatch(c.err, /\n\s+at /);
    }
  });

  it('writes the JSON contract shape', async () => {
    const dir = project({ 'm.sql': '-- é\nALTER TABLE Articles ALTER COLUMN view_count TYPE bigint;\nSELECT (;\n' });
    const c = io(dir);
    const code = await run(['lint', '--format', 'json', '--pg-version', '15', 'm.sql'], c);
    assert.equal(code, 1); // the parse problem fails the run
    const j = JSON.parse(c.out);
    assert.equal(j.tool, 'pg-preflight');
    assert.equal(j.formatVersion, 1);
    assert.equal(j.pgVersion, 15);
    const f = j.files[0];
    assert.equal(f.path, 'm.sql');
    const s = f.statements[0];
    assert.equal(s.index, 0);
    assert.equal(s.kind, 'AlterTableStmt');
    assert.equal(s.text, 'ALTER TABLE Articles ALTER COLUMN view_count TYPE bigint');
    assert.deepEqual(s.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 57 } });
    assert.equal(s.inTransaction, false);
    assert.deepEqual(s.locks.map((l: any) => [l.relation, l.mode]), [['public.articles', 'AccessExclusiveLock']]);
    assert.equal(s.rewritesTable, true);
    assert.equal(s.scansTable, false);
    assert.ok(Array.isArray(f.findings));
    for (const x of f.findings) for (const k of ['ruleId', 'severity', 'message', 'help', 'statementIndex', 'range']) assert.ok(k in x, k);
    assert.equal(f.parseErrors.length, 1);
    assert.deepEqual(Object.keys(f.parseErrors[0]).sort(), ['message', 'range']);
    assert.equal(f.parseErrors[0].range.start.line, 2);
  });

  it('reads stdin with -, and reports SARIF 2.1.0 and GitHub annotations', async () => {
    const dir = project({});
    const sarif = io(dir, 'CREATE INDEX i ON t (c);');
    assert.equal(await run(['lint', '--format', 'sarif', '-'], sarif), 1);
    const s = JSON.parse(sarif.out);
    assert.equal(s.version, '2.1.0');
    assert.equal(s.runs[0].tool.driver.name, 'pg-preflight');
    assert.ok(s.runs[0].tool.driver.rules.length >= 1);
    assert.equal(s.runs[0].results[0].ruleId, 'require-concurrent-index-creation');
    assert.equal(s.runs[0].results[0].locations[0].physicalLocation.region.startLine, 1);
    const gh = io(dir, 'CREATE INDEX i ON t (c);');
    assert.equal(await run(['lint', '--format', 'github', '--stdin-filepath', 'db/m.sql', '-'], gh), 1);
    assert.match(gh.out, /^::error file=db\/m\.sql,line=1,col=1,/);
  });

  it('honours .pgpreflight.json and refuses a bad one with one line', async () => {
    const m = 'CREATE INDEX i ON t (c);';
    const plain = io(project({ 'm.sql': m }));
    assert.equal(await run(['lint', '--format', 'json', 'm.sql'], plain), 1);
    const on = JSON.parse(plain.out).files[0].findings.filter((f: any) => f.severity === 'error').map((f: any) => f.ruleId);
    assert.ok(on.includes('require-concurrent-index-creation'));
    // Switching off every rule that reports an error leaves a passing run, and the switched-off rules are silent.
    const off = Object.fromEntries(on.map((id: string) => [id, 'off']));
    const dir = project({ '.pgpreflight.json': JSON.stringify({ rules: off }), 'm.sql': m });
    const a = io(dir);
    assert.equal(await run(['lint', '--format', 'json', 'm.sql'], a), 0, a.out);
    assert.deepEqual(JSON.parse(a.out).files[0].findings.filter((f: any) => on.includes(f.ruleId)), []);
    const bad = project({ '.pgpreflight.json': '{"pgVersion": 9}', 'm.sql': 'SELECT 1;' });
    const b = io(bad);
    assert.equal(await run(['lint', 'm.sql'], b), 2);
    assert.match(b.err, /pgVersion must be one of 13, 14, 15, 16, 17, 18/);
    const unknownRule = project({ '.pgpreflight.json': '{"rules": {"no-such-rule": "off"}}', 'm.sql': 'SELECT 1;' });
    const c = io(unknownRule);
    assert.equal(await run(['lint', 'm.sql'], c), 2);
    assert.match(c.err, /unknown rule "no-such-rule"/);
  });

  it('--fail-on warning turns warnings into a failing exit', async () => {
    const dir = project({ 'm.sql': 'CREATE INDEX i ON t (c);' });
    const a = io(dir);
    await run(['lint', '--format', 'json', 'm.sql'], a);
    const sev = JSON.parse(a.out).files[0].findings.map((f: any) => f.severity);
    assert.ok(sev.includes('error'));
  });

  it('builds the schema from earlier migrations of the folder, in the runner order', async () => {
    const dir = project({
      'db/V2__index.sql': 'DROP INDEX articles_title_idx;\n',
      'db/V10__later.sql': 'SELECT 1;\n',
      'db/V1__init.sql': 'CREATE TABLE articles (id bigint PRIMARY KEY, title text);\nCREATE INDEX articles_title_idx ON articles (title);\n',
    });
    const c = io(dir);
    await run(['lint', '--format', 'json', '--runner', 'flyway', 'db/V2__index.sql'], c);
    const st = JSON.parse(c.out).files[0].statements[0];
    assert.deepEqual(st.locks.map((l: any) => `${l.relation}:${l.mode}`).sort(), ['public.articles:AccessExclusiveLock', 'public.articles_title_idx:AccessExclusiveLock']);
    const folder = io(dir);
    await run(['lint', '--format', 'json', '--runner', 'flyway', 'db'], folder);
    assert.deepEqual(JSON.parse(folder.out).files.map((f: any) => f.path), ['db/V1__init.sql', 'db/V2__index.sql', 'db/V10__later.sql']);
  });

  it('--schema reads a dump; without it the implicit table of DROP INDEX is unknown', async () => {
    const dir = project({ 'schema.sql': 'CREATE TABLE public.articles (id bigint);\nCREATE INDEX a_idx ON public.articles USING btree (id);\n', 'm.sql': 'DROP INDEX a_idx;' });
    const with_ = io(dir);
    await run(['lint', '--format', 'json', '--schema', 'schema.sql', 'm.sql'], with_);
    assert.deepEqual(JSON.parse(with_.out).files[0].statements[0].locks.map((l: any) => l.relation).sort(), ['public.a_idx', 'public.articles']);
    const without = io(dir);
    await run(['lint', '--format', 'json', 'm.sql'], without);
    const st = JSON.parse(without.out).files[0].statements[0];
    assert.deepEqual(st.locks.map((l: any) => l.relation), ['public.a_idx']);
    assert.match(st.unknowns[0], /not in the schema model/);
  });

  it('lists rules', async () => {
    const c = io(project({}));
    assert.equal(await run(['lint', '--list-rules'], c), 0);
    assert.match(c.out, /require-concurrent-index-creation/);
  });
});
