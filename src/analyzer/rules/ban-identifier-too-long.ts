import { defineRule } from '../rule.js';
import type { TextEdit } from '../types.js';
import { clipUtf8, longIdentifiers, statementEdit, statementRange, utf8Length } from './utils/group-c.js';

const NAMEDATALEN_MAX = 63;

// PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes with only a NOTICE: two long names that share their
// first 63 bytes collide, and tools that compare the written name with the catalog never find the object.
export default defineRule({
  id: 'ban-identifier-too-long',
  summary: 'Ban identifiers longer than 63 bytes, which PostgreSQL silently truncates',
  category: 'compatibility',
  defaultSeverity: 'error',
  messages: {
    identifierTooLong:
      'The identifier {{name}} is {{bytes}} bytes long: PostgreSQL silently truncates it to its first 63 bytes ({{truncated}}), so the object gets a different name than the one written, and names that share those 63 bytes collide.',
  },
  help: 'Shorten the name to at most 63 bytes (in UTF-8: a non-ASCII character takes 2 to 4 bytes).',
  check(ctx) {
    const tokens = longIdentifiers(ctx.stmt.text, NAMEDATALEN_MAX);
    const seen = new Set<string>();
    for (const tok of tokens) {
      if (seen.has(tok.value)) continue;
      seen.add(tok.value);
      const truncated = clipUtf8(tok.value, NAMEDATALEN_MAX);
      const written = (t: typeof tok) => (t.quoted ? '"' + clipUtf8(t.value, NAMEDATALEN_MAX).replace(/"/g, '""') + '"' : clipUtf8(ctx.stmt.text.slice(t.start, t.end), NAMEDATALEN_MAX));
      const edits: TextEdit[] = tokens.filter((t) => t.value === tok.value).map((t) => statementEdit(ctx.file, ctx.stmt, t.start, t.end, written(t)));
      const shown = (s: string) => (s.length > 80 ? s.slice(0, 77) + '…' : s);
      ctx.report('identifierTooLong', { name: shown(ctx.stmt.text.slice(tok.start, tok.end)), bytes: utf8Length(tok.value), truncated: shown(truncated) }, {
        range: statementRange(ctx.file, ctx.stmt, tok.start, tok.end),
        fix: { title: 'Write the truncated name PostgreSQL will use', edits, isPreferred: false },
      });
    }
  },
});
