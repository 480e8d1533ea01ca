// UTF-8 byte offsets (what libpg_query reports) → UTF-16 offsets (JavaScript, LSP, VS Code), and LineIndex.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteOffsets, LineIndex, isAscii, utf8ToUtf16Offset } from '../../../src/analyzer/text.js';

/** The UTF-16 offset of every character boundary, keyed by its UTF-8 byte offset (the reference conversion). */
function boundaries(s: string): Map<number, number> {
  const out = new Map<number, number>();
  let i = 0;
  for (const ch of s) { // iterates code points
    out.set(Buffer.byteLength(s.slice(0, i), 'utf8'), i);
    i += ch.length;
  }
  out.set(Buffer.byteLength(s, 'utf8'), s.length);
  return out;
}

describe('utf8ToUtf16Offset', () => {
  const CASES: { name: string; s: string; pairs: [byte: number, utf16: number][] }[] = [
    { name: 'ASCII: identity', s: 'abc', pairs: [[0, 0], [1, 1], [2, 2], [3, 3]] },
    { name: 'ASCII: past the end clamps to the length', s: 'abc', pairs: [[4, 3], [100, 3]] },
    { name: 'empty string', s: '', pairs: [[0, 0], [5, 0]] },
    // é is 2 bytes, 1 code unit: a=0, é=1–2, b=3
    { name: '2-byte character (é)', s: 'aéb', pairs: [[0, 0], [1, 1], [3, 2], [4, 3]] },
    // 中 is 3 bytes, 1 code unit: a=0, 中=1–3, b=4
    { name: '3-byte character (中)', s: 'a中b', pairs: [[1, 1], [4, 2], [5, 3]] },
    // 😀 is 4 bytes, 2 code units (a surrogate pair): a=0, 😀=1–4, b=5
    { name: '4-byte character (😀, a surrogate pair)', s: 'a😀b', pairs: [[1, 1], [5, 3], [6, 4]] },
    { name: 'mixed: é 中 😀 then ASCII', s: 'é中😀x', pairs: [[0, 0], [2, 1], [5, 2], [9, 4], [10, 5]] },
    { name: 'two emoji in a row', s: '😀😀;', pairs: [[4, 2], [8, 4], [9, 5]] },
    // An offset inside a multi-byte character snaps to the character's start.
    { name: 'inside é snaps to its start', s: 'aéb', pairs: [[2, 1]] },
    { name: 'inside 中 snaps to its start', s: 'a中b', pairs: [[2, 1], [3, 1]] },
    { name: 'inside 😀 snaps to its start (never between the surrogates)', s: 'a😀b', pairs: [[2, 1], [3, 1], [4, 1]] },
  ];
  for (const c of CASES) {
    it(c.name, () => {
      for (const [byte, utf16] of c.pairs) assert.equal(utf8ToUtf16Offset(c.s, byte), utf16, `byte ${byte} of ${JSON.stringify(c.s)}`);
    });
  }

  it('agrees with Buffer.byteLength at every character boundary of real text', () => {
    const samples = [
      "COMMENT ON COLUMN users.name IS 'Nom de l’utilisateur — ünïcödé 😀 中文 𝔘𝔫𝔦𝔠𝔬𝔡𝔢';",
      '-- 🚀 emoji first\nSELECT 1;',
      'ひらがな, Ελληνικά, עברית, العربية, हिन्दी, 👩‍👩‍👧‍👦 (a ZWJ sequence), 🇫🇷',
    ];
    for (const s of samples) {
      for (const [byte, utf16] of boundaries(s)) assert.equal(utf8ToUtf16Offset(s, byte), utf16, `byte ${byte} of ${JSON.stringify(s)}`);
    }
  });
});

describe('isAscii and ByteOffsets', () => {
  it('isAscii', () => {
    assert.equal(isAscii(''), true);
    assert.equal(isAscii('SELECT 1;\n\t\u0000\x7f'), true);
    assert.equal(isAscii('\x80'), false);
    assert.equal(isAscii('café'), false);
    assert.equal(isAscii('😀'), false);
  });

  it('ASCII text: the byte offset is the UTF-16 offset, clamped to the length', () => {
    const b = new ByteOffsets('SELECT 1');
    assert.equal(b.toUtf16(0), 0);
    assert.equal(b.toUtf16(7), 7);
    assert.equal(b.toUtf16(8), 8);
    assert.equal(b.toUtf16(50), 8);
  });

  it('non-ASCII text: the same as utf8ToUtf16Offset', () => {
    const s = "SELECT '😀é' FROM t";
    const b = new ByteOffsets(s);
    for (let byte = 0; byte <= Buffer.byteLength(s) + 2; byte++) assert.equal(b.toUtf16(byte), utf8ToUtf16Offset(s, byte), `byte ${byte}`);
    // FROM: bytes 'SELECT \'' 8 + 😀 4 + é 2 + '\' ' 2 = 16; UTF-16: 8 + 2 + 1 + 2 = 13
    assert.equal(b.toUtf16(16), 13);
    assert.equal(s.slice(13, 17), 'FROM');
  });
});

describe('LineIndex', () => {
  const text = 'ab\ncd\r\nef\n';
  const idx = new LineIndex(text);

  const POSITIONS: [offset: number, line: number, character: number][] = [
    [0, 0, 0], [2, 0, 2], // end of line 0, on the \n
    [3, 1, 0], [5, 1, 2], [6, 1, 3], // \r counts as a character of its line
    [7, 2, 0], [9, 2, 2],
    [10, 3, 0], // after the last \n: an empty last line
  ];
  for (const [offset, line, character] of POSITIONS) {
    it(`position(${offset}) = ${line}:${character}`, () => assert.deepEqual(idx.position(offset), { line, character }));
  }

  it('clamps offsets outside the text', () => {
    assert.deepEqual(idx.position(-5), { line: 0, character: 0 });
    assert.deepEqual(idx.position(1000), { line: 3, character: 0 });
  });

  it('offset() inverts position() for every offset', () => {
    for (let o = 0; o <= text.length; o++) assert.equal(idx.offset(idx.position(o)), o);
  });

  it('offset() clamps: a line past the end, a character past the line', () => {
    assert.equal(idx.offset({ line: 99, character: 0 }), text.length);
    assert.equal(idx.offset({ line: 0, character: -3 }), 0);
    assert.equal(idx.offset({ line: 3, character: 50 }), text.length);
  });

  it('range()', () => {
    assert.deepEqual(idx.range(1, 8), { start: { line: 0, character: 1 }, end: { line: 2, character: 1 } });
  });

  it('characters are UTF-16 code units: an emoji counts 2', () => {
    const li = new LineIndex("SELECT '😀';\nSELECT 'é';");
    assert.deepEqual(li.position(11), { line: 0, character: 11 }); // the ; after '😀'
    assert.deepEqual(li.position(12), { line: 0, character: 12 });
    assert.deepEqual(li.position(13), { line: 1, character: 0 });
    assert.deepEqual(li.position(24), { line: 1, character: 11 });
  });

  it('empty text has one empty line', () => {
    const li = new LineIndex('');
    assert.deepEqual(li.position(0), { line: 0, character: 0 });
    assert.equal(li.offset({ line: 0, character: 0 }), 0);
  });

  it('many lines: binary search finds every line start', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `SELECT ${i};`);
    const t = lines.join('\n');
    const li = new LineIndex(t);
    let offset = 0;
    for (let i = 0; i < lines.length; i += 97) {
      offset = t.indexOf(lines[i]);
      assert.deepEqual(li.position(offset + 3), { line: i, character: 3 });
    }
  });

  it('a lone CR is a line break (LSP: line endings are \\n, \\r\\n and \\r)', () => {
    const li = new LineIndex('SELECT 1;\rSELECT 2;');
    assert.deepEqual(li.position(10), { line: 1, character: 0 });
  });
});
