// Typed access to the `pgPreflight.*` settings (vscode-eslint's $shared/settings). Defaults live only in the manifest
// (package.json `contributes.configuration`); the getters here coerce what a user may have mistyped.
//
// Nothing here changes findings: rule severities, the runner, the PostgreSQL version and the schema come only from
// `.pgpreflight.json`, which the CLI reads too, so the editor and `pg-preflight lint` always agree.
import * as vscode from 'vscode';

export const SECTION = 'pgPreflight';

export type LintRun = 'onType' | 'onSave';

export interface TargetSetting {
  name: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  sslmode?: string;
  url?: string;
  readOnly: boolean;
  scratch: boolean;
}

function from<T>(value: unknown, isValid: (v: unknown) => v is T, fallback: T): T {
  return isValid(value) ? value : fallback;
}
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isRun = (v: unknown): v is LintRun => v === 'onType' || v === 'onSave';

export class Settings {
  constructor(private readonly scope?: vscode.ConfigurationScope) {}

  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION, this.scope);
  }

  get lintRun(): LintRun { return from(this.cfg.get('lint.run'), isRun, 'onType'); }
  get debounceMs(): number { return Math.min(5000, from(this.cfg.get('lint.debounceMs'), isNonNegative, 75)); }
  get inlineLocks(): boolean { return from(this.cfg.get('inlineLocks.enabled'), isBool, true); }
  get migrationGlobs(): string[] { return from(this.cfg.get('migrationGlobs'), isStringArray, []).filter((g) => g.trim() !== ''); }
  get targets(): TargetSetting[] {
    const raw = this.cfg.get<unknown[]>('targets');
    if (!Array.isArray(raw)) return [];
    const out: TargetSetting[] = [];
    for (const t of raw) {
      if (!t || typeof t !== 'object') continue;
      const o = t as Record<string, unknown>;
      const name = typeof o.name === 'string' && o.name ? o.name : typeof o.url === 'string' ? redactUrl(o.url) : `${o.host ?? 'localhost'}/${o.database ?? ''}`;
      out.push({
        name,
        host: typeof o.host === 'string' ? o.host : undefined,
        port: typeof o.port === 'number' ? o.port : undefined,
        database: typeof o.database === 'string' ? o.database : undefined,
        user: typeof o.user === 'string' ? o.user : undefined,
        sslmode: typeof o.sslmode === 'string' ? o.sslmode : undefined,
        url: typeof o.url === 'string' ? o.url : undefined,
        readOnly: o.readOnly !== false,
        scratch: o.scratch === true,
      });
    }
    return out;
  }
}

export function settings(scope?: vscode.ConfigurationScope): Settings {
  return new Settings(scope);
}

/** A connection URL with any password removed, safe to show and to store. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    return u.toString().replace(/:@/, '@');
  } catch {
    return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1@');
  }
}
