import { defineRule } from '../rule.js';
import { columnLabel, columnTypes, typeLabel, typeRange, statementEdit } from './utils/group-c.js';

// timestamp without time zone drops the offset of every value written to it: 21:11+02 and 21:11-06 are stored as
// the same instant. timestamptz stores UTC and converts with the session's TimeZone.
export default defineRule({
  id: 'prefer-timestamptz',
  summary: 'Prefer timestamptz to timestamp without time zone',
  category: 'types',
  defaultSeverity: 'info',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  messages: {
    timestampColumn:
      '{{column}} is {{type}}: it drops the UTC offset of every value written to it, so 2019-10-11 21:11:24+02 and 2019-10-11 21:11:24-06, eight hours apart, are stored as the same moment.',
  },
  help: 'Use timestamptz (timestamp with time zone): it stores an absolute instant and converts to the session\'s TimeZone on output. Changing an existing column later rewrites the table unless the session TimeZone is UTC.',
  check(ctx) {
    for (const use of columnTypes(ctx.stmt)) {
      if (use.type !== 'timestamp' || !use.builtin) continue;
      const replacement = 'timestamptz' + (use.typmods.length ? `(${use.typmods[0]})` : '');
      ctx.report('timestampColumn', { column: columnLabel(use), type: typeLabel(ctx.stmt, use) }, {
        range: typeRange(ctx.file, ctx.stmt, use),
        fix: use.span ? {
          title: `Change the type to ${replacement}`,
          edits: [statementEdit(ctx.file, ctx.stmt, use.span[0], use.span[1], replacement)],
          isPreferred: false,
        } : undefined,
      });
    }
  },
});
