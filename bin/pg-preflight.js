#!/usr/bin/env node
// The installed CLI: the bundled build (npm run build) of src/cli/main.ts, loaded through dist/code-cache.cjs (a V8
// code cache keyed by the bundle's content, so later runs skip compiling the JavaScript again, and the CLI's V8 flags:
// see src/code-cache.ts).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const require = createRequire(import.meta.url);
const bundle = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
let cli;
try {
  const codeCache = require('../dist/code-cache.cjs');
  cli = codeCache.loadBundle(bundle, { v8Flags: codeCache.CLI_V8_FLAGS }).exports;
} catch (e) {
  // No loader (an older build): plain require. An error thrown by the bundle itself is not retried.
  if (e?.code !== 'MODULE_NOT_FOUND' || !String(e?.message).includes('code-cache.cjs')) throw e;
  cli = require(bundle);
}
cli.main().catch((e) => {
  process.stderr.write(`pg-preflight: internal error: ${e?.message ?? e}\n`);
  process.exitCode = 2;
});
