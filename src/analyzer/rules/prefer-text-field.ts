import { defineRule } from '../rule.js';
import { quoteIdent } from '../names.js';
import { columnLabel, columnTypes, typeLabel, typeRange, statementEdit } from './utils/group-c.js';

// squawk's prefer-text-field: a length limit kept in the type can only change with ALTER COLUMN TYPE (ACCESS
// EXCLUSIVE; lowering it rewrites the table, raising it is metadata-only). A CHECK constraint can be replaced with
// ADD CONSTRAINT … NOT VALID + VALIDATE CONSTRAINT, which never rewrites and validates without blocking writes.
export default defineRule({
  id: 'prefer-text-field',
  summary: 'Prefer text with a CHECK constraint to varchar(n)',
  category: 'types',
  defaultSeverity: 'hint',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  messages: {
    varcharColumn:
      '{{column}} is {{type}}: the limit lives in the column type, so changing it later is an ALTER COLUMN TYPE under ACCESS EXCLUSIVE, and lowering it rewrites {{table}}; a CHECK constraint on a text column can be swapped with NOT VALID + VALIDATE CONSTRAINT, which never rewrites.',
  },
  help: 'Use text with CHECK (char_length({{name}}) <= {{limit}}). On an existing table, add the column as text and the constraint with ALTER TABLE … ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT in a later transaction.',
  check(ctx) {
    for (const use of columnTypes(ctx.stmt)) {
      if (use.type !== 'varchar' || !use.builtin || use.typmods.length === 0) continue;
      const name = quoteIdent(use.column);
      const limit = use.typmods[0];
      // In CREATE TABLE the CHECK can go on the column: the table is empty. Elsewhere it would validate every row
      // under ACCESS EXCLUSIVE, so the fix only changes the type and the help says how to add the constraint.
      const replacement = use.context === 'create' && !use.isArray ? `text CHECK (char_length(${name}) <= ${limit})` : 'text';
      ctx.report('varcharColumn', { column: columnLabel(use), type: typeLabel(ctx.stmt, use), table: use.table, name, limit }, {
        range: typeRange(ctx.file, ctx.stmt, use),
        fix: use.span ? {
          title: replacement === 'text' ? 'Change the type to text' : `Change the type to text with CHECK (char_length(${name}) <= ${limit})`,
          edits: [statementEdit(ctx.file, ctx.stmt, use.span[0], use.span[1], replacement)],
          isPreferred: false,
        } : undefined,
      });
    }
  },
});
