// The PostgreSQL parser (libpg_query, PostgreSQL 18 grammar, compiled to WASM). `loadParser()` must be awaited once;
// afterwards parsing is synchronous. See docs/decisions/0001-parser.md for why this parser. The WASM is loaded and
// called through src/wasm-load.ts (libpg-query's emscripten glue driven directly: see there why).
import { loadModule, parseSync } from '../wasm-load.js';
import { codePointToUtf16Offset } from './text.js';

export type Node = Record<string, any>;

export type ParseOutcome =
  | { ok: true; stmts: Node[] /* each { stmt, stmt_location?, stmt_len? } */ }
  | { ok: false; message: string; /** UTF-16 offset into the parsed text, when PostgreSQL gave one */ offset?: number };

let loaded: Promise<void> | undefined;
let ready = false;

export function loadParser(): Promise<void> {
  loaded ??= loadModule().then(() => { ready = true; });
  return loaded;
}

export function isParserLoaded(): boolean {
  return ready;
}

// Parse results are cached by statement text, so re-analysing a document after an edit re-parses only what changed.
const cache = new Map<string, ParseOutcome>();
const CACHE_LIMIT = 20_000;

/** Forgets every cached parse (benchmarks: so that each run parses what it would parse on its own). */
export function clearParseCache(): void {
  cache.clear();
}

export function parseStatementText(text: string): ParseOutcome {
  const hit = cache.get(text);
  if (hit) return hit;
  const outcome = parseUncached(text);
  if (cache.size >= CACHE_LIMIT) {
    // Drop the oldest quarter: Map iterates in insertion order.
    let drop = CACHE_LIMIT >> 2;
    for (const k of cache.keys()) { cache.delete(k); if (--drop <= 0) break; }
  }
  cache.set(text, outcome);
  return outcome;
}

function parseUncached(text: string): ParseOutcome {
  if (!ready) return { ok: false, message: 'the SQL parser is not loaded yet' };
  // libpg_query rejects NUL bytes in a way that can corrupt its state: refuse them up front.
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { ok: false, message: 'the statement contains a NUL byte', offset: nul };
  try {
    const result = parseSync(text) as { stmts?: Node[] };
    return { ok: true, stmts: result.stmts ?? [] };
  } catch (err: any) {
    const message = String(err?.sqlDetails?.message ?? err?.message ?? err).split('\n')[0];
    const cursor = err?.sqlDetails?.cursorPosition;
    // libpg_query's cursor position counts characters (code points), 0-based.
    const offset = typeof cursor === 'number' && cursor >= 0 ? codePointToUtf16Offset(text, cursor) : undefined;
    return { ok: false, message, offset };
  }
}
