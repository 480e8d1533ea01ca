// Bundles the CLI (and, once it exists, the extension) with esbuild and puts the parser's .wasm beside the output.
// dist/code-cache.cjs is the small loader bin/pg-preflight.js runs dist/cli.cjs through (a V8 code cache: see
// src/code-cache.ts).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
mkdirSync('dist', { recursive: true });
// `import.meta.url` is only read by src/wasm-load.ts when `__dirname` is missing (ESM); in these CommonJS bundles it
// is empty anyway (esbuild would say so in a warning).
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', legalComments: 'none',
  define: { 'import.meta.url': 'undefined' },
};
await build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'dist/cli.cjs', external: ['pg-native'] });
await build({ ...common, entryPoints: ['src/code-cache.ts'], outfile: 'dist/code-cache.cjs', sourcemap: false });
if (existsSync('src/extension/main.ts')) {
  await build({ ...common, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.cjs', external: ['vscode', 'pg-native'] });
}
const wasm = join(dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm');
copyFileSync(wasm, 'dist/libpg-query.wasm');
console.log('built dist/cli.cjs' + (existsSync('dist/extension.cjs') ? ', dist/extension.cjs' : '') + ', dist/code-cache.cjs and dist/libpg-query.wasm');
