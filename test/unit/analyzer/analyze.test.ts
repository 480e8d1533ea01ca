// analyze(): transaction tracking, lock_timeout tracking, ignore directives, parse problems (one per broken statement,
// ranges in UTF-16) and schema knowledge. Rules here are two test rules (ruleSet), so the other rules do not matter.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser } from '../../../src/analyzer/parse.js';
import { analyze, schemaFromSql, type AnalyzeOptions, type StatementInfo } from '../../../src/analyzer/analyze.js';
import { defineRule } from '../../../src/analyzer/rule.js';
import { LineIndex } from '../../../src/analyzer/text.js';

const everyStatement = defineRule({
  id: 'test-every-statement', summary: 'Report every statement (test rule).', category: 'operations', defaultSeverity: 'warning',
  messages: { hit: 'statement {{kind}}' }, help: 'none',
  check(ctx) { ctx.report('hit', { kind: ctx.kind }); },
});
const everyIndex = defineRule({
  id: 'test-every-index', summary: 'Report every CREATE INDEX (test rule).', category: 'locking', defaultSeverity: 'error',
  messages: { index: 'index' }, help: 'none',
  check(ctx) { if (ctx.kind === 'IndexStmt') ctx.report('index'); },
});
const lastStatement = defineRule({
  id: 'test-last-statement', summary: 'Report the last statement from checkFile (test rule).', category: 'operations', defaultSeverity: 'info',
  messages: { last: 'last' }, help: 'none',
  checkFile(ctx) { if (ctx.file.statements.length) ctx.report('last', ctx.file.statements.length - 1); },
});
const RULES = [everyStatement, everyIndex, lastStatement];

function run(sql: string, options: AnalyzeOptions = {}) {
  return analyze(sql, { ruleSet: RULES, ...options });
}

/** [kind, inTransaction, transactionId, implicitTransaction] per statement. */
function txn(statements: StatementInfo[]): [string, boolean, number, boolean][] {
  return statements.map((s) => [s.kind, s.inTransaction, s.transactionId, s.implicitTransaction]);
}

before(async () => { await loadParser(); });

describe('analyze: transaction tracking', () => {
  const EXPLICIT = 'CREATE TABLE a (id int);\nBEGIN;\nCREATE INDEX i ON a (id);\nCOMMIT;\nCREATE INDEX j ON a (id);';

  it('explicit BEGIN / COMMIT, no runner', () => {
    const r = run(EXPLICIT);
    assert.deepEqual(txn(r.statements), [
      ['CreateStmt', false, -1, false],
      ['TransactionStmt', true, 0, false],
      ['IndexStmt', true, 0, false],
      ['TransactionStmt', true, 0, false],
      ['IndexStmt', false, -1, false],
    ]);
    assert.equal(r.file.implicitTransaction, 'none');
    assert.equal(r.file.endsInTransaction, false);
  });

  it('two explicit blocks get two transaction ids; START TRANSACTION, END and ROLLBACK count', () => {
    const r = run('START TRANSACTION;\nSELECT 1;\nEND;\nBEGIN;\nSELECT 2;\nROLLBACK;\nSELECT 3;');
    assert.deepEqual(r.statements.map((s) => s.transactionId), [0, 0, 0, 1, 1, 1, -1]);
    assert.deepEqual(r.statements.map((s) => s.inTransaction), [true, true, true, true, true, true, false]);
  });

  it('a file that ends inside BEGIN', () => {
    const r = run('BEGIN;\nCREATE INDEX i ON a (id);');
    assert.equal(r.file.endsInTransaction, true);
    assert.equal(r.statements[1].inTransaction, true);
  });

  it("runner 'psql': autocommit, like no runner", () => {
    const r = run(EXPLICIT, { runner: 'psql' });
    assert.deepEqual(txn(r.statements), txn(run(EXPLICIT).statements));
    assert.equal(r.file.implicitTransaction, 'none');
  });

  it("runner 'flyway': the whole file is one implicit transaction, even a single statement", () => {
    const r = run('CREATE TABLE a (id int);\nCREATE INDEX i ON a (id);', { runner: 'flyway' });
    assert.deepEqual(txn(r.statements), [['CreateStmt', true, 0, true], ['IndexStmt', true, 0, true]]);
    assert.equal(r.file.implicitTransaction, 'file');
    const one = run('CREATE INDEX i ON a (id);', { runner: 'flyway' });
    assert.deepEqual(txn(one.statements), [['IndexStmt', true, 0, true]]);
  });

  it("runner 'golang-migrate': a single-statement file runs outside a transaction", () => {
    const r = run('-- +migrate Up\nCREATE INDEX CONCURRENTLY i ON a (id);\n-- trailing comment', { runner: 'golang-migrate' });
    assert.deepEqual(txn(r.statements), [['IndexStmt', false, -1, false]]);
    assert.equal(r.file.implicitTransaction, 'multi-statement');
  });

  it("runner 'golang-migrate': a multi-statement file is one implicit transaction", () => {
    const r = run('CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY i ON a (id);', { runner: 'golang-migrate' });
    assert.deepEqual(txn(r.statements), [['CreateStmt', true, 0, true], ['IndexStmt', true, 0, true]]);
  });

  it("runner 'prisma': single statement outside, several statements inside one implicit transaction", () => {
    assert.deepEqual(txn(run('ALTER TABLE "User" ADD COLUMN "x" TEXT;', { runner: 'prisma' }).statements), [['AlterTableStmt', false, -1, false]]);
    const r = run('/* Prisma header */\nALTER TABLE "User" ADD COLUMN "x" TEXT;\nCREATE INDEX "User_x_idx" ON "User"("x");', { runner: 'prisma' });
    assert.deepEqual(txn(r.statements), [['AlterTableStmt', true, 0, true], ['IndexStmt', true, 0, true]]);
  });

  it('assumeInTransaction overrides the runner both ways', () => {
    const sql = 'CREATE INDEX i ON a (id);';
    assert.deepEqual(txn(run(sql, { runner: 'psql', assumeInTransaction: true }).statements), [['IndexStmt', true, 0, true]]);
    assert.deepEqual(txn(run(sql, { assumeInTransaction: true }).statements), [['IndexStmt', true, 0, true]]);
    assert.deepEqual(txn(run(sql, { runner: 'flyway', assumeInTransaction: false }).statements), [['IndexStmt', false, -1, false]]);
    const multi = 'CREATE TABLE a (id int);\nCREATE INDEX i ON a (id);';
    assert.deepEqual(txn(run(multi, { runner: 'golang-migrate', assumeInTransaction: false }).statements), [['CreateStmt', false, -1, false], ['IndexStmt', false, -1, false]]);
    assert.equal(run(sql, { runner: 'golang-migrate', assumeInTransaction: true }).file.implicitTransaction, 'file');
  });

  it("multi-statement runners: statements after a COMMIT run in a new implicit transaction (PostgreSQL's simple-query protocol)", {
  }, () => {
    // Checked on PostgreSQL 18 with one simple-query message:
    //   INSERT INTO t VALUES (1); COMMIT; CREATE INDEX CONCURRENTLY i1 ON t (a);
    //   → ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block
    //   SELECT pg_current_xact_id(); BEGIN; SELECT pg_current_xact_id(); COMMIT; SELECT pg_current_xact_id();
    //   → 755, 755, 756
    const a = run('INSERT INTO t VALUES (1);\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);', { runner: 'golang-migrate' });
    assert.equal(a.statements[2].inTransaction, true, 'the statement after COMMIT is in a new implicit transaction');
    assert.ok(a.statements[2].transactionId >= 0 && a.statements[2].transactionId !== a.statements[0].transactionId);
    const b = run('INSERT INTO t VALUES (1);\nBEGIN;\nINSERT INTO t VALUES (2);\nCOMMIT;\nINSERT INTO t VALUES (3);', { runner: 'prisma' });
    assert.equal(b.statements[4].inTransaction, true);
    assert.notEqual(b.statements[4].transactionId, b.statements[0].transactionId, 'COMMIT ended the first transaction: its locks are released');
  });
});

describe('analyze: transaction chaining', () => {
  it('COMMIT AND CHAIN starts the next transaction at once', {
  }, () => {
    const r = run('BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;');
    assert.equal(r.statements[3].inTransaction, true);
    assert.ok(r.statements[3].transactionId >= 0 && r.statements[3].transactionId !== r.statements[1].transactionId);
  });
});

describe('analyze: lock_timeout and statement_timeout', () => {
  const timeouts = (sql: string, options: AnalyzeOptions = {}) => run(sql, options).statements.map((s) => s.lockTimeout);

  it('SET applies to the statements after it, not to itself', () => {
    assert.deepEqual(timeouts("SELECT 1;\nSET lock_timeout = '2s';\nALTER TABLE a ADD COLUMN b int;"), [null, null, '2s']);
  });

  it('numbers, TO, and 0 (disabled) are kept as text', () => {
    assert.deepEqual(timeouts('SET lock_timeout TO 1000;\nSELECT 1;\nSET lock_timeout = 0;\nSELECT 2;'), [null, '1000', '1000', '0']);
  });

  it('SET LOCAL lasts until COMMIT, then the session value is back', () => {
    assert.deepEqual(
      timeouts("SET lock_timeout = '2s';\nBEGIN;\nSET LOCAL lock_timeout = '5s';\nCREATE INDEX i ON a (id);\nCOMMIT;\nCREATE INDEX j ON a (id);"),
      [null, '2s', '2s', '5s', '5s', '2s'],
    );
  });

  it('SET LOCAL ends at ROLLBACK too', () => {
    assert.deepEqual(timeouts("BEGIN;\nSET LOCAL lock_timeout = '1s';\nSELECT 1;\nROLLBACK;\nSELECT 2;"), [null, null, '1s', '1s', null]);
  });

  it('SET LOCAL outside a transaction block has no effect', () => {
    assert.deepEqual(timeouts("SET LOCAL lock_timeout = '1s';\nSELECT 1;"), [null, null]);
  });

  it("SET LOCAL inside the runner's implicit transaction lasts to the end of the file", () => {
    assert.deepEqual(timeouts("SET LOCAL lock_timeout = '1s';\nSELECT 1;\nSELECT 2;", { runner: 'flyway' }), [null, '1s', '1s']);
  });

  it('SET in a committed transaction stays after COMMIT', () => {
    assert.deepEqual(timeouts("BEGIN;\nSET lock_timeout = '3s';\nCOMMIT;\nSELECT 1;"), [null, null, '3s', '3s']);
  });

  it('RESET, SET … TO DEFAULT and RESET ALL clear it', () => {
    assert.deepEqual(timeouts("SET lock_timeout = '2s';\nRESET lock_timeout;\nSELECT 1;"), [null, '2s', null]);
    assert.deepEqual(timeouts("SET lock_timeout = '2s';\nSET lock_timeout TO DEFAULT;\nSELECT 1;"), [null, '2s', null]);
    assert.deepEqual(timeouts("SET lock_timeout = '2s';\nRESET ALL;\nSELECT 1;"), [null, '2s', null]);
  });

  it("assumeLockTimeout: the runner's value ('runner') until the file changes it", () => {
    assert.deepEqual(timeouts("SELECT 1;\nSET lock_timeout = '9s';\nSELECT 2;", { assumeLockTimeout: true }), ['runner', 'runner', '9s']);
  });

  it('statement_timeout is tracked on its own', () => {
    const r = run("SET statement_timeout = '1min';\nSET lock_timeout = '1s';\nSELECT 1;\nRESET statement_timeout;\nSELECT 2;", { assumeStatementTimeout: true });
    assert.deepEqual(r.statements.map((s) => [s.lockTimeout, s.statementTimeout]), [
      [null, 'runner'], [null, '1min'], ['1s', '1min'], ['1s', '1min'], ['1s', null],
    ]);
  });

  it('a SET inside a transaction that is rolled back is undone', {
  }, () => {
    assert.deepEqual(timeouts("BEGIN;\nSET lock_timeout = '3s';\nROLLBACK;\nSELECT 1;"), [null, null, '3s', null]);
    assert.deepEqual(timeouts("SET lock_timeout = '7s';\nBEGIN;\nSET lock_timeout = '3s';\nROLLBACK;\nSELECT 1;"), [null, '7s', '7s', '3s', '7s']);
  });
});

describe('analyze: ignore directives', () => {
  const ids = (sql: string) => run(sql).findings.map((f) => `${f.statementIndex}:${f.ruleId}`);

  it('`-- pg-preflight-ignore rule-a, rule-b` before a statement silences those rules on it only', () => {
    const sql = 'CREATE TABLE a (id int);\n-- pg-preflight-ignore test-every-index, test-every-statement\nCREATE INDEX i ON a (id);\nCREATE INDEX j ON a (id);';
    const r = run(sql);
    assert.deepEqual(r.statements[1].ignoredRules, ['test-every-index', 'test-every-statement']);
    assert.deepEqual(r.statements[2].ignoredRules, []);
    assert.deepEqual(ids(sql), ['0:test-every-statement', '2:test-every-statement', '2:test-every-index', '2:test-last-statement']);
  });

  it('a directive with one rule leaves the other rules on', () => {
    const sql = '-- pg-preflight-ignore test-every-index\nCREATE INDEX i ON a (id);';
    assert.deepEqual(ids(sql), ['0:test-every-statement', '0:test-last-statement']);
  });

  it('a bare `-- pg-preflight-ignore` silences every rule on the next statement, checkFile reports included', () => {
    const sql = 'SELECT 1;\n-- why: reviewed\n-- pg-preflight-ignore\nCREATE INDEX i ON a (id);';
    const r = run(sql);
    assert.deepEqual(r.statements[1].ignoredRules, ['*']);
    assert.deepEqual(ids(sql), ['0:test-every-statement']);
  });

  it('rule lists separated by commas and/or spaces', () => {
    const r = run('-- pg-preflight-ignore test-every-index test-every-statement,test-last-statement\nCREATE INDEX i ON a (id);');
    assert.deepEqual(r.statements[0].ignoredRules, ['test-every-index', 'test-every-statement', 'test-last-statement']);
    assert.deepEqual(r.findings, []);
  });

  it('`-- pg-preflight-ignore-file` without a list turns every rule off for the file', () => {
    const r = run('-- pg-preflight-ignore-file\nCREATE INDEX i ON a (id);\nCREATE INDEX j ON a (id);');
    assert.deepEqual(r.file.fileIgnores, ['*']);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.statements[0].ignoredRules, [], 'the file directive is not a statement directive');
    assert.equal(r.statements.length, 2, 'statements are still analysed');
  });

  it('`-- pg-preflight-ignore-file rule-a` turns only that rule off, anywhere in the file', () => {
    const r = run('CREATE INDEX i ON a (id);\nCREATE INDEX j ON a (id);\n-- pg-preflight-ignore-file test-every-index');
    assert.deepEqual(r.file.fileIgnores, ['test-every-index']);
    assert.deepEqual(r.findings.map((f) => f.ruleId), ['test-every-statement', 'test-every-statement', 'test-last-statement']);
  });

  it('a rule switched off in options does not run; severities come from options', () => {
    const r = run('CREATE INDEX i ON a (id);', { rules: { 'test-every-statement': 'off', 'test-every-index': 'hint' } });
    assert.deepEqual(r.findings.map((f) => [f.ruleId, f.severity]), [['test-every-index', 'hint'], ['test-last-statement', 'info']]);
  });
});

describe('analyze: parse problems', () => {
  it('a half-typed statement in the middle: one parse problem, the statements around it are analysed', () => {
    const sql = 'CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN;\nCREATE INDEX i ON a (id);';
    const r = run(sql);
    assert.deepEqual(r.statements.map((s) => s.kind), ['CreateStmt', 'IndexStmt']);
    assert.equal(r.parseProblems.length, 1);
    assert.equal(r.parseProblems[0].range.start.line, 1);
    assert.equal(r.parseProblems[0].range.end.line, 1);
    assert.ok(r.findings.some((f) => f.ruleId === 'test-every-index'), 'rules still run on the statement after the broken one');
  });

  it('a half-typed statement without its `;`: the next statements are recovered', () => {
    const sql = 'CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN\nCREATE INDEX i ON a (id);\nSELECT 1;';
    const r = run(sql);
    assert.deepEqual(r.statements.map((s) => s.kind), ['CreateStmt', 'IndexStmt', 'SelectStmt']);
    assert.equal(r.parseProblems.length, 1);
    assert.equal(r.parseProblems[0].range.start.line, 1);
    assert.equal(r.statements[1].range.start.line, 2);
  });

  it('an unterminated quote at the end: one parse problem that says so, earlier statements analysed', () => {
    const r = run("CREATE TABLE a (id int);\nCOMMENT ON TABLE a IS 'still typing");
    assert.deepEqual(r.statements.map((s) => s.kind), ['CreateStmt']);
    assert.equal(r.parseProblems.length, 1);
    assert.match(r.parseProblems[0].message, /not closed/);
  });

  it('empty and comment-only input: no statement, no problem', () => {
    for (const sql of ['', '   \n', '-- just a comment', '/* block */', ';;']) {
      const r = run(sql);
      assert.deepEqual([r.statements.length, r.parseProblems.length], [0, 0], JSON.stringify(sql));
    }
  });

  it('never throws on odd arguments', () => {
    assert.doesNotThrow(() => analyze(undefined as unknown as string));
    assert.doesNotThrow(() => analyze(42 as unknown as string));
    assert.deepEqual(analyze(undefined as unknown as string).statements, []);
  });

  it('parse problem after non-ASCII text in an earlier statement: range in UTF-16 (line and character)', () => {
    const sql = "COMMENT ON TABLE a IS '😀 é 中';\nSELECT 1 FROM WHERE;";
    const r = run(sql);
    assert.equal(r.parseProblems.length, 1);
    assert.deepEqual(r.parseProblems[0].range.start, { line: 1, character: sql.split('\n')[1].indexOf('WHERE') });
  });

  it('parse problem after non-ASCII text earlier on the same line, in an earlier statement', () => {
    const sql = "SELECT '😀😀'; SELECT 1 FROM WHERE;";
    const r = run(sql);
    assert.deepEqual(r.parseProblems[0].range.start, { line: 0, character: sql.indexOf('WHERE') });
  });

  it('statement and finding ranges after an emoji are UTF-16', () => {
    const sql = "SELECT '😀';CREATE INDEX i ON a (id);";
    const r = run(sql);
    const idx = r.statements[1];
    assert.equal(idx.start, sql.indexOf('CREATE'));
    assert.deepEqual(idx.range.start, { line: 0, character: sql.indexOf('CREATE') });
    assert.deepEqual(idx.range.end, { line: 0, character: sql.length });
    assert.deepEqual(r.findings.find((f) => f.ruleId === 'test-every-index')!.range, idx.range);
  });

  it('parse problem after non-ASCII text in the same statement: range in UTF-16', {
  }, () => {
    for (const sql of ["SELECT 'é' FROM WHERE;", "SELECT '😀' FROM WHERE;", "SELECT '😀 中',\n  'é' AS x FROM WHERE;"]) {
      const r = run(sql);
      const where = sql.indexOf('WHERE');
      const expected = new LineIndex(sql).position(where);
      assert.equal(r.parseProblems.length, 1);
      assert.deepEqual(r.parseProblems[0].range.start, expected, JSON.stringify(sql));
    }
  });
});

describe('analyze: schema knowledge', () => {
  it('a table created earlier in the file: its locks are createdInMigration', () => {
    const r = run('CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nALTER TABLE t ADD COLUMN b int;');
    assert.deepEqual(r.statements[1].locks.map((l) => [l.relation, l.mode, l.createdInMigration, l.implicit]), [['public.t', 'ShareLock', true, false]]);
    assert.deepEqual(r.statements[2].locks.map((l) => [l.relation, l.mode, l.createdInMigration]), [['public.t', 'AccessExclusiveLock', true]]);
    assert.equal(r.file.schemaBefore.has('public.t'), false);
    assert.equal(r.file.schemaAfter.get('public.t')?.createdInMigration, true);
    assert.deepEqual(r.file.schemaAfter.get('public.t')?.columns.map((c) => c.name), ['a', 'b']);
  });

  it('a table known from schemaSql is not createdInMigration', () => {
    const r = run('CREATE INDEX i ON t (a);', { schemaSql: 'CREATE TABLE t (a int);' });
    assert.deepEqual(r.statements[0].locks.map((l) => [l.relation, l.mode, l.createdInMigration, l.relkind]), [['public.t', 'ShareLock', false, 'table']]);
  });

  it('DROP INDEX with schemaSql: the index\'s table is an implicit ACCESS EXCLUSIVE lock', () => {
    const r = run('DROP INDEX i;', { schemaSql: 'CREATE TABLE t (a int); CREATE INDEX i ON t (a);' });
    const locks = r.statements[0].locks.map((l) => [l.relation, l.mode, l.implicit]);
    assert.deepEqual(locks.sort(), [['public.i', 'AccessExclusiveLock', false], ['public.t', 'AccessExclusiveLock', true]]);
  });

  it('DROP INDEX CONCURRENTLY with schemaSql: SHARE UPDATE EXCLUSIVE on the table, and it cannot run in a transaction', () => {
    const r = run('DROP INDEX CONCURRENTLY i;', { schemaSql: 'CREATE TABLE t (a int); CREATE INDEX i ON t (a);' });
    assert.deepEqual(r.statements[0].locks.find((l) => l.relation === 'public.t')?.mode, 'ShareUpdateExclusiveLock');
    assert.equal(r.statements[0].effects.nonTransactional, true);
  });

  it('DROP INDEX without schema: only the index, and the model says what it does not know', () => {
    const r = run('DROP INDEX i;');
    assert.deepEqual(r.statements[0].locks.map((l) => l.relation), ['public.i']);
    assert.ok(r.statements[0].effects.unknowns.length > 0);
  });

  it('baseSchema is used as given and not modified by the analysis', () => {
    const base = schemaFromSql('CREATE TABLE t (a int); CREATE INDEX i ON t (a);');
    const r = run('DROP INDEX i;\nDROP TABLE t;', { baseSchema: base });
    assert.equal(r.statements[0].locks.find((l) => l.relation === 'public.t')?.implicit, true);
    assert.equal(r.file.schemaAfter.has('public.t'), false);
    assert.equal(base.has('public.t'), true, 'the base model is shared between analyses: it must stay intact');
    assert.equal(base.has('public.i'), true);
  });

  it('schema-qualified and quoted names', () => {
    const r = run('CREATE TABLE "App"."Users" (id int);\nCREATE INDEX ON "App"."Users" (id);');
    assert.deepEqual(r.statements[1].locks.map((l) => [l.relation, l.createdInMigration]), [['"App"."Users"', true]]);
  });
});
