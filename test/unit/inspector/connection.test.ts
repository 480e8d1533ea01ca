// Connection options without a network: URL / conninfo / service file / PG* / ~/.pgpass resolution (libpq's
// precedence), TLS attempts per sslmode, redaction, and error translation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeError, lookupPgpass, parseConninfo, parseDbUrl, parseServiceFile, redact, reservedSlotsExplanation, resolveTarget,
  secretsOf, targetPassword, TargetError, tlsAttempts, type ConnectionEnv,
} from '../../../src/inspector/connection.js';

function fsEnv(files: Record<string, { text: string; mode?: number }>, env: Record<string, string> = {}): ConnectionEnv {
  return {
    env, homeDir: '/home/u',
    readFile: (f) => files[f]?.text,
    fileMode: (f) => (files[f] ? 0o100000 | (files[f].mode ?? 0o600) : undefined),
    exists: (f) => f in files,
  };
}

describe('parseDbUrl', () => {
  it('reads user, password, host, port, database and parameters', () => {
    assert.deepEqual(parseDbUrl('postgresql://app:p%40ss%3Aw0rd@db.example.com:6543/shop?sslmode=require&connect_timeout=3'),
      { user: 'app', password: 'p@ss:w0rd', host: 'db.example.com', port: '6543', dbname: 'shop', sslmode: 'require', connect_timeout: '3' });
  });
  it('handles IPv6, missing parts, a socket directory in the query, and host lists', () => {
    assert.deepEqual(parseDbUrl('postgres://[::1]:5433/db'), { host: '::1', port: '5433', dbname: 'db' });
    assert.deepEqual(parseDbUrl('postgres://'), {});
    assert.deepEqual(parseDbUrl('postgres:///db?host=%2Fvar%2Frun%2Fpostgresql'), { dbname: 'db', host: '/var/run/postgresql' });
    assert.equal(parseDbUrl('postgres://a:1,b:2/db').host, 'a');
  });
  it('keeps an unescaped @ in the password (the last @ ends the user info)', () => {
    assert.equal(parseDbUrl('postgres://u:p@ss@h/d').password, 'p@ss');
  });
  it('rejects other schemes', () => {
    assert.throws(() => parseDbUrl('mysql://x'), TargetError);
  });
});

describe('parseConninfo', () => {
  it('reads key=value pairs with quotes and escapes', () => {
    assert.deepEqual(parseConninfo(`host=h port = 5433 dbname='my db' password='it\\'s' user=u\\ x`),
      { host: 'h', port: '5433', dbname: 'my db', password: "it's", user: 'u x' });
  });
  it('reports a missing = and an unterminated quote', () => {
    assert.throws(() => parseConninfo('host'), /missing "="/);
    assert.throws(() => parseConninfo(`password='abc`), /unterminated/);
  });
});

describe('service file and ~/.pgpass', () => {
  it('finds a service section', () => {
    const text = '# c\n[a]\nhost=x\n\n[prod]\nhost = db\nport=5433\n[z]\nhost=y\n';
    assert.deepEqual(parseServiceFile(text, 'prod'), { host: 'db', port: '5433' });
    assert.equal(parseServiceFile(text, 'nope'), undefined);
  });
  it('matches ~/.pgpass lines in order with * wildcards and \\: escapes', () => {
    const text = 'other:5432:*:*:no\n#comment\n*:5432:shop:app:pa\\:ss\\\\1\n*:*:*:*:fallback\n';
    assert.equal(lookupPgpass(text, 'db', 5432, 'shop', 'app'), 'pa:ss\\1');
    assert.equal(lookupPgpass(text, 'db', 5433, 'shop', 'app'), 'fallback');
    assert.equal(lookupPgpass('h:1:d:u:p', 'x', 1, 'd', 'u'), undefined);
  });
});

describe('resolveTarget', () => {
  it('URL > service > environment > defaults', () => {
    const cenv = fsEnv({ '/home/u/.pg_service.conf': { text: '[svc]\nhost=from-service\nport=7000\nuser=svcuser\n' } },
      { PGHOST: 'from-env', PGPORT: '6000', PGUSER: 'envuser', PGDATABASE: 'envdb', PGSERVICE: 'svc', USER: 'os' });
    const t = resolveTarget({ db: 'postgres://urluser@from-url/urldb' }, cenv);
    assert.deepEqual([t.host, t.port, t.user, t.database], ['from-url', 7000, 'urluser', 'urldb']);
    const t2 = resolveTarget({}, cenv);
    assert.deepEqual([t2.host, t2.port, t2.user, t2.database], ['from-service', 7000, 'svcuser', 'envdb']);
    const t3 = resolveTarget({}, fsEnv({}, { USER: 'os' }));
    assert.deepEqual([t3.host, t3.port, t3.user, t3.database, t3.sslmode], ['localhost', 5432, 'os', 'os', 'prefer']);
  });
  it('uses DATABASE_URL when no --db is given', () => {
    const t = resolveTarget({}, fsEnv({}, { DATABASE_URL: 'postgres://a@b:1/c', PGHOST: 'ignored' }));
    assert.deepEqual([t.host, t.port, t.user, t.database], ['b', 1, 'a', 'c']);
  });
  it('prefers the default socket directory when a socket exists there', () => {
    const t = resolveTarget({}, fsEnv({ '/var/run/postgresql/.s.PGSQL.5432': { text: '' } }, { USER: 'u' }));
    assert.equal(t.host, '/var/run/postgresql');
    assert.match(t.name, /^postgresql:\/\/u@\/u\?host=\/var\/run\/postgresql$/);
  });
  it('takes the password from the URL, PGPASSWORD or ~/.pgpass, and never makes it enumerable', () => {
    const pgpass = { '/home/u/.pgpass': { text: 'h:5432:d:u:from-pgpass\n' } };
    const a = resolveTarget({ db: 'postgres://u:from-url@h/d' }, fsEnv(pgpass, { PGPASSWORD: 'from-env' }));
    assert.equal(targetPassword(a), 'from-url');
    assert.equal(a.passwordSource, 'url');
    const b = resolveTarget({ db: 'postgres://u@h/d' }, fsEnv(pgpass, { PGPASSWORD: 'from-env' }));
    assert.equal(targetPassword(b), 'from-env');
    const c = resolveTarget({ db: 'postgres://u@h/d' }, fsEnv(pgpass));
    assert.equal(targetPassword(c), 'from-pgpass');
    assert.equal(c.passwordSource, 'pgpass');
    for (const t of [a, b, c]) {
      assert.ok(!JSON.stringify(t).includes('from-'), JSON.stringify(t));
      assert.ok(!t.name.includes('from-'));
    }
  });
  it('ignores a ~/.pgpass readable by others, with a warning (as libpq does)', () => {
    const t = resolveTarget({ db: 'postgres://u@h/d' }, fsEnv({ '/home/u/.pgpass': { text: '*:*:*:*:pw', mode: 0o644 } }));
    assert.equal(targetPassword(t), undefined);
    assert.match(t.warnings[0], /group or world access/);
  });
  it('rejects bad options with messages that carry no password', () => {
    assert.throws(() => resolveTarget({ db: 'postgres://u:hunter22@h/d?sslmode=sometimes' }, fsEnv({})), /invalid sslmode "sometimes"/);
    assert.throws(() => resolveTarget({ db: 'postgres://u:hunter22@h:99999/d' }, fsEnv({})), /invalid port/);
    assert.throws(() => resolveTarget({ db: 'postgres://u:hunter22@h/d?frobnicate=1' }, fsEnv({})), (e: Error) => /unknown connection option "frobnicate"/.test(e.message) && !e.message.includes('hunter22'));
    assert.throws(() => resolveTarget({ db: 'service=missing' }, fsEnv({})), /definition of service "missing" not found/);
  });
  it('warns that application_name and options are overridden', () => {
    const t = resolveTarget({ db: 'postgres://u@h/d?application_name=x&options=-cfoo%3D1' }, fsEnv({}));
    assert.match(t.warnings.join(), /always connects as application_name=pg-preflight/);
  });
  it('does not scrub a password that equals the user or database name from every message', () => {
    const t = resolveTarget({ db: 'postgres://postgres:postgres@h/postgres' }, fsEnv({}));
    assert.deepEqual(secretsOf(t), []);
    const u = resolveTarget({ db: 'postgres://app:s3cret!@h/db' }, fsEnv({}));
    assert.deepEqual(secretsOf(u), ['s3cret!']);
  });
});

describe('redact', () => {
  it('removes URL passwords, password= parameters and literal secrets', () => {
    assert.equal(redact('could not parse postgresql://app:s3cr@t/x@db:5432/shop?sslmode=require'),
      'could not parse postgresql://app:***@db:5432/shop?sslmode=require');
    assert.equal(redact(`host=h password='a b\\'c' user=u`), 'host=h password=*** user=u');
    assert.equal(redact('postgres://u@h/d?password=abc&sslmode=x'), 'postgres://u@h/d?password=***&sslmode=x');
    assert.equal(redact('auth failed for s3cret and s3cret%21', ['s3cret!', 's3cret']), 'auth failed for *** and ***%21');
    assert.equal(redact('no secrets here: postgres://u@h/d'), 'no secrets here: postgres://u@h/d');
  });
});

describe('tlsAttempts', () => {
  const files = { '/home/u/.postgresql/root.crt': { text: 'ROOT' }, '/ca.pem': { text: 'CA' } };
  const target = (db: string) => resolveTarget({ db }, fsEnv(files));
  it('follows libpq: disable, allow, prefer, require', () => {
    assert.deepEqual(tlsAttempts(resolveTarget({ db: 'postgres://h/d?sslmode=disable' }, fsEnv({})), fsEnv({})), [false]);
    assert.deepEqual(tlsAttempts(resolveTarget({ db: 'postgres://h/d?sslmode=allow' }, fsEnv({})), fsEnv({})), [false, { rejectUnauthorized: false }]);
    assert.deepEqual(tlsAttempts(resolveTarget({ db: 'postgres://h/d' }, fsEnv({})), fsEnv({})), [{ rejectUnauthorized: false }, false]);
    assert.deepEqual(tlsAttempts(resolveTarget({ db: 'postgres://h/d?sslmode=require' }, fsEnv({})), fsEnv({})), [{ rejectUnauthorized: false }]);
  });
  it('require with a root certificate verifies the CA; verify-full checks the host name', () => {
    const req = tlsAttempts(target('postgres://h/d?sslmode=require'), fsEnv(files))[0] as Record<string, unknown>;
    assert.equal(req.ca, 'ROOT');
    assert.equal(req.rejectUnauthorized, true);
    assert.equal(typeof req.checkServerIdentity, 'function');
    const ca = tlsAttempts(target('postgres://h/d?sslmode=verify-ca&sslrootcert=/ca.pem'), fsEnv(files))[0] as Record<string, unknown>;
    assert.equal(ca.ca, 'CA');
    assert.equal(typeof ca.checkServerIdentity, 'function');
    const full = tlsAttempts(target('postgres://db.example/d?sslmode=verify-full'), fsEnv(files))[0] as Record<string, unknown>;
    assert.equal(full.checkServerIdentity, undefined);
    assert.equal(full.servername, 'db.example');
    const system = tlsAttempts(resolveTarget({ db: 'postgres://h/d?sslmode=verify-full&sslrootcert=system' }, fsEnv({})), fsEnv({}))[0] as Record<string, unknown>;
    assert.equal(system.ca, undefined);
    assert.equal(system.rejectUnauthorized, true);
  });
  it('refuses verify-ca / verify-full without a root certificate, and never uses TLS on a Unix socket', () => {
    assert.throws(() => tlsAttempts(resolveTarget({ db: 'postgres://h/d?sslmode=verify-full' }, fsEnv({})), fsEnv({})), /root certificate file "\/home\/u\/\.postgresql\/root\.crt" does not exist/);
    assert.deepEqual(tlsAttempts(resolveTarget({ db: 'postgres:///d?host=/tmp&sslmode=require' }, fsEnv({})), fsEnv({})), [false]);
  });
});

describe('describeError', () => {
  const t = resolveTarget({ db: 'postgres://monitor:pw-Secret1@db:5432/shop' }, fsEnv({}));
  const pgErr = (code: string, message: string) => Object.assign(new Error(message), { code });
  it('explains reserved connection slots, per version of the message', () => {
    const v16 = describeError(pgErr('53300', 'remaining connection slots are reserved for roles with privileges of the "pg_use_reserved_connections" role'), t);
    assert.equal(v16.code, 'too-many-connections');
    assert.match(v16.message, /reserved \(reserved_connections\) for roles with privileges of pg_use_reserved_connections, which role "monitor" lacks/);
    assert.match(v16.message, /GRANT pg_monitor, pg_use_reserved_connections TO monitor;/);
    const v15 = describeError(pgErr('53300', 'remaining connection slots are reserved for non-replication superuser connections'), t);
    assert.match(v15.message, /reserved for superusers \(superuser_reserved_connections\)\. Before PostgreSQL 16 only superusers/);
    const v16su = describeError(pgErr('53300', 'remaining connection slots are reserved for roles with the SUPERUSER attribute'), t);
    assert.match(v16su.message, /reserved for superusers/);
    const full = describeError(pgErr('53300', 'sorry, too many clients already'), t);
    assert.match(full.message, /every slot is taken, reserved ones included/);
    assert.match(reservedSlotsExplanation('reserved for roles with privileges of the "pg_use_reserved_connections" role', 'Odd "Name"'), /TO "Odd ""Name""";/);
  });
  it('translates authentication, network and TLS failures, without the password', () => {
    const cases: [unknown, RegExp, string][] = [
      [pgErr('28P01', 'password authentication failed for user "monitor"'), /password authentication failed for user "monitor" at db:5432/, 'auth'],
      [pgErr('28000', 'no pg_hba.conf entry for host "1.2.3.4", user "monitor", database "shop", no encryption'), /try sslmode=require/, 'auth'],
      [pgErr('3D000', 'database "shop" does not exist'), /database "shop" does not exist at db:5432/, 'no-database'],
      [pgErr('57P03', 'the database system is starting up'), /does not accept connections right now/, 'starting-up'],
      [Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' }), /connection refused/, 'unreachable'],
      [Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' }), /could not resolve host name "db"/, 'unreachable'],
      [new Error('Connection terminated due to connection timeout'), /timed out after 10 s/, 'unreachable'],
      [new Error('The server does not support SSL connections'), /does not support TLS, but sslmode=prefer requires it/, 'unreachable'],
      [Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), /TLS certificate verification failed/, 'unreachable'],
      [new Error('failed for postgres://monitor:pw-Secret1@db/shop with pw-Secret1'), /postgres:\/\/monitor:\*\*\*@db\/shop with \*\*\*/, 'unreachable'],
    ];
    for (const [err, re, code] of cases) {
      const d = describeError(err, t);
      assert.match(d.message, re);
      assert.equal(d.code, code);
      assert.ok(!JSON.stringify(d).includes('pw-Secret1'));
    }
  });
  it('maps query-time failures', () => {
    assert.equal(describeError(pgErr('55P03', 'canceling statement due to lock timeout'), t, 'query').code, 'timeout');
    assert.equal(describeError(pgErr('57014', 'canceling statement due to statement timeout'), t, 'query').code, 'timeout');
    assert.equal(describeError(pgErr('42501', 'permission denied'), t, 'query').code, 'permission');
    assert.equal(describeError(new Error('Connection terminated unexpectedly'), t, 'query').code, 'lost');
  });
});
