import rule from '../../../../src/analyzer/rules/ban-drop-database.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE SCHEMA billing; CREATE TABLE billing.invoices (id bigint); CREATE TABLE billing."Payments" (id bigint); CREATE SCHEMA "Old";',
  valid: [
    { name: 'DROP SCHEMA without CASCADE fails on a non-empty schema instead', sql: 'DROP SCHEMA IF EXISTS billing;' },
    { name: 'schema created in the same migration', sql: 'CREATE SCHEMA scratch;\nCREATE TABLE scratch.t (a int);\nDROP SCHEMA scratch CASCADE;' },
    { name: 'dropping a table', sql: 'DROP TABLE IF EXISTS billing.invoices;' },
  ],
  invalid: [
    {
      name: 'DROP DATABASE',
      sql: 'DROP DATABASE analytics;',
      errors: [{ messageId: 'dropDatabase', line: 1, column: 1, message: 'DROP DATABASE analytics' }],
    },
    {
      name: 'DROP DATABASE IF EXISTS … WITH (FORCE), quoted, after a comment',
      sql: '-- reset\nDROP DATABASE IF EXISTS "Analytics" WITH (FORCE);',
      errors: [{ messageId: 'dropDatabase', line: 2, message: 'terminates their connections' }],
    },
    {
      name: 'DROP SCHEMA … CASCADE names the tables it takes down',
      sql: 'BEGIN;\ndrop schema Billing cascade;\nCOMMIT;', pgVersion: 13,
      errors: [{ messageId: 'dropSchemaCascade', line: 2, message: 'billing.invoices and billing."Payments"' }],
    },
    {
      name: 'several schemas, one unknown to the model',
      sql: 'SELECT 1;\nDROP SCHEMA IF EXISTS "Old", legacy CASCADE;', pgVersion: 18,
      errors: [
        { messageId: 'dropSchemaCascade', line: 2, message: '"Old" CASCADE drops every object in it (the schema model knows none of its tables)' },
        { messageId: 'dropSchemaCascade', line: 2, message: 'legacy' },
      ],
    },
  ],
});
