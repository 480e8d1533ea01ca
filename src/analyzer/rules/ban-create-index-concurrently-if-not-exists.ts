import { defineRule } from '../rule.js';
import { qualify, rangeVarName } from '../names.js';

export default defineRule({
  id: 'ban-create-index-concurrently-if-not-exists',
  summary: 'Ban CREATE INDEX CONCURRENTLY IF NOT EXISTS, which silently keeps an invalid index',
  category: 'robustness',
  defaultSeverity: 'warning',
  kinds: ['IndexStmt'],
  messages: {
    keepsInvalidIndex: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS {{index}} on {{table}}: if an earlier run failed or was cancelled, it left an INVALID index named {{index}}, and IF NOT EXISTS keeps it without a word. Queries never use an invalid index, yet every INSERT, UPDATE and DELETE on {{table}} still maintains it.',
  },
  help: 'Drop a leftover first and build without IF NOT EXISTS: DROP INDEX CONCURRENTLY IF EXISTS {{index}}; then CREATE INDEX CONCURRENTLY {{index}} …; then check SELECT indisvalid FROM pg_index WHERE indexrelid = \'{{index}}\'::regclass before relying on it (or before dropping an index it replaces).',
  check(ctx) {
    if (ctx.kind !== 'IndexStmt' || !ctx.node.concurrent || !ctx.node.if_not_exists || !ctx.node.idxname) return;
    const table = rangeVarName(ctx.node.relation);
    if (!table) return;
    // A rerun cannot reach this statement when the table is created earlier in the same migration.
    if (ctx.schema.get(table)?.createdInMigration) return;
    const index = qualify(ctx.node.relation.schemaname ?? 'public', ctx.node.idxname);
    const range = ctx.rangeOf(/\bif\s+not\s+exists\b/i) ?? ctx.stmt.range;
    // The rewrite adds a statement; it is offered only when each statement runs on its own (no transaction), since
    // both are non-transactional.
    const m = /\s+if\s+not\s+exists\b/i.exec(ctx.stmt.text);
    const canFix = !!m && !ctx.stmt.inTransaction && ctx.file.implicitTransaction === 'none';
    ctx.report('keepsInvalidIndex', { index, table }, {
      range,
      fix: canFix ? {
        title: 'Drop a leftover invalid index first, then build without IF NOT EXISTS',
        edits: [
          ctx.edit(0, 0, `DROP INDEX CONCURRENTLY IF EXISTS ${index};\n`),
          ctx.edit(m!.index, m!.index + m![0].length, ''),
        ],
        isPreferred: false,
      } : undefined,
    });
  },
});
