import { defineRule } from '../rule.js';
import { typeChangeRewrites } from '../lockmodel.js';
import { alterColumnRange, alterTable, columnTypeText, ident, isNewRelation, writtenType } from './utils/group-a.js';

export default defineRule({
  id: 'ban-alter-column-type',
  summary: 'Ban ALTER COLUMN TYPE changes that rewrite the table',
  category: 'rewrite',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    rewritesTable: 'ALTER COLUMN {{column}} TYPE {{type}}{{from}} rewrites {{table}} under ACCESS EXCLUSIVE: reads and writes on it block for the whole rewrite, and every index on it is rebuilt. While it waits for the lock, every new query on {{table}} queues behind it.',
    mayRewriteTable: 'ALTER COLUMN {{column}} TYPE {{type}} may rewrite {{table}}: pg-preflight does not know the column\'s current type. Unless the change is binary-coercible, it takes ACCESS EXCLUSIVE, reads and writes block for the whole rewrite, and every index on it is rebuilt.',
  },
  help: 'Add a new column of the new type, keep it in sync (a trigger or dual writes), backfill it in batches, then swap the columns in a short transaction and drop the old one. Changes that need no rewrite: varchar(n) → varchar(m ≥ n) or text, dropping a length limit, numeric(p,s) → numeric(q ≥ p, s).',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    for (const cmd of at.cmds) {
      if (cmd.subtype !== 'AT_AlterColumnType') continue;
      const def = cmd.def?.ColumnDef;
      const col = ctx.schema.column(at.table, cmd.name);
      const verdict = typeChangeRewrites(col, def, ctx.pgVersion);
      if (verdict === 'no') continue;
      const data = { column: ident(cmd.name), table: at.table, type: writtenType(ctx, def?.typeName), from: col ? ` (from ${columnTypeText(col)})` : '' };
      const range = alterColumnRange(ctx, cmd.name, '(?:set\\s+data\\s+)?type\\b');
      ctx.report(verdict === 'yes' ? 'rewritesTable' : 'mayRewriteTable', data, { range });
    }
  },
});
