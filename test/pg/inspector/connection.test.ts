// Connecting safely, against a real server: TLS modes as libpq names them (with a self-signed certificate), passwords
// from the URL, PGPASSWORD, ~/.pgpass and a service file, errors that never show a password, the session settings,
// and the CLI's exit 2 with one line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureRunAsUser, freePort, startCluster } from '../../../src/cluster/pgcluster.js';
import { inspectCommand } from '../../../src/cli/inspect.js';
import { connect, resolveTarget, type ConnectionEnv, type SslMode, type TargetInput } from '../../../src/inspector/connection.js';
import { missingMajor, pgMajors } from '../../support/pg.js';
import { tmpDir, waitFor } from '../../support/inspector-fixtures.js';

const PASSWORD = 'S3cr3t-pw!x';

function cli() {
  const io = { out: '', err: '', cwd: process.cwd(), isTTY: false, env: {} as NodeJS.ProcessEnv,
    stdout(s: string) { io.out += s; }, stderr(s: string) { io.err += s; }, readStdin: async () => '' };
  return io;
}

function makeCert(dir: string, name: string, san: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=db.example.test',
    '-addext', `subjectAltName=${san}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

for (const major of pgMajors()) {
  describe(`connecting safely (PostgreSQL ${major})`, () => {
    it('TLS modes, passwords from every source, redacted errors, read-only session', { timeout: 90_000 }, async (t) => {
      const missing = missingMajor(major);
      if (missing) return t.skip(missing);
      const dir = tmpDir('tls');
      const home = tmpDir('home');
      const server = makeCert(dir, 'server', 'DNS:db.example.test,IP:127.0.0.2');
      const other = makeCert(dir, 'other', 'DNS:other.test');
      const ids = ensureRunAsUser();
      if (ids) { fs.chownSync(server.key, ids.uid, ids.gid); fs.chownSync(server.cert, ids.uid, ids.gid); }
      fs.chmodSync(server.key, 0o600);
      fs.chmodSync(server.cert, 0o644);
      const cluster = await startCluster({ major, name: `insp-conn-${major}`, settings: {
        ssl: 'on', ssl_cert_file: server.cert, ssl_key_file: server.key, listen_addresses: '127.0.0.1,127.0.0.2', password_encryption: 'scram-sha-256' } });
      try {
        const admin = await cluster.connect();
        try {
          await admin.query(`CREATE ROLE secretive LOGIN PASSWORD '${PASSWORD}'; CREATE ROLE tlsonly LOGIN;`);
          const hba = path.join(cluster.dataDir, 'pg_hba.conf');
          fs.writeFileSync(hba, [
            'host all secretive 127.0.0.1/32 scram-sha-256',
            'hostnossl all tlsonly 127.0.0.1/32 reject',
            'host all all 127.0.0.2/32 trust',
            fs.readFileSync(hba, 'utf8')].join('\n'));
          await admin.query('SELECT pg_reload_conf()');
        } finally { await admin.end(); }
        const cenv: ConnectionEnv = { env: {}, homeDir: home };
        const url = (user = 'postgres', host = '127.0.0.1', extra = '') => `postgresql://${user}@${host}:${cluster.port}/postgres${extra}`;
        const tls = async (input: TargetInput, env: ConnectionEnv = cenv) => {
          const r = await connect(resolveTarget(input, env), { cenv: env });
          if (r.ok) await r.value.close();
          return r.ok ? { ok: true as const, tls: r.value.tls } : { ok: false as const, code: r.error.code, message: r.error.message };
        };
        await waitFor('pg_hba.conf reloaded', async () => { const r = await tls({ db: url('tlsonly'), sslmode: 'disable' }); return !r.ok; }, 5000, 50);

        // TLS modes
        const expectTls: [SslMode, boolean][] = [['disable', false], ['allow', false], ['prefer', true], ['require', true]];
        for (const [mode, want] of expectTls) {
          const r = await tls({ db: url(), sslmode: mode });
          assert.deepEqual(r, { ok: true, tls: want }, mode);
        }
        // allow: plaintext first, TLS when the server insists (hostnossl … reject)
        assert.deepEqual(await tls({ db: url('tlsonly'), sslmode: 'allow' }), { ok: true, tls: true });
        const plainOnly = await tls({ db: url('tlsonly'), sslmode: 'disable' });
        assert.equal(plainOnly.ok === false && plainOnly.code, 'auth');
        assert.match(plainOnly.ok ? '' : plainOnly.message, /no encryption|SSL off/);
        // verification
        assert.deepEqual(await tls({ db: url('postgres', '127.0.0.1', `?sslmode=verify-ca&sslrootcert=${server.cert}`) }), { ok: true, tls: true });
        assert.deepEqual(await tls({ db: url('postgres', '127.0.0.2', `?sslmode=verify-full&sslrootcert=${server.cert}`) }), { ok: true, tls: true });
        const wrongHost = await tls({ db: url('postgres', '127.0.0.1', `?sslmode=verify-full&sslrootcert=${server.cert}`) });
        assert.equal(wrongHost.ok, false);
        assert.match(wrongHost.ok ? '' : wrongHost.message, /TLS certificate verification failed .*sslmode=verify-full/);
        const wrongCa = await tls({ db: url('postgres', '127.0.0.1', `?sslmode=verify-ca&sslrootcert=${other.cert}`) });
        assert.match(wrongCa.ok ? '' : wrongCa.message, /TLS certificate verification failed/);
        const noRoot = await tls({ db: url(), sslmode: 'verify-full' });
        assert.equal(noRoot.ok === false && noRoot.code, 'config');
        assert.match(noRoot.ok ? '' : noRoot.message, /root certificate file ".*\.postgresql\/root\.crt" does not exist/);
        // ~/.postgresql/root.crt is found, and makes require verify the CA as libpq does
        fs.mkdirSync(path.join(home, '.postgresql'), { recursive: true });
        fs.copyFileSync(other.cert, path.join(home, '.postgresql', 'root.crt'));
        const requireWithRoot = await tls({ db: url(), sslmode: 'require' });
        assert.match(requireWithRoot.ok ? '' : requireWithRoot.message, /TLS certificate verification failed/);
        fs.copyFileSync(server.cert, path.join(home, '.postgresql', 'root.crt'));
        assert.deepEqual(await tls({ db: url(), sslmode: 'verify-ca' }), { ok: true, tls: true });
        fs.rmSync(path.join(home, '.postgresql'), { recursive: true });

        // passwords: URL, PGPASSWORD, ~/.pgpass, service file; never in a message
        const pw = encodeURIComponent(PASSWORD);
        assert.deepEqual(await tls({ db: `postgresql://secretive:${pw}@127.0.0.1:${cluster.port}/postgres`, sslmode: 'disable' }), { ok: true, tls: false });
        const bad = await connect(resolveTarget({ db: `postgresql://secretive:wrong-${pw}@127.0.0.1:${cluster.port}/postgres` }, cenv), { cenv });
        assert.equal(!bad.ok && bad.error.code, 'auth');
        assert.match(!bad.ok ? bad.error.message : '', /password authentication failed for user "secretive"/);
        assert.ok(!JSON.stringify(bad).includes('wrong-'), JSON.stringify(bad));
        const none = await tls({ db: url('secretive') });
        assert.equal(none.ok === false && none.code, 'auth');
        assert.match(none.ok ? '' : none.message, /asks for a password .* none was found/);
        assert.deepEqual(await tls({ db: url('secretive') }, { ...cenv, env: { PGPASSWORD: PASSWORD } }), { ok: true, tls: true });
        const pgpass = path.join(home, '.pgpass');
        fs.writeFileSync(pgpass, `# comment\n127.0.0.1:${cluster.port}:postgres:secretive:${PASSWORD.replace(/:/g, '\\:')}\n`, { mode: 0o600 });
        const viaPgpass = resolveTarget({ db: url('secretive') }, cenv);
        assert.equal(viaPgpass.passwordSource, 'pgpass');
        assert.ok(!JSON.stringify(viaPgpass).includes(PASSWORD), 'the password is not enumerable');
        assert.deepEqual(await tls({ db: url('secretive') }), { ok: true, tls: true });
        fs.chmodSync(pgpass, 0o644);
        const loose = resolveTarget({ db: url('secretive') }, cenv);
        assert.equal(loose.passwordSource, undefined);
        assert.match(loose.warnings.join(), /group or world access/);
        fs.rmSync(pgpass);
        const svc = path.join(home, 'services.conf');
        fs.writeFileSync(svc, `[prod]\nhost=127.0.0.1\nport=${cluster.port}\nuser=secretive\npassword=${PASSWORD}\ndbname=postgres\nsslmode=require\n`);
        const svcEnv: ConnectionEnv = { env: { PGSERVICEFILE: svc }, homeDir: home };
        assert.deepEqual(await tls({ db: 'service=prod' }, svcEnv), { ok: true, tls: true });
        assert.deepEqual(await tls({}, { ...svcEnv, env: { ...svcEnv.env, PGSERVICE: 'prod' } }), { ok: true, tls: true });

        // the session: read-only, timeouts, application_name
        const c = await connect(resolveTarget({ db: url() }, cenv), { cenv });
        assert.ok(c.ok);
        try {
          const s = (await c.value.client.query<Record<string, string>>(`SELECT current_setting('default_transaction_read_only') AS ro,
            current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st, current_setting('application_name') AS app,
            current_setting('idle_in_transaction_session_timeout') AS iit, current_setting('jit') AS jit`)).rows[0];
          assert.deepEqual(s, { ro: 'on', lt: '1s', st: '5s', app: 'pg-preflight', iit: '10s', jit: 'off' });
          await assert.rejects(c.value.client.query('CREATE TABLE must_not_exist (id int)'), /read-only transaction/);
          await assert.rejects(c.value.client.query('SELECT pg_sleep(6)'), /statement timeout/);
        } finally { await c.value.close(); }

        // the CLI: wrong password via DATABASE_URL -> exit 2, one line, no password
        const io = cli();
        io.env = { DATABASE_URL: `postgresql://secretive:wrong-${pw}@127.0.0.1:${cluster.port}/postgres`, HOME: home };
        assert.equal(await inspectCommand([], io), 2);
        assert.equal(io.out, '');
        assert.equal(io.err.trim().split('\n').length, 1);
        assert.match(io.err, /password authentication failed for user "secretive"/);
        assert.ok(!io.err.includes('wrong-') && !io.err.includes(PASSWORD), io.err);
        const ok = cli();
        ok.env = { HOME: home };
        assert.equal(await inspectCommand(['--db', `postgresql://secretive:${pw}@127.0.0.1:${cluster.port}/postgres`, '--format', 'json'], ok), 0, ok.err);
        assert.ok(!ok.out.includes(PASSWORD) && !ok.out.includes(pw));
        assert.equal(JSON.parse(ok.out).server.target, `postgresql://secretive@127.0.0.1:${cluster.port}/postgres`);

        // a server without TLS: require fails, prefer falls back to plaintext
        const a2 = await cluster.connect();
        await a2.query('ALTER SYSTEM SET ssl = off');
        await a2.query('SELECT pg_reload_conf()');
        await a2.end();
        await waitFor('ssl off', async () => !(await tls({ db: url(), sslmode: 'require' })).ok, 5000, 50);
        const req = await tls({ db: url(), sslmode: 'require' });
        assert.match(req.ok ? '' : req.message, /does not support TLS, but sslmode=require requires it/);
        assert.deepEqual(await tls({ db: url(), sslmode: 'prefer' }), { ok: true, tls: false });
      } finally {
        await cluster.stop();
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(home, { recursive: true, force: true });
      }
    });
  });
}

describe('unreachable targets', () => {
  it('exit 2 with one redacted line when nothing listens', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const io = cli();
    assert.equal(await inspectCommand(['--db', `postgresql://u:hunter2secret@127.0.0.1:${port}/db`], io), 2);
    assert.equal(io.out, '');
    assert.equal(io.err, `pg-preflight inspect: cannot inspect postgresql://u@127.0.0.1:${port}/db: could not connect to 127.0.0.1:${port}: connection refused (is PostgreSQL running and accepting TCP/IP connections there?)\n`);
    const r = await connect(resolveTarget({ db: `postgresql://u@127.0.0.1:${port}/db?connect_timeout=2` }, { env: {} }));
    assert.equal(!r.ok && r.error.code, 'unreachable');
    await sleep(0);
  });
});
