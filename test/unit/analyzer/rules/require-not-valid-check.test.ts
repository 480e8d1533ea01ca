import rule from '../../../../src/analyzer/rules/require-not-valid-check.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, price numeric, qty int); CREATE SCHEMA "Shop"; CREATE TABLE "Shop"."Orders" ("Total" numeric);',
  valid: [
    { name: 'NOT VALID', sql: 'ALTER TABLE articles ADD CONSTRAINT price_positive CHECK (price > 0) NOT VALID;' },
    { name: 'VALIDATE CONSTRAINT', sql: 'ALTER TABLE articles VALIDATE CONSTRAINT price_positive;' },
    { name: 'NOT ENFORCED (PostgreSQL 18)', sql: 'ALTER TABLE articles ADD CONSTRAINT price_positive CHECK (price > 0) NOT ENFORCED;', pgVersion: 18 },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0);' },
    { name: 'CHECK in CREATE TABLE', sql: 'CREATE TABLE t (a int CHECK (a > 0));' },
    { name: 'other constraints are other rules\'', sql: 'ALTER TABLE articles ADD CONSTRAINT u UNIQUE (qty);' },
  ],
  invalid: [
    {
      name: 'named CHECK',
      sql: 'ALTER TABLE articles ADD CONSTRAINT price_positive CHECK (price > 0);',
      errors: [{
        messageId: 'scansTable', line: 1, column: 26,
        message: 'ADD CONSTRAINT price_positive CHECK checks every row of public.articles while holding ACCESS EXCLUSIVE: reads and writes on it wait',
        output: 'ALTER TABLE articles ADD CONSTRAINT price_positive CHECK (price > 0) NOT VALID;',
      }],
    },
    {
      name: 'unnamed CHECK, quoted, schema-qualified, mixed case, a comment before the semicolon',
      sql: 'alter table "Shop"."Orders" add check ("Total" >= 0) /* money */;',
      errors: [{ messageId: 'scansTable', message: 'ADD CONSTRAINT CHECK checks every row of "Shop"."Orders"', output: 'alter table "Shop"."Orders" add check ("Total" >= 0) NOT VALID /* money */;' }],
    },
    {
      name: 'two CHECKs in one statement, one NOT VALID; a comma inside the expression and a string with a parenthesis',
      sql: "ALTER TABLE articles\n  ADD CONSTRAINT a CHECK (price > 0) NOT VALID,\n  ADD CONSTRAINT b CHECK (qty BETWEEN 0 AND 100 AND coalesce(price, 0) < 1e9 AND 'x)' <> ''),\n  ADD COLUMN note text;",
      errors: [{
        messageId: 'scansTable', line: 3, column: 7, message: 'ADD CONSTRAINT b CHECK',
        output: "ALTER TABLE articles\n  ADD CONSTRAINT a CHECK (price > 0) NOT VALID,\n  ADD CONSTRAINT b CHECK (qty BETWEEN 0 AND 100 AND coalesce(price, 0) < 1e9 AND 'x)' <> '') NOT VALID,\n  ADD COLUMN note text;",
      }],
    },
    {
      name: 'explicit transaction, comments, IF EXISTS, NO INHERIT',
      sql: 'BEGIN;\n-- guard\nALTER TABLE IF EXISTS ONLY articles ADD CONSTRAINT qty_ok CHECK (qty >= 0) NO INHERIT; -- sic\nCOMMIT;',
      errors: [{ messageId: 'scansTable', line: 3, output: 'BEGIN;\n-- guard\nALTER TABLE IF EXISTS ONLY articles ADD CONSTRAINT qty_ok CHECK (qty >= 0) NO INHERIT NOT VALID; -- sic\nCOMMIT;' }],
    },
    {
      name: 'table unknown to the schema model still warns', pgVersion: 13,
      sql: 'ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email));',
      errors: [{ messageId: 'scansTable', message: 'public.users', output: 'ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;' }],
    },
  ],
});
