import rule from '../../../../src/analyzer/rules/require-enum-value-ordering.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE SCHEMA app; CREATE TYPE app.\"Status\" AS ENUM ('new', 'done');",
  valid: [
    { name: 'AFTER', sql: "ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad';" },
    { name: 'BEFORE, IF NOT EXISTS', sql: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok';" },
    { name: 'RENAME VALUE does not move it', sql: "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';" },
    { name: 'a new enum lists its order', sql: "CREATE TYPE level AS ENUM ('low', 'high');" },
    { name: 'PostgreSQL 13: ordered', pgVersion: 13, sql: "ALTER TYPE app.\"Status\" ADD VALUE 'doing' BEFORE 'done';" },
  ],
  invalid: [
    {
      name: 'ADD VALUE without a position: the known last value is named',
      sql: "ALTER TYPE mood ADD VALUE 'ecstatic';",
      errors: [{ messageId: 'unorderedEnumValue', line: 1, column: 17, message: "ALTER TYPE public.mood ADD VALUE 'ecstatic' without BEFORE or AFTER appends it after every existing value: ORDER BY, min()/max() and comparisons (<, >) on public.mood columns sort it last, after 'happy'." }],
    },
    {
      name: 'quoted schema-qualified type, IF NOT EXISTS, explicit BEGIN, comment (PostgreSQL 18)',
      pgVersion: 18,
      sql: "BEGIN;\n-- add a state\nALTER TYPE app.\"Status\" ADD VALUE IF NOT EXISTS 'doing';\nCOMMIT;",
      errors: [{ messageId: 'unorderedEnumValue', line: 3, message: "app.\"Status\" ADD VALUE 'doing'" }],
    },
    {
      name: 'unknown enum and an enum created in the same migration, mixed case (PostgreSQL 13)',
      pgVersion: 13,
      sql: "alter type Public.Color add value 'red';\nCREATE TYPE size AS ENUM ('s');\nALTER TYPE size ADD VALUE 'm';",
      errors: [
        { messageId: 'unorderedEnumValue', line: 1, message: 'public.color columns sort it last.' },
        { messageId: 'unorderedEnumValue', line: 3, message: "sort it last, after 's'" },
      ],
    },
  ],
});
