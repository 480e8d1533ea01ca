import { defineRule } from '../rule.js';
import { qualifyList, stringList } from '../names.js';

// An enum sorts by the order of its values, not alphabetically: ADD VALUE without BEFORE/AFTER puts the new value
// last, which decides every ORDER BY, min()/max() and < comparison on the type (squawk's require-enum-value-ordering).
export default defineRule({
  id: 'require-enum-value-ordering',
  summary: 'Require BEFORE or AFTER when adding a value to an enum',
  category: 'types',
  defaultSeverity: 'info',
  kinds: ['AlterEnumStmt'],
  messages: {
    unorderedEnumValue:
      "ALTER TYPE {{type}} ADD VALUE '{{value}}' without BEFORE or AFTER appends it after every existing value: ORDER BY, min()/max() and comparisons (<, >) on {{type}} columns sort it last{{last}}.",
  },
  help: "Say where the value belongs in the sort order: ADD VALUE '{{value}}' BEFORE '…' or AFTER '…'{{suggestion}}.",
  check(ctx) {
    if (ctx.kind !== 'AlterEnumStmt') return;
    const n = ctx.node;
    if (!n.newVal || n.oldVal || n.newValNeighbor) return;
    const type = qualifyList(stringList(n.typeName));
    const values = ctx.schema.getType(type)?.values ?? [];
    const lastValue = values[values.length - 1];
    const q = (s: string) => s.replace(/'/g, "''");
    ctx.report('unorderedEnumValue', {
      type, value: q(n.newVal),
      last: lastValue !== undefined ? `, after '${q(lastValue)}'` : '',
      suggestion: lastValue !== undefined ? ` (AFTER '${q(lastValue)}' if last is really meant)` : '',
    }, { range: ctx.rangeOf(/\badd\s+value\b/i) ?? ctx.stmt.range });
  },
});
