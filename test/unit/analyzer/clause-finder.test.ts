// ClauseFinder (rules/utils/group-b.ts) finds the clause of one ALTER TABLE command without compiling a pattern per
// command: it must give exactly the range of the first match of the regular expression the rules used before.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../../src/analyzer/text.js';
import { ClauseFinder, identSource } from '../../../src/analyzer/rules/utils/group-b.js';
import { alterColumnSpan, clauseEnd, findIn, identSource as identSourceA } from '../../../src/analyzer/rules/utils/group-a.js';
import type { FileInfo, StatementInfo } from '../../../src/analyzer/analyze.js';
import { prng } from '../support.js';


function setup(prefix: string, text: string) {
  const doc = prefix + text;
  const file = { text: doc, lines: new LineIndex(doc) } as unknown as FileInfo;
  const stmt = { text, start: prefix.length } as unknown as StatementInfo;
  return { file, stmt };
}

function expected(file: FileInfo, stmt: StatementInfo, source: string) {
  const m = new RegExp(source, 'gi').exec(stmt.text);
  return m ? file.lines.range(stmt.start + m.index, stmt.start + m.index + m[0].length) : undefined;
}

const WORDS = ['DROP', 'drop', 'Drop', 'COLUMN', 'column', 'IF', 'if', 'EXISTS', 'exists', 'a', 'A', 'ab', 'a_b', '"a"', '"A"', '"a b"', 'a b',
  'col', 'COL', 'col1', 'col$', '"col"', '"""q"""', '"q"', 'é', 'Ä', 'ſ', 'K', 'k', ',', ';', '(', ')', 'ALTER', 'TABLE', 't', 'CASCADE', '--x\n'];
const SPACES = [' ', '  ', '\n', '\t', '\r\n', '\u00a0', '', ' \n '];
const NAMES = ['a', 'A', 'ab', 'a b', 'col', 'COL', 'col1', 'col$', 'q', '"q"', 'é', 'Ä', 's', 'k', 'column', 'if', 'exists', 'drop', ' a', 'a ', 'x.y', 'a*b', 'a(b'];

describe('ClauseFinder', () => {
  it('rangeOfColumnClause equals the first match of \\bdrop\\s+(?:column\\s+)?(?:if\\s+exists\\s+)?<ident>', () => {
    const rnd = prng(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    let found = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const len = 1 + Math.floor(rnd() * 14);
      for (let i = 0; i < len; i++) {
        text += rnd() < 0.3
          ? [pick(['DROP', 'drop']), rnd() < 0.5 ? pick(['COLUMN', 'column']) : '', rnd() < 0.3 ? 'IF EXISTS' : '', pick(WORDS)].filter(Boolean).join(pick(SPACES.slice(0, 5)))
          : pick(WORDS);
        text += pick(SPACES);
      }
      const { file, stmt } = setup(pick(['', 'SELECT 1;\n', 'é\n  ']), text);
      const finder = new ClauseFinder(file, stmt, '\\bdrop\\s+');
      for (let k = 0; k < 3; k++) {
        const name = pick(NAMES);
        const want = expected(file, stmt, `\\bdrop\\s+(?:column\\s+)?(?:if\\s+exists\\s+)?${identSource(name)}`);
        assert.deepEqual(finder.rangeOfColumnClause(name), want, `${JSON.stringify(text)} ${JSON.stringify(name)}`);
        if (want) found++;
      }
    }
    assert.ok(found > 2000, `only ${found} matches: the generator is too weak`);
  });

  it('rangeOf equals the first match of lead + rest', () => {
    const rnd = prng(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    let found = 0;
    for (let n = 0; n < 5_000; n++) {
      let text = '';
      const len = 1 + Math.floor(rnd() * 12);
      for (let i = 0; i < len; i++) {
        text += rnd() < 0.3
          ? [pick(['ALTER', 'alter']), rnd() < 0.5 ? 'COLUMN' : '', pick(WORDS), 'DROP', 'NOT', 'NULL'].filter(Boolean).join(pick(SPACES.slice(0, 5)))
          : pick([...WORDS, 'NOT', 'NULL', 'not', 'null']);
        text += pick(SPACES);
      }
      const { file, stmt } = setup('', text);
      const finder = new ClauseFinder(file, stmt, '\\balter\\s+');
      const name = pick(NAMES);
      const rest = `(?:column\\s+)?${identSource(name)}\\s+drop\\s+not\\s+null`;
      const want = expected(file, stmt, `\\balter\\s+${rest}`);
      assert.deepEqual(finder.rangeOf(rest), want, `${JSON.stringify(text)} ${JSON.stringify(name)}`);
      if (want) found++;
    }
    assert.ok(found > 200, `only ${found} matches`);
  });

  it('alterColumnSpan equals findIn of \\balter\\s+(?:column\\s+)?<ident>\\s*<rest>', () => {
    const rnd = prng(99);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const RESTS = ['set\\s+not\\s+null\\b', '(?:set\\s+data\\s+)?type\\b'];
    const names = [...NAMES, 'a$', 'x_1', '_', 'Mixed', 'type', 'set', 'a"b', ' lead'];
    let found = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const len = 1 + Math.floor(rnd() * 12);
      for (let i = 0; i < len; i++) {
        text += rnd() < 0.4
          ? [pick(['ALTER', 'alter', 'Alter']), rnd() < 0.5 ? pick(['COLUMN', 'column']) : '', pick([...WORDS, '"a$"', 'a$', 'x_1', '"Mixed"', 'mixed', '"a""b"']),
            pick(['SET NOT NULL', 'set  not null', 'TYPE', 'SET DATA TYPE', 'type', 'SET NOT NULLS', 'DROP'])].filter(Boolean).join(pick(SPACES.slice(0, 6)))
          : pick(WORDS);
        text += pick(SPACES);
      }
      const ctx = { stmt: { text } } as never;
      const name = pick(names);
      const rest = pick(RESTS);
      const at = findIn(ctx, `\\balter\\s+(?:column\\s+)?${identSourceA(name)}\\s*${rest}`);
      const want = at ? [at[0], clauseEnd(text, at[0])] : undefined;
      assert.deepEqual(alterColumnSpan(ctx, name, rest), want, `${JSON.stringify(text)} ${JSON.stringify(name)} ${rest}`);
      if (want) found++;
    }
    assert.ok(found > 200, `only ${found} matches`);
  });
});
