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

/** /^[a-z_][a-z0-9_$]*$/.test(name), without a RegExp (this runs for every relation name of every statement). */
function isPlainIdent(name: string): boolean {
  if (typeof name !== 'string') return /^[a-z_][a-z0-9_$]*$/.test(name); // as before for a value that is not a string
  const n = name.length;
  if (n === 0) return false;
  let c = name.charCodeAt(0);
  if (!((c >= 97 && c <= 122) || c === 95)) return false;
  for (let i = 1; i < n; i++) {
    c = name.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 36)) return false;
  }
  return true;
}

export function quoteIdent(name: string): string {
  if (isPlainIdent(name) && !KEYWORDS_NEEDING_QUOTES.has(name)) return name;
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

/** PostgreSQL's NAMEDATALEN - 1: identifiers longer than this are truncated. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Truncates an identifier to 63 bytes the way PostgreSQL does (never splitting a UTF-8 character). */
export function truncateIdentifier(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES) return name;
  let out = '';
  let bytes = 0;
  for (const ch of name) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > MAX_IDENTIFIER_BYTES) break;
    out += ch; bytes += n;
  }
  return out;
}

/**
 * makeObjectName() of src/backend/commands/indexcmds.c: name1_name2_label, shortening name1 and name2 (the longer
 * one first) so that the whole fits in 63 bytes. Used for every name PostgreSQL generates: indexes, constraints,
 * identity / serial sequences.
 */
export function makeObjectName(name1: string, name2: string | undefined, label: string | undefined): string {
  const overhead = (name2 !== undefined ? 1 : 0) + (label ? Buffer.byteLength(label, 'utf8') + 1 : 0);
  let n1 = [...name1];
  let n2 = name2 ? [...name2] : [];
  const bytes = (cs: string[]) => Buffer.byteLength(cs.join(''), 'utf8');
  const avail = MAX_IDENTIFIER_BYTES - overhead;
  while (bytes(n1) + bytes(n2) > avail) {
    if (bytes(n1) > bytes(n2)) n1 = n1.slice(0, -1); else n2 = n2.slice(0, -1);
  }
  let name = n1.join('');
  if (name2 !== undefined) name += '_' + n2.join('');
  if (label) name += '_' + label;
  return name;
}

/**
 * ChooseRelationName(): makeObjectName(), then label1, label2 … until the name is free (`taken` says whether a
 * name is already used in the schema).
 */
export function chooseName(name1: string, name2: string | undefined, label: string, taken: (name: string) => boolean): string {
  let name = makeObjectName(name1, name2, label);
  for (let pass = 1; taken(name) && pass < 1000; pass++) name = makeObjectName(name1, name2, `${label}${pass}`);
  return name;
}

/**
 * The relation a regclass literal names ('seq', 'schema.seq', '"Mixed"'): unquoted parts fold to lower case,
 * an unqualified name resolves to `public`.
 */
export function regclassLiteral(text: string): string | undefined {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    if (s[i] === '"') {
      let j = i + 1, part = '';
      while (j < s.length) {
        if (s[j] === '"') { if (s[j + 1] === '"') { part += '"'; j += 2; continue; } break; }
        part += s[j++];
      }
      parts.push(part);
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && s[j] !== '.') j++;
      parts.push(s.slice(i, j).trim().toLowerCase());
      i = j;
    }
    if (s[i] === '.') i++;
    else if (i < s.length) return undefined;
  }
  if (parts.length === 0 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  return qualifyList(parts.slice(-2));
}
