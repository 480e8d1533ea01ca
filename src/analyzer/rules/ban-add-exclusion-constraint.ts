import { defineRule } from '../rule.js';
import { alterTable, clauseRange, ident, isNewRelation } from './utils/group-a.js';

export default defineRule({
  id: 'ban-add-exclusion-constraint',
  summary: 'Ban adding an EXCLUDE constraint to an existing table',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    buildsIndex: 'ADD {{name}}EXCLUDE builds its index on {{table}} while holding ACCESS EXCLUSIVE: reads and writes on it wait for the whole build and check, and there is no concurrent way to add an exclusion constraint.',
  },
  help: 'Declare exclusion constraints when the table is created. For an existing busy table, create a new table with the constraint, copy the rows over in batches (keeping it in sync with a trigger) and swap the names in a short transaction; for a small table, run the statement with a short lock_timeout in a quiet window.',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    for (const cmd of at.cmds) {
      const con = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
      if (con?.contype !== 'CONSTR_EXCLUSION') continue;
      ctx.report('buildsIndex', { table: at.table, name: con.conname ? `CONSTRAINT ${ident(con.conname)} ` : '' }, { range: clauseRange(ctx, con.location) });
    }
  },
});
