// `pg-preflight inspect` without a server: usage errors and bad targets exit 2 with one line and no password.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspectCommand } from '../../../src/cli/inspect.js';
import type { Io } from '../../../src/cli/main.js';

function io(env: NodeJS.ProcessEnv = {}): Io & { out: string; err: string } {
  const o = { out: '', err: '', cwd: process.cwd(), isTTY: false, env,
    stdout(s: string) { o.out += s; }, stderr(s: string) { o.err += s; }, readStdin: async () => '' };
  return o;
}

describe('pg-preflight inspect (no server)', () => {
  it('prints help with exit 0', async () => {
    const o = io();
    assert.equal(await inspectCommand(['--help'], o), 0);
    assert.match(o.out, /Usage: pg-preflight inspect/);
  });
  it('exits 2 with one line on usage errors and unusable targets, never echoing a password', async () => {
    const cases: [string[], RegExp, NodeJS.ProcessEnv?][] = [
      [['--format', 'xml'], /--format must be text or json, got "xml"/],
      [['--db'], /--db needs a value/],
      [['--frobnicate'], /unknown option --frobnicate/],
      [['--sslmode', 'sometimes'], /--sslmode must be/],
      [['--db', 'postgres://u:hunter2hunter@h:notaport/d'], /invalid port "notaport"/],
      [['--db', 'postgres://u:hunter2hunter@h/d?sslmode=verify-full'], /root certificate file .* does not exist/, { HOME: '/nonexistent' }],
      [[], /invalid sslmode "bogus"/, { DATABASE_URL: 'postgres://u:hunter2hunter@h/d?sslmode=bogus' }],
      [['--db', 'mysql://u:hunter2hunter@h/d'], /must start with postgres:\/\//],
    ];
    for (const [argv, re, env] of cases) {
      const o = io(env);
      assert.equal(await inspectCommand(argv, o), 2, argv.join(' '));
      assert.equal(o.out, '');
      assert.equal(o.err.split('\n').filter(Boolean).length, 1, o.err);
      assert.match(o.err, /^pg-preflight inspect: /);
      assert.match(o.err, re);
      assert.ok(!o.err.includes('hunter2hunter'), o.err);
    }
  });
});
