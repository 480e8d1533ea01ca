// Architecture invariants that a grep can hold: the analyzer and the inspector never import the editor, and the
// analyzer does no I/O of its own.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

it('src/analyzer imports neither vscode, pg, nor node:fs / child_process / net', () => {
  const banned = /^(vscode|pg|pg-.*|fs|node:fs|fs\/promises|node:fs\/promises|child_process|node:child_process|net|node:net)$/;
  const offenders = tsFiles(join(root, 'src/analyzer')).flatMap((f) => imports(f).filter((i) => banned.test(i)).map((i) => `${f}: ${i}`));
  assert.deepEqual(offenders, []);
});

it('only src/extension imports vscode', () => {
  const offenders = tsFiles(join(root, 'src'))
    .filter((f) => !f.includes(`${join('src', 'extension')}`))
    .flatMap((f) => imports(f).filter((i) => i === 'vscode').map((i) => `${f}: ${i}`));
  assert.deepEqual(offenders, []);
});
