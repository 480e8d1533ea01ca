// Shared by the unit tests: a seeded PRNG (so random tests are reproducible) and the migration corpus.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** mulberry32: small, seeded, the same sequence on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ../shared/corpus beside the repository, or PG_PREFLIGHT_CORPUS. */
export const CORPUS = process.env.PG_PREFLIGHT_CORPUS
  ? resolve(process.env.PG_PREFLIGHT_CORPUS)
  : resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

/** Every *.sql below `dir`, in directory order. */
export function listSqlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listSqlFiles(p, out);
    else if (e.isFile() && e.name.endsWith('.sql')) out.push(p);
  }
  return out;
}
