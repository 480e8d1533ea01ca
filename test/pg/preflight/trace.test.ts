// --trace on a scratch (local) cluster: the locks the server really takes and the rewrites it really does, against
// the static model; always rolled back; refused on a non-local target without --scratch.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster } from '../../../src/cluster/pgcluster.js';
import { preflightCommand } from '../../../src/cli/preflight.js';
import { missingMajor, pgMajors, repoRoot } from '../../support/pg.js';

const ROOT = repoRoot();

function io() {
  const o = { out: '', err: '', cwd: ROOT, isTTY: false, env: {} as NodeJS.ProcessEnv,
    stdout(s: string) { o.out += s; }, stderr(s: string) { o.err += s; }, readStdin: async () => '' };
  return o;
}

describe('preflight --trace: refusals (no database needed)', () => {
  it('refuses a non-local target without --scratch, before connecting', async () => {
    const o = io();
    const file = path.join(ROOT, 'examples/migrations/002_view_count_to_int.sql');
    assert.equal(await preflightCommand(['--db', 'postgres://app:s3cret-pw@db.prod.example.com/shop', '--trace', file], o), 2);
    assert.match(o.err, /--trace .* refused on .*not local.*--scratch/);
    assert.ok(!o.err.includes('s3cret-pw'), o.err);
    assert.equal(o.err.trim().split('\n').length, 1, 'one line');
  });
});

for (const major of pgMajors()) {
  describe(`preflight --trace on PostgreSQL ${major}`, () => {
    it('records the locks taken and the rewrite, agrees with the model, and rolls everything back', { timeout: 60_000 }, async (t) => {
      const missing = missingMajor(major);
      if (missing) return t.skip(missing);
      const cluster = await startCluster({ major, name: `pftrace-${major}`, settings: { autovacuum: 'off' } });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-trace-'));
      try {
        const admin = await cluster.connect();
        await admin.query(fs.readFileSync(path.join(ROOT, 'examples/migrations/001_init.sql'), 'utf8'));
        await admin.query(`INSERT INTO authors (name) VALUES ('a'); INSERT INTO articles (author_id, title) SELECT 1, 't' || g FROM generate_series(1, 1000) g`);
        const file = path.join(dir, '010_change.sql');
        fs.writeFileSync(file, `SET lock_timeout = '2s';
ALTER TABLE articles ALTER COLUMN view_count TYPE integer;
ALTER TABLE articles ADD COLUMN slug text;
CREATE INDEX CONCURRENTLY articles_slug_idx ON articles (slug);
`);
        const o = io();
        const code = await preflightCommand(['--db', cluster.url(), '--format', 'json', '--trace', '--schema', path.join(ROOT, 'examples/migrations/001_init.sql'), file], o);
        assert.equal(code, 0, o.err + o.out);
        const json = JSON.parse(o.out);
        const tr = json.trace;
        assert.ok(tr, 'a trace section');
        const alter = tr.statements[1];
        assert.ok(alter.observed.some((x: { relation: string; mode: string }) => x.relation === 'public.articles' && x.mode === 'AccessExclusiveLock'), JSON.stringify(alter));
        assert.ok(alter.rewritten.includes('public.articles'), JSON.stringify(alter));
        assert.deepEqual(alter.differences, []);
        assert.deepEqual(tr.statements[2].rewritten, [], 'ADD COLUMN without default: no rewrite');
        assert.match(tr.statements[3].skipped, /cannot run inside a transaction block/);
        assert.equal(json.checks.find((c: { id: string }) => c.id === 'trace')?.status, 'pass', JSON.stringify(json.checks));
        // rolled back: the column type and the new column are as before
        const r = await admin.query(`SELECT data_type FROM information_schema.columns WHERE table_name = 'articles' AND column_name IN ('view_count', 'slug') ORDER BY column_name`);
        assert.deepEqual(r.rows.map((x) => x.data_type), ['bigint']);
        const tx = io();
        assert.equal(await preflightCommand(['--db', cluster.url(), '--trace', file], tx), 0, tx.err);
        assert.match(tx.out, /TRACE on .*\n.*#1/);
        await admin.end();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        await cluster.stop();
      }
    });
  });
}
