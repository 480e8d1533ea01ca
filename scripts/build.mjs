// Bundles the CLI (and, once it exists, the extension) with esbuild and puts the parser's .wasm beside the output.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
mkdirSync('dist', { recursive: true });
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', legalComments: 'none' };
await build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'dist/cli.cjs', external: ['pg-native'] });
if (existsSync('src/extension/main.ts')) {
  await build({ ...common, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.cjs', external: ['vscode', 'pg-native'] });
}
const wasm = join(dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm');
copyFileSync(wasm, 'dist/libpg-query.wasm');
console.log('built dist/cli.cjs' + (existsSync('dist/extension.cjs') ? ', dist/extension.cjs' : '') + ' and dist/libpg-query.wasm');
