// Loads libpg_query's WASM (the `libpg-query` package, 18.1.5) for src/analyzer/parse.ts, and parses with it.
//
// Why not `import { loadModule, parseSync } from 'libpg-query'`: that package starts instantiating the module as a side
// effect of being imported, but through emscripten's asynchronous path, which cannot start before the importing
// module graph has finished evaluating (read, WebAssembly.instantiate, then several event-loop turns before the runtime
// is ready), and its CommonJS entry costs an ESM importer a cjs-module-lexer pass. Here the emscripten glue is driven
// directly: when this module is evaluated, the bytes are read and WebAssembly.compile() starts (V8 compiles WASM
// lazily, so this is decoding and validation, a few ms, on a background thread while the rest of the analyzer's
// modules evaluate); `loadModule()` then creates the instance synchronously through the glue's `instantiateWasm` hook.
// `parseSync` below is libpg-query's own parseSync (wasm/index.cjs), byte for byte in behaviour: same input checks,
// same error messages, same `sqlDetails`.
//
// This file lives outside src/analyzer because it reads a file (the .wasm), exactly as the package did; the analyzer
// itself still does no I/O.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
// @ts-ignore -- the emscripten glue (CommonJS, no type declarations)
import PgQueryModule from 'libpg-query/wasm/libpg-query.js';

const WASM = 'libpg-query.wasm';

/** Where the .wasm is: beside the bundle (scripts/build.mjs copies it into dist/), else in the installed package. */
function wasmPath(): string {
  // In a CommonJS bundle (dist/*.cjs) `__dirname` is the bundle's folder; in ESM (tsx, tsc output) it does not exist.
  if (typeof __dirname === 'string') {
    const beside = join(__dirname, WASM);
    if (existsSync(beside)) return beside;
  }
  const base = typeof __filename === 'string' ? __filename : import.meta.url;
  return createRequire(base).resolve(`libpg-query/wasm/${WASM}`);
}

export class SqlError extends Error {
  sqlDetails: { message: string; cursorPosition: number; fileName?: string; functionName?: string; lineNumber?: number };
  constructor(message: string, details: SqlError['sqlDetails']) {
    super(message);
    this.name = 'SqlError';
    this.sqlDetails = details;
  }
}

let wasmModule: any;
let loading: Promise<void> | undefined;

// Started early (see above). If it cannot start (no .wasm), loadModule() tries again and reports the error then; a
// failed compilation is only reported by loadModule(), never as an unhandled rejection.
let early: Promise<WebAssembly.Module> | undefined;
try {
  early = WebAssembly.compile(readFileSync(wasmPath()));
  early.catch(() => undefined);
} catch {
  early = undefined;
}

export function loadModule(): Promise<void> {
  loading ??= (async () => {
    const compiled = early ? await early : new WebAssembly.Module(readFileSync(wasmPath()));
    wasmModule = await PgQueryModule({
      instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) {
        receive(new WebAssembly.Instance(compiled, imports));
        return {};
      },
    });
  })();
  return loading;
}

function stringToPtr(str: string): number {
  if (typeof str !== 'string') throw new TypeError(`Expected a string, got ${typeof str}`);
  const len = wasmModule.lengthBytesUTF8(str) + 1;
  const ptr = wasmModule._malloc(len);
  try {
    wasmModule.stringToUTF8(str, ptr, len);
    return ptr;
  } catch (error) {
    wasmModule._free(ptr);
    throw error;
  }
}

export function parseSync(query: string): any {
  if (!wasmModule) throw new Error('WASM module not initialized. Call loadModule() first.');
  if (query === null || query === undefined) throw new Error('Query cannot be null or undefined');
  if (query === '') throw new Error('Query cannot be empty');
  const queryPtr = stringToPtr(query);
  let resultPtr = 0;
  try {
    resultPtr = wasmModule._wasm_parse_query_raw(queryPtr);
    if (!resultPtr) throw new Error('Failed to parse query: memory allocation failed');
    // The PgQueryParseResult struct: parse_tree, stderr_buffer, error.
    const parseTreePtr = wasmModule.getValue(resultPtr, 'i32');
    const errorPtr = wasmModule.getValue(resultPtr + 8, 'i32');
    if (errorPtr) {
      // The PgQueryError struct: message, funcname, filename, lineno, cursorpos.
      const messagePtr = wasmModule.getValue(errorPtr, 'i32');
      const funcnamePtr = wasmModule.getValue(errorPtr + 4, 'i32');
      const filenamePtr = wasmModule.getValue(errorPtr + 8, 'i32');
      const lineno = wasmModule.getValue(errorPtr + 12, 'i32');
      const cursorpos = wasmModule.getValue(errorPtr + 16, 'i32');
      const message = messagePtr ? wasmModule.UTF8ToString(messagePtr) : 'Unknown error';
      throw new SqlError(message, {
        message,
        cursorPosition: cursorpos > 0 ? cursorpos - 1 : 0, // 0-based
        fileName: filenamePtr ? wasmModule.UTF8ToString(filenamePtr) : undefined,
        functionName: funcnamePtr ? wasmModule.UTF8ToString(funcnamePtr) : undefined,
        lineNumber: lineno > 0 ? lineno : undefined,
      });
    }
    if (!parseTreePtr) throw new Error('No parse tree generated');
    return JSON.parse(wasmModule.UTF8ToString(parseTreePtr));
  } finally {
    wasmModule._free(queryPtr);
    if (resultPtr) wasmModule._wasm_free_parse_result(resultPtr);
  }
}
