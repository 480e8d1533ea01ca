import type { Position, Range } from './types.js';

/** Maps UTF-16 offsets of one text to 0-based line/character positions (what LSP and VS Code use). */
export class LineIndex {
  /** The offset where each line starts, ascending (a typed array: an edit copies it without growing it). */
  private lineStarts: Int32Array;

  /**
   * The index of `text`, derived from `old`'s when they differ only in [prefix, oldEnd) → [prefix, newEnd):
   * line starts before the edit are kept, those after it shifted; only the edited region is scanned.
   */
  static afterEdit(old: LineIndex, text: string, prefix: number, oldEnd: number, newEnd: number): LineIndex {
    if (text.includes('\r') || old.text.includes('\r')) return new LineIndex(text);
    const idx = Object.create(LineIndex.prototype) as LineIndex;
    (idx as { text: string }).text = text;
    const starts = old.lineStarts;
    const delta = newEnd - oldEnd;
    const before = upperBound(starts, prefix); // line starts at or before the edit: kept
    const after = upperBound(starts, oldEnd); // line starts after the edit's old end: shifted
    let added = 0;
    for (let j = text.indexOf('\n', prefix); j >= 0 && j < newEnd; j = text.indexOf('\n', j + 1)) added++;
    const out = new Int32Array(before + added + starts.length - after);
    out.set(starts.subarray(0, before));
    let k = before;
    for (let j = text.indexOf('\n', prefix); j >= 0 && j < newEnd; j = text.indexOf('\n', j + 1)) out[k++] = j + 1;
    if (delta === 0) out.set(starts.subarray(after), k);
    else for (let i = after; i < starts.length; i++) out[k++] = starts[i] + delta;
    idx.lineStarts = out;
    return idx;
  }

  constructor(readonly text: string) {
    // Line breaks are \n, \r\n and a lone \r, as in VS Code and the LSP.
    const starts = [0];
    if (text.includes('\r')) {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13) { if (text.charCodeAt(i + 1) === 10) i++; starts.push(i + 1); }
      }
    } else {
      let i = text.indexOf('\n');
      while (i >= 0) { starts.push(i + 1); i = text.indexOf('\n', i + 1); }
    }
    this.lineStarts = Int32Array.from(starts);
  }
  get lineCount(): number { return this.lineStarts.length; }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo] };
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
  offset(pos: Position): number {
    if (pos.line >= this.lineStarts.length) return this.text.length;
    return Math.min(this.text.length, this.lineStarts[Math.max(0, pos.line)] + Math.max(0, pos.character));
  }
}

/** The number of leading entries of the ascending `a` that are at most `x`. */
function upperBound(a: Int32Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] <= x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** Converts a code-point offset into s to a UTF-16 offset (surrogate pairs count as one code point). */
export function codePointToUtf16Offset(s: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return Math.min(i, s.length);
}

/** True when every character of s is ASCII, so UTF-8 byte offsets equal UTF-16 offsets. */
export function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[^\x00-\x7f]/.test(s);
}

/**
 * Converts a UTF-8 byte offset into s (what libpg_query reports) to a UTF-16 offset (a JavaScript index).
 * Offsets inside a multi-byte character snap to its start.
 */
export function utf8ToUtf16Offset(s: string, byteOffset: number): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    if (bytes >= byteOffset) return i;
    const c = s.charCodeAt(i);
    let w: number;
    if (c < 0x80) w = 1;
    else if (c < 0x800) w = 2;
    else if (c >= 0xd800 && c <= 0xdbff) { w = 4; i++; }
    else w = 3;
    if (bytes + w > byteOffset) return c >= 0xd800 && c <= 0xdbff ? i - 1 : i;
    bytes += w;
  }
  return s.length;
}

/** Maps UTF-8 byte offsets of one string to UTF-16 offsets, cheaply when the string is ASCII. */
export class ByteOffsets {
  private readonly ascii: boolean;
  constructor(private readonly s: string) { this.ascii = isAscii(s); }
  toUtf16(byteOffset: number): number {
    return this.ascii ? Math.min(byteOffset, this.s.length) : utf8ToUtf16Offset(this.s, byteOffset);
  }
}

/**
 * text[at…] starts with `s` (ASCII), compared the way a case-insensitive, non-Unicode RegExp compares: letters in
 * either case, everything else exactly. The rules' clause finders use it instead of building a RegExp per name.
 */
export function startsWithAsciiIgnoringCase(text: string, at: number, s: string): boolean {
  if (at + s.length > text.length) return false;
  for (let i = 0; i < s.length; i++) {
    const a = text.charCodeAt(at + i);
    const b = s.charCodeAt(i);
    if (a === b) continue;
    const la = a | 0x20;
    if (la !== (b | 0x20) || la < 97 || la > 122) return false;
  }
  return true;
}
