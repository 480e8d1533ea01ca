// Finding migration files: paths, folders and globs, and the order a runner applies them in.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep, basename, dirname } from 'node:path';
import type { RunnerName } from '../analyzer/runners.js';

/** A glob (`**`, `*`, `?`, `{a,b}`) as a RegExp over '/'-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  const g = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  while (i < g.length) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        i += 2;
        if (g[i] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = g.indexOf('}', i);
      if (end > i) { re += '(?:' + g.slice(i + 1, end).split(',').map(escapeRe).join('|') + ')'; i = end + 1; continue; }
      re += '\\{';
    } else re += escapeRe(c);
    i++;
  }
  return new RegExp('^' + re + '$');
}
function escapeRe(s: string): string { return s.replace(/[.+^$()|[\]\\{}*?]/g, '\\$&'); }

export function isGlob(p: string): boolean { return /[*?{]/.test(p); }

function walk(dir: string, out: string[], depth = 0): void {
  if (depth > 40) return;
  let entries: import('node:fs').Dirent[];
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out, depth + 1);
    else if (e.isFile()) out.push(p);
  }
}

export class InputError extends Error {}

/**
 * Expands CLI arguments (files, folders, globs) into .sql files, sorted, without duplicates.
 * A folder yields every *.sql below it; a pattern that matches nothing is an error.
 */
export function expandPaths(args: string[], cwd: string, exclude: RegExp[] = []): string[] {
  const out = new Set<string>();
  for (const arg of args) {
    if (isGlob(arg)) {
      const base = resolve(cwd, globBase(arg));
      const re = globToRegExp(relative(base, resolve(cwd, arg)).split(sep).join('/'));
      const files: string[] = [];
      walk(base, files);
      const matched = files.filter((f) => re.test(relative(base, f).split(sep).join('/')));
      if (matched.length === 0) throw new InputError(`no file matches ${arg}`);
      matched.forEach((f) => out.add(f));
      continue;
    }
    const p = resolve(cwd, arg);
    let st;
    try { st = statSync(p); } catch { throw new InputError(`no such file or directory: ${arg}`); }
    if (st.isDirectory()) {
      const files: string[] = [];
      walk(p, files);
      files.filter((f) => f.toLowerCase().endsWith('.sql')).forEach((f) => out.add(f));
    } else out.add(p);
  }
  const rel = (f: string) => relative(cwd, f).split(sep).join('/');
  return [...out].filter((f) => !exclude.some((re) => re.test(rel(f)) || re.test(f))).sort(naturalCompare);
}

function globBase(glob: string): string {
  const parts = glob.replace(/\\/g, '/').split('/');
  const base: string[] = [];
  for (const part of parts) { if (isGlob(part)) break; base.push(part); }
  return base.join('/') || '.';
}

/** Compares strings with embedded numbers by value: V2 < V10, 9_x < 10_x. */
export function naturalCompare(a: string, b: string): number {
  const ra = a.split(/(\d+)/); const rb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    if (ra[i] === rb[i]) continue;
    if (i % 2 === 1) { const d = Number(ra[i]) - Number(rb[i]); if (d !== 0) return d; }
    return ra[i] < rb[i] ? -1 : 1;
  }
  return ra.length - rb.length;
}

/** True for down/undo migrations, which are not part of the forward history. */
export function isDownMigration(path: string): boolean {
  const name = basename(path).toLowerCase();
  return /\.down\.sql$/.test(name) || /^u\d.*__/.test(name) || /(^|[/\\])down\.sql$/.test(name) || /-down([/\\]|$)/.test(dirname(path).toLowerCase());
}

/**
 * The key a runner sorts migrations by. Flyway orders V<version>__ by version and runs R__ (repeatable) last;
 * golang-migrate orders by the leading number; Prisma and Rails by the (timestamp) folder or file name.
 */
export function migrationOrderKey(path: string, runner?: RunnerName): string {
  const name = basename(path);
  if (runner === 'prisma' || name === 'migration.sql') return basename(dirname(path));
  if (runner === 'flyway' || /^[VR]\d|^R__/.test(name)) {
    if (name.startsWith('R__')) return '~' + name;
    const m = /^V([\d._]+)__/.exec(name);
    if (m) return m[1].split(/[._]/).map((x) => x.padStart(12, '0')).join('.');
  }
  return name;
}

/** Every forward migration of the folder holding `file`, in the runner's order (down migrations excluded). */
export function folderMigrations(file: string, runner?: RunnerName): string[] {
  const abs = resolve(file);
  const prismaStyle = basename(abs) === 'migration.sql';
  const folder = prismaStyle ? dirname(dirname(abs)) : dirname(abs);
  let candidates: string[] = [];
  try {
    if (prismaStyle) {
      for (const d of readdirSync(folder, { withFileTypes: true })) {
        if (d.isDirectory()) candidates.push(join(folder, d.name, 'migration.sql'));
      }
      candidates = candidates.filter((p) => { try { return statSync(p).isFile(); } catch { return false; } });
    } else {
      candidates = readdirSync(folder).filter((n) => n.toLowerCase().endsWith('.sql')).map((n) => join(folder, n));
    }
  } catch { return []; }
  const forward = candidates.filter((p) => !isDownMigration(p));
  const key = (p: string) => migrationOrderKey(p, runner);
  return forward.sort((a, b) => naturalCompare(key(a), key(b)));
}

/** The migrations of a folder that run before `file`, in the runner's order. */
export function earlierMigrations(file: string, runner?: RunnerName): string[] {
  const abs = resolve(file);
  const forward = folderMigrations(abs, runner);
  const idx = forward.indexOf(abs);
  const key = (p: string) => migrationOrderKey(p, runner);
  return idx < 0 ? forward.filter((p) => naturalCompare(key(p), key(abs)) < 0) : forward.slice(0, idx);
}
