// src/cluster/pgcluster.ts on every major in PG_MAJORS: a private cluster starts as an unprivileged user, answers on
// its own port and socket, and stop() leaves no process and no folder behind; clusters of a killed owner are reaped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { availableMajors, reapStaleClusters, startCluster } from '../../src/cluster/pgcluster.js';
import { missingMajor, pgMajors, repoRoot, withCluster } from '../support/pg.js';

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state !== 'Z' && state !== 'X';
  } catch { return false; }
}

describe('pgcluster', { concurrency: 1 }, () => {
  it('lists the installed majors', () => {
    const majors = availableMajors();
    for (const m of pgMajors()) assert.ok(majors.includes(m), missingMajor(m));
  });

  for (const major of pgMajors()) {
    it(`starts, serves and stops PostgreSQL ${major}`, async () => {
      let pid = 0;
      let dir = '';
      await withCluster({ major, settings: { max_connections: 12 } }, async (c) => {
        pid = c.pid;
        dir = c.dir;
        assert.equal(c.major, major);
        assert.equal(Math.floor(c.versionNum / 10000), major);
        assert.ok(c.dir.startsWith(path.join(os.tmpdir(), 'pg-preflight-clusters')), c.dir);
        assert.ok(c.socketDir.startsWith(c.dir));
        const client = await c.connect({ application_name: 'cluster-test' });
        try {
          const r = await client.query(`SELECT current_setting('max_connections') AS mc, current_setting('unix_socket_directories') AS sock,
                                               current_setting('port')::int AS port`);
          assert.equal(r.rows[0].mc, '12');
          assert.equal(r.rows[0].sock, c.socketDir);
          assert.equal(r.rows[0].port, c.port);
        } finally {
          await client.end();
        }
        if (process.getuid?.() === 0) {
          const uid = fs.readFileSync(`/proc/${c.pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1];
          assert.notEqual(uid, '0', 'postgres must not run as root');
        }
        assert.ok(fs.existsSync(path.join(c.socketDir, `.s.PGSQL.${c.port}`)), 'unix socket in the cluster folder');
      });
      assert.equal(alive(pid), false, 'postmaster still running after stop()');
      assert.equal(fs.existsSync(dir), false, 'cluster folder left after stop()');
    });
  }

  it('reaps the cluster of an owner that was killed', async () => {
    const major = pgMajors()[0];
    // a child process starts a cluster, prints its postmaster pid and folder, and is then SIGKILLed
    const script = `
      import { startCluster } from ${JSON.stringify(path.join(repoRoot(), 'src/cluster/pgcluster.ts'))};
      const c = await startCluster({ major: ${major} });
      console.log(JSON.stringify({ pid: c.pid, dir: c.dir }));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const info = await new Promise<{ pid: number; dir: string }>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before starting a cluster: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    try {
      assert.ok(alive(info.pid), 'the postmaster outlives its killed owner');
      const reaped = await reapStaleClusters();
      assert.ok(reaped.includes(info.dir), `not reaped: ${info.dir} (reaped ${reaped.join(', ')})`);
      for (let i = 0; i < 100 && alive(info.pid); i++) await sleep(20);
      assert.equal(alive(info.pid), false, 'stale postmaster still running');
      assert.equal(fs.existsSync(info.dir), false);
    } finally {
      if (alive(info.pid)) process.kill(info.pid, 'SIGKILL');
    }
  });

  it('picks another port when the one asked for is taken', async () => {
    const major = pgMajors()[0];
    const first = await startCluster({ major });
    try {
      const second = await startCluster({ major, port: first.port });
      try {
        assert.notEqual(second.port, first.port);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
  });
});
