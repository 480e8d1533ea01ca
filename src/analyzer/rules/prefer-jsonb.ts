import { defineRule } from '../rule.js';
import { columnLabel, columnTypes, typeLabel, typeRange, statementEdit } from './utils/group-c.js';

// json stores the input text and re-parses it on every access; it has no equality operator, so DISTINCT, GROUP BY,
// UNION and = fail on it, and it cannot be indexed with GIN (eugene E3, strong_migrations).
export default defineRule({
  id: 'prefer-jsonb',
  summary: 'Prefer jsonb to json for new and changed columns',
  category: 'types',
  defaultSeverity: 'warning',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  messages: {
    jsonColumn:
      '{{column}} is {{type}}: json keeps the raw text and re-parses it on every access, has no equality operator (SELECT DISTINCT, GROUP BY, UNION and = on it fail, including existing queries that select the whole row) and cannot be indexed with GIN.',
  },
  help: 'Use jsonb. It drops duplicate keys and does not keep key order or whitespace; keep json only if the exact input text matters.',
  check(ctx) {
    for (const use of columnTypes(ctx.stmt)) {
      if (use.rawName !== 'json' || !use.builtin) continue;
      ctx.report('jsonColumn', { column: columnLabel(use), type: typeLabel(ctx.stmt, use) }, {
        range: typeRange(ctx.file, ctx.stmt, use),
        fix: use.span ? {
          title: 'Change the type to jsonb',
          edits: [statementEdit(ctx.file, ctx.stmt, use.span[0], use.span[1], 'jsonb')],
          isPreferred: false,
        } : undefined,
      });
    }
  },
});
