// Relation names the way PostgreSQL prints a regclass: schema-qualified, each part quoted only when it must be.
import type { Node } from './parse.js';

const KEYWORDS_NEEDING_QUOTES = new Set([
  // Reserved keywords (PostgreSQL Appendix C, "reserved"); quote_ident quotes these.
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time',
  'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except',
  'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into',
  'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order',
  'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user',
  'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window',
  'with',
]);

export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !KEYWORDS_NEEDING_QUOTES.has(name)) return name;
  return '"' + name.replace(/"/g, '""') + '"';
}

export function qualify(schema: string, name: string): string {
  return quoteIdent(schema) + '.' + quoteIdent(name);
}

export const DEFAULT_SCHEMA = 'public';

/** A RangeVar node → its qualified name. Unqualified names resolve to `public` (the default search_path). */
export function rangeVarName(rv: Node | undefined): string | undefined {
  if (!rv || typeof rv.relname !== 'string') return undefined;
  return qualify(rv.schemaname ?? DEFAULT_SCHEMA, rv.relname);
}

export function isTempRangeVar(rv: Node | undefined): boolean {
  return rv?.relpersistence === 't' || rv?.schemaname === 'pg_temp';
}

/** A list of String nodes (as in DropStmt objects, TypeName names) → plain strings. */
export function stringList(list: Node[] | undefined): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => n?.String?.sval ?? n?.sval ?? '').filter((s) => s !== '');
}

/** Qualified name from a list like ['schema', 'name'] or ['name']. */
export function qualifyList(parts: string[]): string {
  if (parts.length >= 2) return qualify(parts[parts.length - 2], parts[parts.length - 1]);
  return qualify(DEFAULT_SCHEMA, parts[0] ?? '');
}
