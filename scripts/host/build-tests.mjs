#!/usr/bin/env node
// Bundles the in-host suites (test/host/suite/*.ts) into out/host/suite/*.js: CommonJS, as the extension host loads
// extensionTestsPath with require(). `vscode` is provided by the host; mocha comes from the host tools at run time.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'test/host/suite');
const OUT = join(ROOT, 'out/host/suite');
rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: readdirSync(SRC).filter((f) => f.endsWith('.ts')).map((f) => join(SRC, f)),
  outdir: OUT,
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true,
  external: ['vscode'], logLevel: 'warning',
  // .cjs: the repository's package.json says "type": "module", and the host loads the entry with import().
  outExtension: { '.js': '.cjs' },
});
