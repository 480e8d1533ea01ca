import { defineRule } from '../rule.js';
import { addColumnAnalysis } from '../lockmodel.js';
import { alterTable, clauseEnd, clauseRange, columnConstraints, findIn, ident, isNewRelation, isNoOpAddColumn, offsetOf, rangeBetween } from './utils/group-a.js';

export default defineRule({
  id: 'ban-add-generated-stored-column',
  summary: 'Ban adding a STORED generated column to an existing table, which rewrites it',
  category: 'rewrite',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    storedGeneratedColumn: 'ADD COLUMN {{column}} GENERATED ALWAYS AS (…) STORED computes the value for every existing row: it rewrites {{table}} under ACCESS EXCLUSIVE, so reads and writes on it wait for the whole rewrite, and every index is rebuilt.',
  },
  help: 'Add a plain nullable column instead, fill it for new rows with a trigger (or in the application), and backfill existing rows in batches. On PostgreSQL 18 a VIRTUAL generated column is computed when read and needs no rewrite (it cannot be indexed, and may only call built-in immutable functions).',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    for (const cmd of at.cmds) {
      if (cmd.subtype !== 'AT_AddColumn' || !cmd.def?.ColumnDef || isNoOpAddColumn(ctx, at.table, cmd)) continue;
      const def = cmd.def.ColumnDef;
      // libpg_query (PostgreSQL 18 grammar) marks GENERATED ALWAYS AS (…) without a keyword as virtual, like PostgreSQL 18.
      if (addColumnAnalysis(def, ctx).generated !== 'stored') continue;
      const gen = columnConstraints(def).find((c) => c.contype === 'CONSTR_GENERATED');
      const from = offsetOf(ctx, gen?.location);
      // STORED follows the parenthesised expression (which may itself contain the word).
      const open = gen ? ctx.stmt.text.indexOf('(', from) : -1;
      const stored = open >= 0 ? findIn(ctx, '\\bstored\\b', clauseEnd(ctx.stmt.text, open + 1)) : undefined;
      const range = stored ? rangeBetween(ctx, from, stored[1]) : clauseRange(ctx, def.location);
      ctx.report('storedGeneratedColumn', { column: ident(def.colname), table: at.table }, {
        range,
        fix: stored && ctx.pgVersion >= 18 ? {
          title: 'Make it a VIRTUAL generated column (computed on read: no rewrite, but it cannot be indexed)',
          edits: [ctx.edit(stored[0], stored[1], 'VIRTUAL')],
          isPreferred: false,
        } : undefined,
      });
    }
  },
});
