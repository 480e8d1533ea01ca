// Table tests for the tolerant statement splitter: which pieces it finds, where they start and end, and what it does
// with input that is still being typed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitStatements, type Piece } from '../../../src/analyzer/split.js';

interface Case {
  name: string;
  sql: string;
  /** The statements, as sql.slice(start, end). */
  expected: string[];
  /** Per piece: terminated by `;`. Defaults to all true. */
  terminated?: boolean[];
  /** Per piece: a quote, comment or dollar quote was still open at the end. Defaults to all false. */
  unterminated?: boolean[];
  todo?: string;
}

const CASES: Case[] = [
  // --- nothing to split
  { name: 'empty input', sql: '', expected: [] },
  { name: 'blanks only', sql: ' \n\t\r\n  ', expected: [] },
  { name: 'semicolons only', sql: ';;; ;\n;', expected: [] },
  { name: 'a line comment only', sql: '-- nothing here; really', expected: [] },
  { name: 'a block comment only', sql: '/* nothing; here */', expected: [] },

  // --- plain statements
  { name: 'one statement without a terminator', sql: 'SELECT 1', expected: ['SELECT 1'], terminated: [false] },
  { name: 'two statements', sql: 'SELECT 1; SELECT 2;', expected: ['SELECT 1', 'SELECT 2'] },
  { name: 'last statement unterminated', sql: 'SELECT 1;\nSELECT 2', expected: ['SELECT 1', 'SELECT 2'], terminated: [true, false] },
  { name: 'empty statements between semicolons are skipped', sql: 'SELECT 1;;\n;SELECT 2;', expected: ['SELECT 1', 'SELECT 2'] },
  { name: 'multi-line statement keeps its inner newlines', sql: 'CREATE TABLE t (\n  a int,\n  b text\n);', expected: ['CREATE TABLE t (\n  a int,\n  b text\n)'] },

  // --- comments
  { name: '-- comment with ; inside a statement', sql: 'SELECT 1 -- not the end; really\n, 2; SELECT 3;', expected: ['SELECT 1 -- not the end; really\n, 2', 'SELECT 3'] },
  { name: 'trailing -- comment after the last statement', sql: 'SELECT 1; -- done;', expected: ['SELECT 1'] },
  { name: 'block comment with ; and quotes before a statement', sql: "/* it's; $$ \" */ SELECT 1;", expected: ['SELECT 1'] },
  { name: 'nested block comments', sql: '/* a /* b ; */ c ; */ SELECT 1; /* /* */ ; */ SELECT 2;', expected: ['SELECT 1', 'SELECT 2'] },
  { name: 'block comment inside a statement', sql: 'SELECT /* ; */ 1; SELECT 2;', expected: ['SELECT /* ; */ 1', 'SELECT 2'] },
  { name: 'Prisma warning header with backticks and quotes', sql: "/*\n  Warnings:\n  - The `x` column on the `User` table won't be kept; it's gone.\n*/\nALTER TABLE \"User\" DROP COLUMN \"x\";", expected: ['ALTER TABLE "User" DROP COLUMN "x"'] },

  // --- quoted literals and identifiers
  { name: "'…' with '' escapes and ;", sql: "SELECT 'a;''b'';'; SELECT 2;", expected: ["SELECT 'a;''b'';'", 'SELECT 2'] },
  { name: 'a backslash does not escape in a standard string', sql: "SELECT 'a\\'; SELECT 2;", expected: ["SELECT 'a\\'", 'SELECT 2'] },
  { name: "E'…' with \\' escapes", sql: "SELECT E'a\\';b'; SELECT 2;", expected: ["SELECT E'a\\';b'", 'SELECT 2'] },
  { name: "lower-case e'…' with \\\\ and \\'", sql: "SELECT e'\\\\', e'\\';'; SELECT 2;", expected: ["SELECT e'\\\\', e'\\';'", 'SELECT 2'] },
  { name: "an identifier ending in E before a quote is not E'…'", sql: "SELECT namE'\\'; SELECT 2;", expected: ["SELECT namE'\\'", 'SELECT 2'] },
  { name: '"…" with "" escapes and ;', sql: 'SELECT "a;""b" FROM "t;"; SELECT 2;', expected: ['SELECT "a;""b" FROM "t;"', 'SELECT 2'] },
  { name: 'U& strings and bit strings', sql: "SELECT U&'d\\0061;t', B'1;0'; SELECT 2;", expected: ["SELECT U&'d\\0061;t', B'1;0'", 'SELECT 2'] },

  // --- dollar quotes
  { name: '$$…$$ containing ; and quotes', sql: "DO $$ BEGIN PERFORM 'x;'; RAISE NOTICE '%', 1; END $$; SELECT 2;", expected: ["DO $$ BEGIN PERFORM 'x;'; RAISE NOTICE '%', 1; END $$", 'SELECT 2'] },
  { name: '$tag$…$tag$ containing ; and other tags', sql: 'CREATE FUNCTION f() RETURNS text AS $body$ SELECT $x$;$x$; $$ ; $$ $body$ LANGUAGE sql; SELECT 2;', expected: ['CREATE FUNCTION f() RETURNS text AS $body$ SELECT $x$;$x$; $$ ; $$ $body$ LANGUAGE sql', 'SELECT 2'] },
  { name: 'dollar-quote tags are case-sensitive', sql: 'SELECT $A$ ; $a$ ; $A$; SELECT 2;', expected: ['SELECT $A$ ; $a$ ; $A$', 'SELECT 2'] },
  { name: '$1 parameters are not dollar quotes', sql: 'PREPARE p(int) AS SELECT $1; SELECT $2;', expected: ['PREPARE p(int) AS SELECT $1', 'SELECT $2'] },
  { name: '$ inside identifiers is not a dollar quote', sql: 'SELECT a$b$c, x$1; SELECT 2;', expected: ['SELECT a$b$c, x$1', 'SELECT 2'] },

  // --- SQL-standard function bodies
  {
    name: 'BEGIN ATOMIC … END with CASE … END inside',
    sql: 'CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END; SELECT 3; END; SELECT 4;',
    expected: ['CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END; SELECT 3; END', 'SELECT 4'],
  },
  {
    name: 'BEGIN ATOMIC, lower case, nested CASE, multi-line',
    sql: 'create or replace procedure p()\nlanguage sql\nbegin atomic\n  insert into t values (case when true then case when false then 1 end end);\n  delete from t;\nend;\nselect 1;',
    expected: ['create or replace procedure p()\nlanguage sql\nbegin atomic\n  insert into t values (case when true then case when false then 1 end end);\n  delete from t;\nend', 'select 1'],
  },
  { name: 'BEGIN as a transaction is its own statement', sql: 'BEGIN; SELECT 1; END;', expected: ['BEGIN', 'SELECT 1', 'END'] },
  { name: 'BEGIN … COMMIT around DDL', sql: 'BEGIN;\nCREATE TABLE atomic (begin int);\nCOMMIT;', expected: ['BEGIN', 'CREATE TABLE atomic (begin int)', 'COMMIT'] },

  // --- unterminated forms: run to the end of the input, everything before is still found
  { name: "unterminated '…'", sql: "SELECT 1;\nSELECT 'abc; SELECT 2;", expected: ['SELECT 1', "SELECT 'abc; SELECT 2;"], terminated: [true, false], unterminated: [false, true] },
  { name: "unterminated E'…' ending in \\'", sql: "SELECT 1;\nSELECT E'abc\\'", expected: ['SELECT 1', "SELECT E'abc\\'"], terminated: [true, false], unterminated: [false, true] },
  { name: 'unterminated "…"', sql: 'SELECT 1;\nSELECT "abc', expected: ['SELECT 1', 'SELECT "abc'], terminated: [true, false], unterminated: [false, true] },
  { name: 'unterminated $$…', sql: 'SELECT 1;\nDO $$ BEGIN; SELECT 2;', expected: ['SELECT 1', 'DO $$ BEGIN; SELECT 2;'], terminated: [true, false], unterminated: [false, true] },
  { name: 'unterminated $tag$…', sql: 'SELECT 1;\nSELECT $t$ x $$ ; $T$', expected: ['SELECT 1', 'SELECT $t$ x $$ ; $T$'], terminated: [true, false], unterminated: [false, true] },
  { name: 'unterminated /* after a statement start', sql: 'SELECT 1;\nSELECT 2 /* open ; SELECT 3;', expected: ['SELECT 1', 'SELECT 2'], terminated: [true, false], unterminated: [false, true] },
  { name: 'unterminated /* between statements hides the rest', sql: 'SELECT 1;\n/* open ; SELECT 3;', expected: ['SELECT 1'] },
  { name: 'unterminated BEGIN ATOMIC', sql: 'SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2;', expected: ['SELECT 1', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2;'], terminated: [true, false] },
  { name: 'a lone quote', sql: "'", expected: ["'"], terminated: [false], unterminated: [true] },
  { name: 'a lone $$', sql: '$$', expected: ['$$'], terminated: [false], unterminated: [true] },

  // --- line endings and non-ASCII
  { name: 'CRLF line endings', sql: 'SELECT 1;\r\n-- c;\r\nSELECT 2;\r\n', expected: ['SELECT 1', 'SELECT 2'] },
  { name: 'CRLF inside a statement', sql: 'CREATE TABLE t (\r\n  a int\r\n);\r\n', expected: ['CREATE TABLE t (\r\n  a int\r\n)'] },
  { name: 'non-ASCII: UTF-16 offsets', sql: "SELECT '😀é中'; SELECT 'x';", expected: ["SELECT '😀é中'", "SELECT 'x'"] },
  { name: 'non-ASCII identifiers', sql: 'CREATE TABLE café (ñ int); SELECT 1;', expected: ['CREATE TABLE café (ñ int)', 'SELECT 1'] },

  // --- known gaps (core bugs): the test states what PostgreSQL and psql do
  {
    name: 'CREATE RULE with several actions in parentheses is one statement (psql does not split inside parentheses)',
    sql: 'CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1;',
    expected: ['CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))', 'SELECT 1'],
  },
  {
    name: 'a lone CR ends a -- comment (PostgreSQL\'s lexer: newline is [\\n\\r])',
    sql: '-- comment\rSELECT 1;\rSELECT 2;',
    expected: ['SELECT 1', 'SELECT 2'],
  },
];

function texts(sql: string, pieces: Piece[]): string[] {
  return pieces.map((p) => sql.slice(p.start, p.end));
}

describe('splitStatements', () => {
  for (const c of CASES) {
    it(c.name, c.todo ? { todo: c.todo } : {}, () => {
      const pieces = splitStatements(c.sql);
      assert.deepEqual(texts(c.sql, pieces), c.expected);
      assert.deepEqual(pieces.map((p) => p.terminated), c.terminated ?? c.expected.map(() => true), 'terminated');
      assert.deepEqual(pieces.map((p) => p.unterminatedLiteral), c.unterminated ?? c.expected.map(() => false), 'unterminatedLiteral');
      let previousEnd = 0;
      for (const p of pieces) {
        assert.ok(previousEnd <= p.leadingStart && p.leadingStart <= p.start && p.start < p.end && p.end <= p.terminatorEnd && p.terminatorEnd <= c.sql.length, `offsets out of order: ${JSON.stringify(p)}`);
        assert.equal(p.terminatorEnd, p.terminated ? c.sql.indexOf(';', p.end) + 1 : p.end === c.sql.length ? p.end : c.sql.length);
        previousEnd = p.terminatorEnd;
      }
    });
  }

  it('offsets: leading comments, terminator and the next leading start', () => {
    const sql = '-- first\nSELECT 1 ;  /* second */\n  SELECT 2';
    const [a, b] = splitStatements(sql);
    assert.deepEqual(a, { start: 9, end: 17, terminatorEnd: 19, terminated: true, leadingStart: 0, unterminatedLiteral: false });
    assert.deepEqual(b, { start: 36, end: 44, terminatorEnd: 44, terminated: false, leadingStart: 19, unterminatedLiteral: false });
    assert.equal(sql.slice(b.leadingStart, b.start), '  /* second */\n  ');
  });

  it('offsets are UTF-16 code units (an emoji counts 2)', () => {
    const sql = "SELECT '😀';SELECT 2;";
    const pieces = splitStatements(sql);
    assert.deepEqual(pieces.map((p) => [p.start, p.end, p.terminatorEnd]), [[0, 11, 12], [12, 20, 21]]);
  });

  it('the leading text of a statement holds its directives', () => {
    const sql = 'SELECT 1;\n-- pg-preflight-ignore rule-a\nSELECT 2;';
    const [, b] = splitStatements(sql);
    assert.equal(sql.slice(b.leadingStart, b.start), '\n-- pg-preflight-ignore rule-a\n');
  });

  it('semicolons only between statements do not create pieces and move the leading start', () => {
    const sql = 'SELECT 1;;;\n-- x\nSELECT 2;';
    const [, b] = splitStatements(sql);
    assert.equal(sql.slice(b.leadingStart, b.start), '\n-- x\n');
  });
});
