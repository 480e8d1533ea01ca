#!/usr/bin/env node
// npm run package: builds the bundles and packs the extension into a .vsix with @vscode/vsce, offline.
// The .vsix holds the bundled extension, the parser's .wasm, docs/rules, the grammar and the icons — no
// node_modules, a few MB. package.json's "files" list is for the npm package of the CLI, and vsce refuses to combine
// it with a .vscodeignore, so the extension is staged in out/vsix/ (package.json without "files") and packed from
// there with the repository's .vscodeignore. Prints the .vsix path and size on the last line.
//   node scripts/host/package.mjs [--out FILE]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STAGE = join(ROOT, 'out/vsix');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const i = process.argv.indexOf('--out');
const out = resolve(i > 0 ? process.argv[i + 1] : join(ROOT, `${pkg.name}-${pkg.version}.vsix`));

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) { console.error(`package: ${[cmd, ...args].join(' ')} failed`); process.exit(r.status ?? 1); }
}
run(process.execPath, [join(ROOT, 'scripts/build.mjs')], ROOT);

rmSync(STAGE, { recursive: true, force: true });
mkdirSync(join(STAGE, 'dist'), { recursive: true });
const manifest = { ...pkg };
delete manifest.files;
delete manifest.bin;
writeFileSync(join(STAGE, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', '.vscodeignore', 'dist/extension.cjs', 'dist/libpg-query.wasm']) {
  if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(STAGE, f));
}
for (const d of ['docs/rules', 'syntaxes', 'media']) cpSync(join(ROOT, d), join(STAGE, d), { recursive: true });
mkdirSync(dirname(out), { recursive: true });
// --no-dependencies: everything the extension needs is in dist/ (esbuild), so vsce must not walk node_modules.
// --skip-license: the licence is declared in package.json ("license").
run(process.execPath, [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license', '--out', out], STAGE);
console.log(`${out} (${(statSync(out).size / 1024 / 1024).toFixed(2)} MB)`);
