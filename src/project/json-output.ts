// `pg-preflight lint --format json` written file by file: each file's part is rendered on its own (on the worker
// thread that linted it) and the parts are joined into exactly the text `JSON.stringify(toJson(reports), null, 2)`
// gives. Rendering where the file was linted keeps the main thread from building and serialising one object for every
// statement and finding of a whole repository after the workers are done.
import { relative, sep } from 'node:path';
import { toJson, type FileReport } from '../report/lint-report.js';
import type { Severity } from '../analyzer/types.js';

/** A file as the CLI prints it: relative to `cwd` with '/' separators, or absolute when it lies outside. */
export function displayPath(cwd: string, file: string): string {
  const r = relative(cwd, file);
  return r.startsWith('..') ? file : r.split(sep).join('/');
}

/** What decides the exit status, for a file whose report is already rendered. */
export interface RenderedFile {
  /**
   * The file's element of toJson(…).files, serialised at the depth it has in the whole document, in UTF-8: encoded
   * where it was rendered (a worker thread), so the main thread only copies bytes to stdout.
   */
  json: Uint8Array;
  /** The file could not be read, or has parse problems. */
  broken: boolean;
  /** The severities of its findings (each once). */
  severities: Severity[];
}

const ELEMENT_INDENT = '    '; // the elements of the top-level "files" array
// Each part gets its own ArrayBuffer (not Buffer's shared pool), so a worker can transfer it instead of copying it.
const encoder = new TextEncoder();

// An element of a top-level array property is indented by 4: stringified inside such a wrapper, it comes out at that
// depth, and the wrapper's own text is cut off (cheaper than indenting every line of a large text afterwards).
const WRAP_HEAD = '{\n  "files": [\n';
const WRAP_TAIL = '\n  ]\n}';

export function renderJsonFile(report: FileReport, pgVersion: number): RenderedFile {
  const text = JSON.stringify({ files: toJson([report], pgVersion).files }, null, 2);
  const severities = [...new Set((report.result?.findings ?? []).map((f) => f.severity))];
  return {
    json: encoder.encode(text.slice(WRAP_HEAD.length, text.length - WRAP_TAIL.length)),
    broken: !!report.error || (report.result?.parseProblems.length ?? 0) > 0,
    severities,
  };
}

const MARK = '\u0001pg-preflight-files\u0001';

/**
 * The whole document from the rendered files, in order, as UTF-8 pieces of about `batch` bytes: byte for byte
 * JSON.stringify(toJson(reports, pgVersion), null, 2), without building that string (or one buffer of its size).
 */
export function joinJson(parts: Uint8Array[], pgVersion: number, batch = 1 << 20): Buffer[] {
  if (parts.length === 0) return [Buffer.from(JSON.stringify(toJson([], pgVersion), null, 2), 'utf8')];
  const skeleton = JSON.stringify({ ...toJson([], pgVersion), files: [MARK] }, null, 2);
  const marked = ELEMENT_INDENT + JSON.stringify(MARK);
  const at = skeleton.indexOf(marked);
  const comma = Buffer.from(',\n');
  const out: Buffer[] = [];
  let pending: Uint8Array[] = [Buffer.from(skeleton.slice(0, at), 'utf8')];
  let size = pending[0].length;
  const add = (b: Uint8Array) => {
    pending.push(b);
    size += b.length;
    if (size >= batch) { out.push(Buffer.concat(pending, size)); pending = []; size = 0; }
  };
  parts.forEach((p, i) => { if (i > 0) add(comma); add(p); });
  pending.push(Buffer.from(skeleton.slice(at + marked.length), 'utf8'));
  out.push(Buffer.concat(pending));
  return out;
}
