// A tolerant statement splitter. It never fails: unterminated quotes, comments or dollar quotes simply run to the end
// of the input, so a half-typed statement becomes one piece and every piece before it is still found.
//
// It understands `--` and nested `/* */` comments, '…' (with '' escapes), E'…' (with backslash escapes), "…",
// $tag$…$tag$ dollar quotes and SQL-standard function bodies (`BEGIN ATOMIC … END`), whose inner semicolons do not end
// the statement. Offsets are UTF-16 code unit offsets into the input (JavaScript string indices).

export interface Piece {
  /** Offset of the first non-blank, non-comment character of the statement. */
  start: number;
  /** Offset just past the statement's last significant character (the `;` excluded). */
  end: number;
  /** Offset just past the terminating `;`, or `end` when the input ended first. */
  terminatorEnd: number;
  /** True when the statement ended with `;`. */
  terminated: boolean;
  /** Offset where the statement's leading comments begin (just after the previous statement's terminator). */
  leadingStart: number;
  /** True when a quote, comment or dollar quote was still open at the end of input. */
  unterminatedLiteral: boolean;
}

const enum Ch {
  Tab = 9, Nl = 10, Cr = 13, Space = 32, Dq = 34, Dollar = 36, Sq = 39, Star = 42, Minus = 45, Slash = 47,
  Semi = 59, Backslash = 92, E = 69, e = 101, Underscore = 95, LParen = 40, RParen = 41,
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === Ch.Underscore || c >= 128;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === Ch.Dollar;
}
function isSpace(c: number): boolean {
  return c === Ch.Space || c === Ch.Tab || c === Ch.Nl || c === Ch.Cr || c === 12 || c === 11;
}

/**
 * Splits `sql` into statements, starting at offset `from`, which must be a statement boundary (0, or just after a
 * statement's `;`): there the splitter's state is empty, which is what lets the editor re-split only what changed.
 */
export function splitStatements(sql: string, from = 0): Piece[] {
  return splitUntil(sql, from).pieces;
}

/**
 * The same, stopping at the first piece for which `stopAt` returns true (that piece is not included): the editor
 * stops re-splitting where the text after an edit lines up with the previous split again.
 */
export function splitUntil(sql: string, from = 0, stopAt?: (p: Piece) => boolean): { pieces: Piece[]; stoppedAt?: Piece } {
  const pieces: Piece[] = [];
  let stoppedAt: Piece | undefined;
  const n = sql.length;
  let i = from;
  let leadingStart = from;
  let start = -1;           // first significant char of the current statement
  let lastSignificant = -1; // offset past the last significant char
  let unterminated = false;
  // BEGIN ATOMIC tracking: words of the current statement, to recognise CREATE FUNCTION … BEGIN ATOMIC … END.
  let prevWord = '';
  let atomicDepth = 0;      // >0 inside a BEGIN ATOMIC body; counts nested CASE … END
  let sawCreate = false;
  let parenDepth = 0;

  const finish = (terminatorEnd: number, terminated: boolean) => {
    if (start >= 0) {
      const piece = { start, end: lastSignificant, terminatorEnd, terminated, leadingStart, unterminatedLiteral: unterminated };
      if (stopAt?.(piece)) stoppedAt = piece; else pieces.push(piece);
    }
    start = -1; lastSignificant = -1; unterminated = false; prevWord = ''; atomicDepth = 0; sawCreate = false;
    parenDepth = 0;
    leadingStart = terminatorEnd;
  };
  const mark = (from: number, to: number) => {
    if (start < 0) start = from;
    lastSignificant = to;
  };

  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    // -- line comment
    if (c === Ch.Minus && sql.charCodeAt(i + 1) === Ch.Minus) {
      // PostgreSQL's lexer ends a comment at \n or \r.
      let j = i + 2;
      while (j < n) { const d = sql.charCodeAt(j); if (d === Ch.Nl || d === Ch.Cr) break; j++; }
      i = j;
      continue;
    }
    // /* nested */ comment
    if (c === Ch.Slash && sql.charCodeAt(i + 1) === Ch.Star) {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        const d = sql.charCodeAt(j);
        if (d === Ch.Slash && sql.charCodeAt(j + 1) === Ch.Star) { depth++; j += 2; }
        else if (d === Ch.Star && sql.charCodeAt(j + 1) === Ch.Slash) { depth--; j += 2; }
        else j++;
      }
      if (depth > 0 && start >= 0) unterminated = true;
      i = j;
      continue;
    }
    if (c === Ch.Semi) {
      // Inside BEGIN ATOMIC … END or parentheses (CREATE RULE … DO (a; b)) a semicolon does not end the statement,
      // as in psql. An unclosed parenthesis is recovered from by analyze()'s re-split at statement keywords.
      if (atomicDepth > 0 || parenDepth > 0 || start < 0) {
        if (start < 0) { i++; leadingStart = i; continue; }
        mark(i, i + 1); i++; continue;
      }
      finish(i + 1, true);
      if (stoppedAt) return { pieces, stoppedAt };
      i++;
      continue;
    }
    // Quoted literals and identifiers.
    if (c === Ch.Sq || ((c === Ch.E || c === Ch.e) && sql.charCodeAt(i + 1) === Ch.Sq && !isIdentChar(sql.charCodeAt(i - 1)))) {
      const escapes = c !== Ch.Sq;
      let j = escapes ? i + 2 : i + 1;
      let closed = false;
      while (j < n) {
        const d = sql.charCodeAt(j);
        if (escapes && d === Ch.Backslash) { j += 2; continue; }
        if (d === Ch.Sq) {
          if (sql.charCodeAt(j + 1) === Ch.Sq) { j += 2; continue; }
          closed = true; j++; break;
        }
        j++;
      }
      mark(i, Math.min(j, n));
      if (!closed) unterminated = true;
      i = j; prevWord = '';
      continue;
    }
    if (c === Ch.Dq) {
      let j = i + 1;
      let closed = false;
      while (j < n) {
        if (sql.charCodeAt(j) === Ch.Dq) {
          if (sql.charCodeAt(j + 1) === Ch.Dq) { j += 2; continue; }
          closed = true; j++; break;
        }
        j++;
      }
      mark(i, Math.min(j, n));
      if (!closed) unterminated = true;
      i = j; prevWord = '';
      continue;
    }
    if (c === Ch.Dollar && !isIdentChar(sql.charCodeAt(i - 1) || 0)) {
      // $tag$ or $$ — a tag is an identifier without `$`; `$1` is a parameter.
      let j = i + 1;
      while (j < n && isIdentChar(sql.charCodeAt(j)) && sql.charCodeAt(j) !== Ch.Dollar) j++;
      const next = sql.charCodeAt(i + 1);
      if (j < n && sql.charCodeAt(j) === Ch.Dollar && !(next >= 48 && next <= 57)) {
        const tag = sql.slice(i, j + 1);
        const close = sql.indexOf(tag, j + 1);
        const endAt = close < 0 ? n : close + tag.length;
        mark(i, endAt);
        if (close < 0) unterminated = true;
        i = endAt; prevWord = '';
        continue;
      }
      mark(i, i + 1); i++; continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(sql.charCodeAt(j))) j++;
      mark(i, j);
      // Only words matter for BEGIN ATOMIC; lower-case lazily and only short words.
      if (j - i <= 9) {
        const w = sql.slice(i, j).toLowerCase();
        if (w === 'create' && prevWord === '') sawCreate = true;
        if (sawCreate && parenDepth === 0) {
          if (w === 'atomic' && prevWord === 'begin') atomicDepth = Math.max(atomicDepth, 0) + 1;
          else if (atomicDepth > 0 && w === 'case') atomicDepth++;
          else if (atomicDepth > 0 && w === 'end') atomicDepth--;
        }
        prevWord = w;
      } else {
        prevWord = '#';
      }
      i = j;
      continue;
    }
    if (c === Ch.LParen) parenDepth++;
    else if (c === Ch.RParen && parenDepth > 0) parenDepth--;
    mark(i, i + 1);
    prevWord = prevWord === '' ? '' : '#';
    i++;
  }
  finish(n, false);
  return { pieces, stoppedAt };
}
