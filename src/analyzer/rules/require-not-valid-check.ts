import { defineRule } from '../rule.js';
import { alterTable, clauseEnd, ident, isNewRelation, offsetOf, rangeBetween } from './utils/group-a.js';

export default defineRule({
  id: 'require-not-valid-check',
  summary: 'Require NOT VALID when adding a CHECK constraint to an existing table',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    scansTable: 'ADD CONSTRAINT {{name}}CHECK checks every row of {{table}} while holding ACCESS EXCLUSIVE: reads and writes on it wait until the scan ends.',
  },
  help: 'Add it with NOT VALID (a brief ACCESS EXCLUSIVE, no scan; new and updated rows are checked at once), then run ALTER TABLE {{table}} VALIDATE CONSTRAINT {{validate}} in a separate transaction: it takes SHARE UPDATE EXCLUSIVE, so reads and writes go on while it scans.',
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    for (const cmd of at.cmds) {
      const con = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
      // NOT VALID and NOT ENFORCED (PostgreSQL 18) both arrive as skip_validation: neither scans.
      if (con?.contype !== 'CONSTR_CHECK' || con.skip_validation) continue;
      const from = offsetOf(ctx, con.location);
      const end = clauseEnd(ctx.stmt.text, from);
      ctx.report('scansTable', {
        table: at.table,
        name: con.conname ? `${ident(con.conname)} ` : '',
        validate: con.conname ? ident(con.conname) : '<name> (name the constraint so you can validate it)',
      }, {
        range: rangeBetween(ctx, from, end),
        fix: {
          title: 'Add NOT VALID (then VALIDATE CONSTRAINT in a separate transaction)',
          edits: [ctx.edit(end, end, ' NOT VALID')],
          isPreferred: false,
        },
      });
    }
  },
});
