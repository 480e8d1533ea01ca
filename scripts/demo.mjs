// `npm run demo`: the product on an embedded default, no database of yours needed. It builds the CLI if needed, lints
// the incident migrations in examples/migrations (each is flagged), then their safe rewrites.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status;
if (!existsSync('dist/cli.cjs')) run(['scripts/build.mjs']);
const say = (s) => process.stdout.write(`\n\x1b[1m== ${s}\x1b[0m\n`);
say('pg-preflight lint examples/migrations  (the migrations of the five incidents)');
run(['bin/pg-preflight.js', 'lint', '--pg-version', '16', 'examples/migrations']);
say('pg-preflight lint examples/safe  (their safe rewrites, with the schema of 001_init.sql)');
const code = run(['bin/pg-preflight.js', 'lint', '--pg-version', '16', '--schema', 'examples/migrations/001_init.sql', 'examples/safe']);
process.exitCode = code === 0 ? 0 : 1;
