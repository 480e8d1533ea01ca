// `.pgpreflight.json`: the one place for settings that change findings, read the same way by the CLI and the editor.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import type { Severity } from '../analyzer/types.js';
import { isRunnerName, type RunnerName } from '../analyzer/runners.js';
import { ruleById } from '../analyzer/registry.js';

export const CONFIG_FILE = '.pgpreflight.json';
export const SUPPORTED_PG_VERSIONS = [13, 14, 15, 16, 17, 18] as const;

export interface Config {
  /** Target PostgreSQL major version. */
  pgVersion?: number;
  /** Migration runner preset: decides the implicit transaction. */
  runner?: RunnerName;
  /** Overrides the runner's implicit transaction. */
  assumeInTransaction?: boolean;
  /** The runner or the role already sets lock_timeout / statement_timeout. */
  assumeLockTimeout?: boolean;
  assumeStatementTimeout?: boolean;
  /** Rule id → severity or 'off'. */
  rules?: Record<string, Severity | 'off'>;
  /** Glob patterns (relative to the config file) of paths never linted. */
  exclude?: string[];
  /** A schema dump read before the migrations (pg_dump --schema-only, Rails structure.sql). */
  schema?: string;
  /** Read the earlier migrations of a file's folder into the schema model (default true). */
  useEarlierMigrations?: boolean;
}

export interface LoadedConfig { config: Config; path?: string; dir: string }

export class ConfigError extends Error {}

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint', 'off']);
const KEYS = new Set(['$schema', 'pgVersion', 'runner', 'assumeInTransaction', 'assumeLockTimeout', 'assumeStatementTimeout', 'rules', 'exclude', 'schema', 'useEarlierMigrations']);

/** Validates a parsed config object; throws ConfigError with a one-line message naming the key. */
export function validateConfig(raw: unknown, source: string): Config {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${source}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) throw new ConfigError(`${source}: unknown key "${k}" (known: ${[...KEYS].filter((x) => x !== '$schema').join(', ')})`);
  const c: Config = {};
  if (o.pgVersion !== undefined) {
    const v = Number(o.pgVersion);
    if (!SUPPORTED_PG_VERSIONS.includes(v as 13)) throw new ConfigError(`${source}: pgVersion must be one of ${SUPPORTED_PG_VERSIONS.join(', ')}, got ${JSON.stringify(o.pgVersion)}`);
    c.pgVersion = v;
  }
  if (o.runner !== undefined) {
    if (typeof o.runner !== 'string' || !isRunnerName(o.runner)) throw new ConfigError(`${source}: unknown runner ${JSON.stringify(o.runner)} (psql, flyway, golang-migrate, prisma, node-pg-migrate, rails, django, alembic, sqitch, liquibase)`);
    c.runner = o.runner;
  }
  for (const k of ['assumeInTransaction', 'assumeLockTimeout', 'assumeStatementTimeout', 'useEarlierMigrations'] as const) {
    if (o[k] !== undefined) {
      if (typeof o[k] !== 'boolean') throw new ConfigError(`${source}: ${k} must be true or false`);
      c[k] = o[k] as boolean;
    }
  }
  if (o.rules !== undefined) {
    if (!o.rules || typeof o.rules !== 'object' || Array.isArray(o.rules)) throw new ConfigError(`${source}: rules must be an object of rule id → severity`);
    c.rules = {};
    for (const [id, sev] of Object.entries(o.rules as Record<string, unknown>)) {
      if (!ruleById(id)) throw new ConfigError(`${source}: unknown rule "${id}" (see pg-preflight lint --list-rules)`);
      if (typeof sev !== 'string' || !SEVERITIES.has(sev)) throw new ConfigError(`${source}: rule "${id}" must be error, warning, info, hint or off`);
      c.rules[id] = sev as Severity | 'off';
    }
  }
  if (o.exclude !== undefined) {
    if (!Array.isArray(o.exclude) || o.exclude.some((x) => typeof x !== 'string')) throw new ConfigError(`${source}: exclude must be an array of glob patterns`);
    c.exclude = o.exclude as string[];
  }
  if (o.schema !== undefined) {
    if (typeof o.schema !== 'string') throw new ConfigError(`${source}: schema must be a file path`);
    c.schema = o.schema;
  }
  return c;
}

export function readConfigFile(path: string): LoadedConfig {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new ConfigError(`cannot read config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { throw new ConfigError(`${path}: invalid JSON: ${(e as Error).message}`); }
  const config = validateConfig(raw, path);
  const dir = dirname(resolve(path));
  if (config.schema && !isAbsolute(config.schema)) config.schema = join(dir, config.schema);
  return { config, path: resolve(path), dir };
}

/** Finds .pgpreflight.json in `startDir` or the nearest parent. */
export function findConfig(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (let i = 0; i < 64; i++) {
    const p = join(dir, CONFIG_FILE);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

export function loadConfig(startDir: string, explicit?: string): LoadedConfig {
  if (explicit) return readConfigFile(explicit);
  const found = findConfig(startDir);
  return found ? readConfigFile(found) : { config: {}, dir: resolve(startDir) };
}
