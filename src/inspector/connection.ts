// Connecting to a target safely: libpq-style option resolution (URL or key=value conninfo, service file, PG*
// variables, ~/.pgpass), TLS modes as libpq names them, the session settings that keep the inspector from ever
// becoming part of an outage, password redaction, and error messages a user can act on.
//
// Precedence follows libpq (fe-connect.c, conninfo_add_defaults): explicit options > service file > environment >
// defaults. The password is never stored in an enumerable property, never put in a display name, and every message
// that leaves this module goes through redact().
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fail, ok, type ErrorCode, type InspectorClient, type InspectorError, type Result } from './types.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export function isSslMode(s: string): s is SslMode {
  return (SSL_MODES as readonly string[]).includes(s);
}

export const APPLICATION_NAME = 'pg-preflight';

/**
 * Set in the startup packet, so no statement ever runs without them. lock_timeout keeps a catalog query from joining
 * a lock queue (the inspector must never be the 451st waiter); statement_timeout bounds every query; jit is off
 * because catalog queries over 10,000 tables cross jit_above_cost and compiling costs more than running them.
 */
export const SESSION_SETTINGS: Readonly<Record<string, string>> = {
  default_transaction_read_only: 'on',
  lock_timeout: '1s',
  statement_timeout: '5s',
  idle_in_transaction_session_timeout: '10s',
  jit: 'off',
  search_path: 'pg_catalog',
};

/** Client-side bound on one query: the server's statement_timeout plus slack for the network. */
const CLIENT_QUERY_TIMEOUT_MS = 8000;

export interface TargetInput {
  /** postgres:// URL or key=value conninfo; falls back to DATABASE_URL, then to PG* variables and defaults. */
  db?: string;
  /** Display name; defaults to the redacted URL. */
  name?: string;
  /** Disables cancel/terminate for this target. */
  readOnly?: boolean;
  /** Overrides sslmode from every other source. */
  sslmode?: SslMode;
}

/** Where to read environment and files from; injected by tests. */
export interface ConnectionEnv {
  env: Record<string, string | undefined>;
  homeDir?: string;
  readFile?(file: string): string | undefined;
  /** st_mode of a file, undefined if missing */
  fileMode?(file: string): number | undefined;
  exists?(file: string): boolean;
}

export interface Target {
  name: string;
  host: string;
  port: number;
  user: string;
  database: string;
  sslmode: SslMode;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  connectTimeoutSeconds: number;
  readOnly: boolean;
  /** Where the password came from, if any (the password itself is not enumerable: see targetPassword). */
  passwordSource?: 'url' | 'service' | 'env' | 'pgpass';
  service?: string;
  /** Things the user should know (ignored options, a .pgpass with loose permissions). */
  warnings: string[];
}

const PASSWORD = Symbol('password');

export function targetPassword(t: Target): string | undefined {
  return (t as Target & { [PASSWORD]?: string })[PASSWORD];
}

/**
 * The literal strings to scrub from messages about this target: its password, unless it equals the user, database or
 * host name (scrubbing those would garble every message while hiding nothing).
 */
export function secretsOf(t: Target | undefined): string[] {
  const p = t ? targetPassword(t) : undefined;
  if (!t || !p || [t.user, t.database, t.host].includes(p)) return [];
  return [p];
}

function setPassword(t: Target, password: string | undefined): void {
  Object.defineProperty(t, PASSWORD, { value: password, enumerable: false, writable: false });
}

// ---------------------------------------------------------------------------------------------------------------------
// redaction

const REDACTED = '***';

/**
 * Removes passwords from any text: the userinfo password of URLs, `password=` parameters (URL query or conninfo,
 * quoted or not) and, when given, the literal secrets themselves (and their percent-encoded form).
 */
export function redact(text: string, secrets: (string | undefined)[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)(\S*)/gi, (_m, scheme: string, rest: string) => {
    // The authority ends at the last '@' before the path; passwords with unescaped '@' or '/' are still covered.
    const at = rest.lastIndexOf('@');
    if (at < 0) return scheme + rest;
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon < 0) return scheme + rest;
    return `${scheme}${userinfo.slice(0, colon)}:${REDACTED}${rest.slice(at)}`;
  });
  out = out.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)/gi, `$1${REDACTED}`);
  for (const s of secrets) {
    if (!s || s.length < 3) continue; // a 1–2 character secret would garble every message; URLs are covered above
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// parsing

export class TargetError extends Error {}

type Params = Record<string, string>;

/** Keywords of a libpq URL's query string or a conninfo string that the inspector understands. */
const KNOWN_KEYS = new Set(['host', 'hostaddr', 'port', 'user', 'password', 'dbname', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey',
  'connect_timeout', 'service', 'application_name', 'fallback_application_name', 'options', 'target_session_attrs',
  'sslnegotiation', 'sslcompression', 'keepalives', 'keepalives_idle', 'gssencmode', 'channel_binding', 'client_encoding', 'passfile']);

function decode(s: string): string {
  try { return decodeURIComponent(s); } catch { throw new TargetError('the connection URL has an invalid %-escape'); }
}

/** postgres://[user[:password]@][host][:port][/dbname][?key=value&…] as libpq reads it. */
export function parseDbUrl(url: string): Params {
  const m = /^(postgres(?:ql)?):\/\/(.*)$/i.exec(url.trim());
  if (!m) throw new TargetError('the connection URL must start with postgres:// or postgresql://');
  let rest = m[2];
  const out: Params = {};
  const q = rest.indexOf('?');
  let query = '';
  if (q >= 0) { query = rest.slice(q + 1); rest = rest.slice(0, q); }
  const slash = rest.indexOf('/');
  let authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const dbPart = slash >= 0 ? rest.slice(slash + 1) : '';
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (user) out.user = decode(user);
    if (colon >= 0) out.password = decode(userinfo.slice(colon + 1));
  }
  if (authority) {
    // libpq allows host lists (failover); the inspector talks to exactly one server, the first.
    const first = authority.split(',')[0];
    const six = /^\[([^\]]+)\](?::(\d*))?$/.exec(first);
    if (six) {
      out.host = six[1];
      if (six[2]) out.port = six[2];
    } else {
      const c = first.lastIndexOf(':');
      const host = c >= 0 ? first.slice(0, c) : first;
      if (host) out.host = decode(host);
      if (c >= 0 && first.slice(c + 1)) out.port = first.slice(c + 1);
    }
    if (authority.includes(',')) out['#multihost'] = authority;
  }
  if (dbPart) out.dbname = decode(dbPart);
  for (const kv of query.split('&')) {
    if (!kv) continue;
    const eq = kv.indexOf('=');
    if (eq < 0) throw new TargetError(`the connection URL has a parameter without a value: "${kv.replace(/password.*/i, 'password')}"`);
    const key = decode(kv.slice(0, eq).replace(/\+/g, ' '));
    out[key] = decode(kv.slice(eq + 1).replace(/\+/g, ' '));
  }
  return out;
}

/** key=value conninfo: values may be single-quoted, with \' and \\ escapes (libpq's conninfo_parse). */
export function parseConninfo(s: string): Params {
  const out: Params = {};
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && /\s/.test(s[i])) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && s[i] !== '=' && !/\s/.test(s[i])) i++;
    const key = s.slice(keyStart, i);
    while (i < n && /\s/.test(s[i])) i++;
    if (s[i] !== '=') throw new TargetError(`missing "=" after "${key}" in the connection string`);
    i++;
    while (i < n && /\s/.test(s[i])) i++;
    let val = '';
    if (s[i] === "'") {
      i++;
      let closed = false;
      while (i < n) {
        if (s[i] === '\\' && i + 1 < n) { val += s[i + 1]; i += 2; continue; }
        if (s[i] === "'") { closed = true; i++; break; }
        val += s[i++];
      }
      if (!closed) throw new TargetError('unterminated quoted string in the connection string');
    } else {
      while (i < n && !/\s/.test(s[i])) {
        if (s[i] === '\\' && i + 1 < n) { val += s[i + 1]; i += 2; continue; }
        val += s[i++];
      }
    }
    out[key] = val;
  }
  return out;
}

export function parseConnectionString(s: string): Params {
  // Anything that looks like a URL goes to the URL parser, which names the accepted schemes.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s.trim()) ? parseDbUrl(s) : parseConninfo(s);
}

/** The [service] section of a pg_service.conf, or undefined when absent. */
export function parseServiceFile(text: string, service: string): Params | undefined {
  let current: string | undefined;
  let found: Params | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      if (found) break;
      current = sec[1].trim();
      if (current === service) found = {};
      continue;
    }
    if (current !== service || !found) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    found[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return found;
}

/** One line of ~/.pgpass split on unescaped ':' (\: and \\ are escapes). */
function splitPgpassLine(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) { cur += line[++i]; continue; }
    if (c === ':' && fields.length < 4) { fields.push(cur); cur = ''; continue; }
    cur += c;
  }
  fields.push(cur);
  return fields;
}

/** libpq's passwordFromFile: first line whose host:port:database:user match (`*` matches anything). */
export function lookupPgpass(text: string, host: string, port: number, database: string, user: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    if (!raw || raw.startsWith('#')) continue;
    const f = splitPgpassLine(raw);
    if (f.length < 5) continue;
    const match = (pattern: string, value: string) => pattern === '*' || pattern === value;
    if (match(f[0], host) && match(f[1], String(port)) && match(f[2], database) && match(f[3], user)) return f[4];
  }
  return undefined;
}

const DEFAULT_SOCKET_DIRS = ['/var/run/postgresql', '/tmp'];

function defaultEnv(): ConnectionEnv {
  return { env: process.env };
}

function readFileDefault(file: string): string | undefined {
  try { return fs.readFileSync(file, 'utf8'); } catch { return undefined; }
}

function fileModeDefault(file: string): number | undefined {
  try { const st = fs.statSync(file); return st.isFile() ? st.mode : undefined; } catch { return undefined; }
}

function existsDefault(file: string): boolean {
  try { fs.statSync(file); return true; } catch { return false; }
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/**
 * Resolves what to connect to. Throws TargetError (message already redacted) for options that cannot work.
 * Never touches the network.
 */
export function resolveTarget(input: TargetInput, cenv: ConnectionEnv = defaultEnv()): Target {
  const env = cenv.env;
  const home = cenv.homeDir ?? env.HOME ?? os.homedir();
  const readFile = cenv.readFile ?? readFileDefault;
  const fileMode = cenv.fileMode ?? fileModeDefault;
  const exists = cenv.exists ?? existsDefault;
  const warnings: string[] = [];

  const source = input.db ?? env.DATABASE_URL;
  let explicit: Params = {};
  if (source !== undefined && source.trim() !== '') {
    try {
      explicit = parseConnectionString(source);
    } catch (e) {
      throw new TargetError(redact((e as Error).message));
    }
  }
  const secretsSoFar = [explicit.password];
  if (explicit['#multihost']) warnings.push('several hosts given; the inspector connects to the first one only');
  for (const k of Object.keys(explicit)) {
    if (k.startsWith('#')) continue;
    if (!KNOWN_KEYS.has(k)) throw new TargetError(redact(`unknown connection option "${k}"`, secretsSoFar));
  }
  if (explicit.application_name || explicit.options) {
    warnings.push('application_name and options are ignored: the inspector always connects as application_name=pg-preflight with its own safe session settings');
  }

  // service file: explicit service= or PGSERVICE; user file first, then the system one (libpq's parseServiceInfo)
  const service = explicit.service ?? env.PGSERVICE;
  let fromService: Params = {};
  if (service) {
    const files = [env.PGSERVICEFILE ?? path.join(home, '.pg_service.conf'),
      path.join(env.PGSYSCONFDIR ?? '/etc/postgresql-common', 'pg_service.conf')];
    let found: Params | undefined;
    for (const f of files) {
      const text = readFile(f);
      if (text === undefined) continue;
      found = parseServiceFile(text, service);
      if (found) break;
    }
    if (!found) throw new TargetError(`definition of service "${service}" not found (looked in ${files.join(', ')})`);
    fromService = found;
  }

  const fromEnv: Params = {};
  const envMap: [string, string][] = [['host', 'PGHOST'], ['hostaddr', 'PGHOSTADDR'], ['port', 'PGPORT'], ['user', 'PGUSER'],
    ['password', 'PGPASSWORD'], ['dbname', 'PGDATABASE'], ['sslmode', 'PGSSLMODE'], ['sslrootcert', 'PGSSLROOTCERT'],
    ['sslcert', 'PGSSLCERT'], ['sslkey', 'PGSSLKEY'], ['connect_timeout', 'PGCONNECT_TIMEOUT'], ['passfile', 'PGPASSFILE']];
  for (const [key, name] of envMap) if (env[name]) fromEnv[key] = env[name] as string;

  const pick = (key: string): { value: string; from: 'url' | 'service' | 'env' } | undefined => {
    if (explicit[key] !== undefined && explicit[key] !== '') return { value: explicit[key], from: 'url' };
    if (fromService[key] !== undefined && fromService[key] !== '') return { value: fromService[key], from: 'service' };
    if (fromEnv[key] !== undefined && fromEnv[key] !== '') return { value: fromEnv[key], from: 'env' };
    return undefined;
  };

  const portRaw = pick('port')?.value ?? '5432';
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TargetError(`invalid port "${portRaw}"`);

  let host = pick('hostaddr')?.value ?? pick('host')?.value;
  if (host?.includes(',')) { host = host.split(',')[0]; warnings.push('several hosts given; the inspector connects to the first one only'); }
  if (!host) {
    // libpq's default is the compiled-in socket directory; take the first one that has a socket for this port.
    host = DEFAULT_SOCKET_DIRS.find((d) => exists(path.join(d, `.s.PGSQL.${port}`))) ?? 'localhost';
  }

  const user = pick('user')?.value ?? env.USER ?? env.LOGNAME ?? safeUsername();
  const database = pick('dbname')?.value ?? user;

  const sslRaw = input.sslmode ?? pick('sslmode')?.value ?? 'prefer';
  if (!isSslMode(sslRaw)) throw new TargetError(`invalid sslmode "${sslRaw}" (one of ${SSL_MODES.join(', ')})`);
  const sslmode: SslMode = sslRaw;

  const timeoutRaw = pick('connect_timeout')?.value;
  let connectTimeoutSeconds = 10;
  if (timeoutRaw !== undefined) {
    const t = Number(timeoutRaw);
    if (!Number.isFinite(t) || t < 0) throw new TargetError(`invalid connect_timeout "${timeoutRaw}"`);
    // libpq: 0 = wait forever, and values below 2 are raised to 2. The inspector never waits forever.
    connectTimeoutSeconds = t === 0 ? 30 : Math.max(2, Math.floor(t));
  }

  const displayHost = host.startsWith('/') ? host : host.includes(':') ? `[${host}]` : host;
  const name = input.name ?? (host.startsWith('/')
    ? `postgresql://${encodeURIComponent(user)}@/${encodeURIComponent(database)}?host=${host}${port !== 5432 ? `&port=${port}` : ''}`
    : `postgresql://${encodeURIComponent(user)}@${displayHost}:${port}/${encodeURIComponent(database)}`);

  const target: Target = {
    name, // built without the password (a user-given name is taken as is)
    host, port, user, database, sslmode,
    connectTimeoutSeconds,
    readOnly: input.readOnly ?? false,
    warnings,
  };
  if (service) target.service = service;
  for (const k of ['sslrootcert', 'sslcert', 'sslkey'] as const) {
    const v = pick(k)?.value;
    if (v) target[k] = v === 'system' ? v : expandHome(v, home);
  }

  const pw = pick('password');
  let password = pw?.value;
  if (pw) target.passwordSource = pw.from;
  if (password === undefined) {
    const passfile = expandHome(pick('passfile')?.value ?? path.join(home, '.pgpass'), home);
    const mode = fileMode(passfile);
    if (mode !== undefined) {
      if (mode & 0o077) {
        warnings.push(`password file "${passfile}" has group or world access; permissions should be u=rw (0600) or less (ignored, as libpq does)`);
      } else {
        const text = readFile(passfile);
        // libpq matches the default socket directory as "localhost"
        const hostForPass = host.startsWith('/') && DEFAULT_SOCKET_DIRS.includes(host) ? 'localhost' : host;
        const found = text === undefined ? undefined : lookupPgpass(text, hostForPass, port, database, user);
        if (found !== undefined) { password = found; target.passwordSource = 'pgpass'; }
      }
    }
  }
  setPassword(target, password);
  return target;
}

function safeUsername(): string {
  try { return os.userInfo().username; } catch { return 'postgres'; }
}

// ---------------------------------------------------------------------------------------------------------------------
// TLS

export type TlsAttempt = false | pg.ClientConfig['ssl'];

/**
 * The ssl options for each attempt, in order. prefer: TLS without verification, then plaintext if the server has no
 * TLS; allow: plaintext, then TLS if the server insists. verify-ca / verify-full need a root certificate (sslrootcert,
 * ~/.postgresql/root.crt, or sslrootcert=system for the system's roots); require with a root certificate verifies the
 * CA as libpq does.
 */
export function tlsAttempts(t: Target, cenv: ConnectionEnv = defaultEnv()): TlsAttempt[] {
  const home = cenv.homeDir ?? cenv.env.HOME ?? os.homedir();
  const readFile = cenv.readFile ?? readFileDefault;
  // libpq never uses TLS on a Unix-domain socket, whatever sslmode says.
  if (t.sslmode === 'disable' || t.host.startsWith('/')) return [false];
  const defaultRoot = path.join(home, '.postgresql', 'root.crt');
  const rootPath = t.sslrootcert ?? defaultRoot;
  const rootText = rootPath === 'system' ? undefined : readFile(rootPath);
  const base: Record<string, unknown> = {};
  const certPath = t.sslcert ?? path.join(home, '.postgresql', 'postgresql.crt');
  const keyPath = t.sslkey ?? path.join(home, '.postgresql', 'postgresql.key');
  const cert = readFile(certPath);
  const key = cert !== undefined ? readFile(keyPath) : undefined;
  if (t.sslcert && cert === undefined) throw new TargetError(`certificate file "${t.sslcert}" cannot be read`);
  if (cert !== undefined && key !== undefined) { base.cert = cert; base.key = key; }
  const noVerify = { ...base, rejectUnauthorized: false };
  switch (t.sslmode) {
    case 'allow': return [false, noVerify];
    case 'prefer': return [noVerify, false];
    case 'require': {
      if (t.sslrootcert && rootText === undefined && t.sslrootcert !== 'system') {
        throw new TargetError(`root certificate file "${t.sslrootcert}" cannot be read`);
      }
      if (rootText !== undefined || t.sslrootcert === 'system') {
        return [{ ...base, ...(rootText !== undefined ? { ca: rootText } : {}), rejectUnauthorized: true, checkServerIdentity: () => undefined }];
      }
      return [noVerify];
    }
    case 'verify-ca':
    case 'verify-full': {
      if (rootPath !== 'system' && rootText === undefined) {
        throw new TargetError(`root certificate file "${rootPath}" does not exist or cannot be read: sslmode=${t.sslmode} needs one ` +
          '(set sslrootcert, use sslrootcert=system for the system\'s trusted roots, or choose another sslmode)');
      }
      const verify: Record<string, unknown> = { ...base, rejectUnauthorized: true, ...(rootText !== undefined ? { ca: rootText } : {}) };
      if (t.sslmode === 'verify-ca') verify.checkServerIdentity = () => undefined;
      else if (!/^[\d.]+$|:/.test(t.host)) verify.servername = t.host;
      return [verify];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// errors

interface PgLikeError {
  message?: string;
  code?: string;
  detail?: string;
  hint?: string;
  severity?: string;
}

const NODE_NET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOENT', 'EACCES']);

function where(t: Target): string {
  return t.host.startsWith('/') ? `socket ${path.join(t.host, `.s.PGSQL.${t.port}`)}` : `${t.host}:${t.port}`;
}

/** The message for "remaining connection slots are reserved …" and "too many clients": what the reserved slots are for. */
export function reservedSlotsExplanation(serverMessage: string, user: string): string {
  const m = serverMessage.toLowerCase();
  const grant = `GRANT pg_monitor, pg_use_reserved_connections TO ${quoteIdent(user)}`;
  if (m.includes('pg_use_reserved_connections')) {
    return 'the server is out of connection slots: the remaining ones are reserved (reserved_connections) for roles with ' +
      `privileges of pg_use_reserved_connections, which role "${user}" lacks. So the inspector can get in during exactly this ` +
      `kind of incident, run once beforehand: ${grant};`;
  }
  if (m.includes('superuser')) {
    return 'the server is out of connection slots: the remaining ones are reserved for superusers (superuser_reserved_connections). ' +
      `Before PostgreSQL 16 only superusers can use reserved slots, so a pg_monitor role like "${user}" is refused too; connect as a ` +
      `superuser to look now. On PostgreSQL 16+ set reserved_connections and ${grant};`;
  }
  return 'the server is out of connection slots (sorry, too many clients already): every slot is taken, reserved ones included. ' +
    'Connections are piling up, typically behind a lock; free one from an existing session (pg_terminate_backend) or from the application side.';
}

function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

/** Translates a connection or query error into one line a user can act on (already redacted). */
export function describeError(err: unknown, t: Target | undefined, phase: 'connect' | 'query' = 'connect'): InspectorError {
  const e = (err ?? {}) as PgLikeError & { errno?: number };
  const raw = String(e.message ?? err ?? 'unknown error');
  const r = (s: string) => redact(s, secretsOf(t));
  const at = t ? where(t) : 'the server';
  const mk = (code: ErrorCode, message: string, extra: Partial<InspectorError> = {}): InspectorError => ({
    code, message: r(message), ...(extra.detail ? { detail: r(extra.detail) } : {}), ...(e.code && /^[0-9A-Z]{5}$/.test(e.code) ? { sqlState: e.code } : {}),
  });
  const sqlstate = e.code && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;

  if (err instanceof TargetError) return mk('config', raw);
  if (sqlstate === '53300') return mk('too-many-connections', reservedSlotsExplanation(raw, t?.user ?? 'the inspector role'), { detail: raw });
  if (sqlstate === '28P01') return mk('auth', `password authentication failed for user "${t?.user}" at ${at}`);
  if (sqlstate === '28000') {
    const hint = /no encryption/i.test(raw) ? ' (the server may require TLS: try sslmode=require)' : '';
    return mk('auth', `${raw}${hint}`);
  }
  if (sqlstate === '3D000') return mk('no-database', `database "${t?.database}" does not exist at ${at}`);
  if (sqlstate === '57P03') return mk('starting-up', `${at} does not accept connections right now: ${raw}`);
  if (sqlstate === '57P01' || sqlstate === '57P02') return mk('lost', `the server ended the inspector's session: ${raw}`);
  if (sqlstate === '57014') return mk('timeout', `a query ran into statement_timeout (${SESSION_SETTINGS.statement_timeout}): ${raw}`);
  if (sqlstate === '55P03') return mk('timeout', `a query waited longer than lock_timeout (${SESSION_SETTINGS.lock_timeout}) for a lock and gave up: ${raw}`);
  if (sqlstate === '42501') return mk('permission', raw);
  if (sqlstate) return mk(phase === 'connect' ? 'unreachable' : 'internal', raw);

  if (e.code && NODE_NET_CODES.has(e.code)) {
    switch (e.code) {
      case 'ECONNREFUSED': return mk('unreachable', `could not connect to ${at}: connection refused (is PostgreSQL running and accepting TCP/IP connections there?)`);
      case 'ENOTFOUND': case 'EAI_AGAIN': return mk('unreachable', `could not resolve host name "${t?.host}"`);
      case 'ENOENT': return mk('unreachable', `could not connect to ${at}: no such socket (is the server running locally?)`);
      case 'ETIMEDOUT': return mk('unreachable', `timed out connecting to ${at}`);
      default: return mk(phase === 'connect' ? 'unreachable' : 'lost', `${phase === 'connect' ? 'could not connect to' : 'lost the connection to'} ${at}: ${raw}`);
    }
  }
  if (/timeout expired|connection timeout/i.test(raw)) {
    return mk('unreachable', `timed out after ${t?.connectTimeoutSeconds ?? '?'} s connecting to ${at}`);
  }
  if (/Query read timeout/i.test(raw)) return mk('timeout', `no answer from ${at} within ${CLIENT_QUERY_TIMEOUT_MS / 1000} s`);
  if (/does not support SSL/i.test(raw)) {
    return mk('unreachable', `${at} does not support TLS, but sslmode=${t?.sslmode} requires it`);
  }
  const tlsCode = (err as { code?: string }).code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME/i.test(tlsCode) || /certificate|Hostname\/IP does not match/i.test(raw)) {
    return mk('unreachable', `TLS certificate verification failed for ${at} (sslmode=${t?.sslmode}): ${raw}`);
  }
  if (/Connection terminated|ended unexpectedly|Client was closed|not queryable/i.test(raw)) {
    return mk(phase === 'connect' ? 'unreachable' : 'lost', `${phase === 'connect' ? 'the server closed the connection' : 'lost the connection to'} ${at}: ${raw}`);
  }
  if (err instanceof MissingPasswordError) return mk('auth', raw);
  return mk(phase === 'connect' ? 'unreachable' : 'internal', raw);
}

class MissingPasswordError extends Error {}

function destroySocket(client: pg.Client): void {
  try { (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy(); } catch { /* closed */ }
}

// ---------------------------------------------------------------------------------------------------------------------
// connecting

export interface Connection {
  client: InspectorClient;
  target: Target;
  /** The backend pid of this connection. */
  pid: number;
  tls: boolean;
  /** Set when the socket broke; the session then reconnects. */
  readonly broken: boolean;
  close(): Promise<void>;
}

function startupOptions(): string {
  return Object.entries(SESSION_SETTINGS).map(([k, v]) => `-c ${k}=${v.replace(/([\\ ])/g, '\\$1')}`).join(' ');
}

function setStatements(): string {
  return Object.entries(SESSION_SETTINGS).map(([k, v]) => `SET ${k} = '${v.replace(/'/g, "''")}'`).join('; ');
}

export interface ConnectOptions {
  /** application_name; always pg-preflight unless a caller adds a suffix (e.g. "pg-preflight (action)"). */
  applicationName?: string;
  cenv?: ConnectionEnv;
}

/** Opens one connection with the safe session settings. Never throws: the error is redacted and translated. */
export async function connect(target: Target, opts: ConnectOptions = {}): Promise<Result<Connection>> {
  let attempts: TlsAttempt[];
  try {
    attempts = tlsAttempts(target, opts.cenv);
  } catch (e) {
    return fail(describeError(e, target));
  }
  let lastErr: unknown;
  for (let i = 0; i < attempts.length; i++) {
    for (const viaStartup of [true, false]) {
      const r = await connectOnce(target, attempts[i], viaStartup, opts.applicationName ?? APPLICATION_NAME);
      if (r.ok) return r;
      lastErr = r.error;
      const msg = String((r.error as { message?: string })?.message ?? '');
      // pgbouncer and other proxies refuse startup "options": set the same values with SET right after connecting.
      if (viaStartup && /unsupported startup parameter/i.test(msg)) continue;
      break;
    }
    const msg = String((lastErr as { message?: string })?.message ?? '');
    const code = (lastErr as { code?: string })?.code;
    const next = attempts[i + 1];
    if (next === undefined) break;
    // prefer -> plaintext only when the server has no TLS; allow -> TLS only when the server refused plaintext.
    if (attempts[i] !== false && !/does not support SSL/i.test(msg)) break;
    if (attempts[i] === false && !(code === '28000' && /no encryption|SSL off/i.test(msg))) break;
  }
  return fail(describeError(lastErr, target));
}

async function connectOnce(target: Target, ssl: TlsAttempt, viaStartup: boolean, applicationName: string):
  Promise<{ ok: true; value: Connection } | { ok: false; error: unknown }> {
  const password = targetPassword(target);
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    password: async () => {
      if (password === undefined) {
        throw new MissingPasswordError(`the server asks for a password for user "${target.user}" and none was found ` +
          '(URL, PGPASSWORD, service file or ~/.pgpass)');
      }
      return password;
    },
    ssl: ssl as pg.ClientConfig['ssl'],
    application_name: applicationName,
    ...(viaStartup ? { options: startupOptions() } : {}),
    connectionTimeoutMillis: target.connectTimeoutSeconds * 1000,
    query_timeout: CLIENT_QUERY_TIMEOUT_MS,
    keepAlive: true,
  });
  let broken = false;
  let named = true;
  let connectError: unknown;
  client.on('error', (e) => { broken = true; connectError ??= e; });
  try {
    await client.connect();
    if (!viaStartup) await client.query(setStatements());
    const r = await client.query<{ pid: number; tls: boolean | null }>(
      'SELECT pg_backend_pid() AS pid, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS tls');
    const conn: Connection = {
      client: {
        query: async <R>(text: string, values?: unknown[]) => {
          try {
            // Named statements: the catalog queries are planned once per connection, not at every refresh (planning
            // them costs as much as running them). Proxies that lose prepared statements get unnamed ones instead.
            const name = named ? `pgpf_${createHash('sha1').update(text).digest('hex').slice(0, 16)}` : undefined;
            try {
              const res = await client.query({ text, values: values as unknown[], ...(name ? { name } : {}) });
              return { rows: res.rows as R[] };
            } catch (e) {
              if (!name || (e as { code?: string }).code !== '26000') throw e;
              named = false;
              const res = await client.query(text, values as unknown[]);
              return { rows: res.rows as R[] };
            }
          } catch (e) {
            // No SQLSTATE: the socket broke or the client-side timeout fired while the server may still be busy with
            // the query. Either way this connection is done; the session opens a new one next time.
            const code = (e as { code?: string })?.code;
            if (!code || !/^[0-9A-Z]{5}$/.test(code) || /^(08|57P0)/.test(code)) broken = true;
            throw e;
          }
        },
      },
      target,
      pid: r.rows[0].pid,
      tls: !!r.rows[0].tls,
      get broken() { return broken; },
      async close() {
        broken = true;
        // end() waits for the server to close the socket; a server that stopped answering must not hold us up.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          client.end().catch(() => undefined),
          new Promise<void>((res) => { timer = setTimeout(() => { destroySocket(client); res(); }, 1000); }),
        ]);
        clearTimeout(timer);
      },
    };
    return { ok: true, value: conn };
  } catch (e) {
    await client.end().catch(() => undefined);
    return { ok: false, error: e ?? connectError };
  }
}
