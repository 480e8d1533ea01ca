import { defineRule } from '../rule.js';
import { columnLabel, columnTypes, typeLabel, typeRange, statementEdit } from './utils/group-c.js';

// squawk's prefer-bigint-over-int and prefer-bigint-over-smallint: ids and counters outgrow 32 bits, and widening
// a column later is an ALTER COLUMN TYPE that rewrites the table (and every index on it) under ACCESS EXCLUSIVE.
export default defineRule({
  id: 'prefer-bigint',
  summary: 'Prefer bigint to integer and smallint columns',
  category: 'types',
  defaultSeverity: 'info',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  messages: {
    intColumn:
      '{{column}} is {{type}} (32-bit, at most 2,147,483,647): ids and counters outgrow it, and widening it later rewrites {{table}} and its indexes under ACCESS EXCLUSIVE.',
    smallintColumn:
      '{{column}} is {{type}} (16-bit, at most 32,767): it overflows easily, and widening it later rewrites {{table}} and its indexes under ACCESS EXCLUSIVE.',
  },
  help: 'Use bigint: it costs 4 more bytes per row (often none, after alignment padding) and never needs a rewrite to widen.',
  check(ctx) {
    for (const use of columnTypes(ctx.stmt)) {
      if (!use.builtin) continue;
      const messageId = use.type === 'int4' ? 'intColumn' : use.type === 'int2' ? 'smallintColumn' : undefined;
      if (!messageId) continue;
      ctx.report(messageId, { column: columnLabel(use), type: typeLabel(ctx.stmt, use), table: use.table }, {
        range: typeRange(ctx.file, ctx.stmt, use),
        fix: use.span ? {
          title: 'Change the type to bigint',
          edits: [statementEdit(ctx.file, ctx.stmt, use.span[0], use.span[1], 'bigint')],
          isPreferred: false,
        } : undefined,
      });
    }
  },
});
