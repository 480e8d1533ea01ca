#!/usr/bin/env node
// The installed CLI: the bundled build (npm run build) of src/cli/main.ts.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
require('../dist/cli.cjs').main().catch((e) => {
  process.stderr.write(`pg-preflight: internal error: ${e?.message ?? e}\n`);
  process.exitCode = 2;
});
