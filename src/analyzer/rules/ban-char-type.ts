import { defineRule } from '../rule.js';
import { columnLabel, columnTypes, typeLabel, typeRange, statementEdit } from './utils/group-c.js';

// character(n) pads values with blanks to n characters and ignores trailing blanks in comparisons: values change
// on the way in, LIKE and length() see the padding, and nothing is saved in storage (squawk's ban-char-field).
export default defineRule({
  id: 'ban-char-type',
  summary: 'Ban char(n) and character(n) columns',
  category: 'types',
  defaultSeverity: 'warning',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  messages: {
    charColumn:
      '{{column}} is {{type}}: character(n) blank-pads every value to its length, ignores trailing blanks when comparing but not in LIKE or casts, and saves no space; it is almost always a mistake.',
  },
  help: 'Use text (with a CHECK (char_length(…) = n) constraint if the length is fixed), or varchar(n).',
  check(ctx) {
    for (const use of columnTypes(ctx.stmt)) {
      // The quoted internal type "char" (one byte) is a different type: only bpchar is character(n).
      if (use.rawName !== 'bpchar' || !use.builtin) continue;
      ctx.report('charColumn', { column: columnLabel(use), type: typeLabel(ctx.stmt, use) }, {
        range: typeRange(ctx.file, ctx.stmt, use),
        fix: use.span ? {
          title: 'Change the type to text',
          edits: [statementEdit(ctx.file, ctx.stmt, use.span[0], use.span[1], 'text')],
          isPreferred: false,
        } : undefined,
      });
    }
  },
});
