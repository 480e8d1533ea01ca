import rule from '../../../../src/analyzer/rules/ban-validate-in-same-transaction.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: `CREATE TABLE authors (id bigint PRIMARY KEY);
    CREATE TABLE articles (id bigint PRIMARY KEY, author_id bigint, price numeric, CONSTRAINT old_check CHECK (price >= 0) NOT VALID, CONSTRAINT ok_check CHECK (id > 0));
    CREATE SCHEMA "Shop"; CREATE TABLE "Shop"."Orders" ("Total" numeric);`,
  valid: [
    { name: 'separate transactions (autocommit)', sql: 'ALTER TABLE articles ADD CONSTRAINT price_positive CHECK (price > 0) NOT VALID;\nALTER TABLE articles VALIDATE CONSTRAINT price_positive;' },
    { name: 'separate explicit transactions', sql: 'BEGIN;\nALTER TABLE articles ADD CONSTRAINT price_positive CHECK (price > 0) NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE articles VALIDATE CONSTRAINT price_positive;\nCOMMIT;' },
    { name: 'validating a constraint added in an earlier migration', sql: 'BEGIN;\nALTER TABLE articles VALIDATE CONSTRAINT old_check;\nCOMMIT;', options: { runner: 'flyway' } },
    { name: 'a weaker lock earlier in the transaction', sql: 'BEGIN;\nALTER TABLE articles SET (fillfactor = 90);\nALTER TABLE articles VALIDATE CONSTRAINT old_check;\nCOMMIT;' },
    { name: 'ACCESS EXCLUSIVE on another table', sql: 'BEGIN;\nALTER TABLE authors ADD COLUMN bio text;\nALTER TABLE articles VALIDATE CONSTRAINT old_check;\nCOMMIT;' },
    { name: 'an already valid constraint: nothing to scan', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN x int;\nALTER TABLE articles VALIDATE CONSTRAINT ok_check;\nCOMMIT;' },
    { name: 'table created in the same migration', sql: 'BEGIN;\nCREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT a_pos;\nCOMMIT;' },
  ],
  invalid: [
    {
      name: 'CHECK added NOT VALID and validated in one explicit transaction',
      sql: 'BEGIN;\nALTER TABLE articles ADD CONSTRAINT price_positive CHECK (price > 0) NOT VALID;\nALTER TABLE articles VALIDATE CONSTRAINT price_positive;\nCOMMIT;',
      errors: [{
        messageId: 'addedInSameTransaction', line: 3, column: 22,
        message: 'VALIDATE CONSTRAINT price_positive runs in the same transaction as the ADD … NOT VALID on line 2: the ACCESS EXCLUSIVE lock it took on public.articles is still held for the whole validation scan, blocking reads and writes. NOT VALID gained nothing.',
      }],
    },
    {
      name: 'foreign key in the runner\'s transaction; quoted, schema-qualified, mixed case, comments',
      options: { runner: 'flyway' },
      sql: 'alter table "Shop"."Orders" add column "AuthorId" bigint;\nALTER TABLE "Shop"."Orders" ADD CONSTRAINT "Orders_Author_fk" FOREIGN KEY ("AuthorId") REFERENCES authors NOT VALID;\n-- and check the old rows\nAlter Table "Shop"."Orders" Validate Constraint "Orders_Author_fk";',
      errors: [{ messageId: 'addedInSameTransaction', line: 4, column: 29, message: 'VALIDATE CONSTRAINT "Orders_Author_fk" runs in the same transaction as the ADD … NOT VALID on line 2: the SHARE ROW EXCLUSIVE lock it took on "Shop"."Orders" is still held for the whole validation scan, blocking writes (reads still run)' }],
    },
    {
      name: 'in the same statement, even in autocommit',
      sql: 'ALTER TABLE IF EXISTS articles ADD CONSTRAINT price_positive CHECK (price > 0) NOT VALID, VALIDATE CONSTRAINT price_positive;',
      errors: [{ messageId: 'addedInSameTransaction', line: 1, column: 91, message: 'on line 1' }],
    },
    {
      name: 'an earlier ACCESS EXCLUSIVE on the table in the same transaction',
      sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN note text;\nSELECT 1;\nALTER TABLE articles VALIDATE CONSTRAINT old_check;\nCOMMIT;',
      errors: [{ messageId: 'lockHeld', line: 4, message: 'VALIDATE CONSTRAINT old_check runs while this transaction already holds ACCESS EXCLUSIVE on public.articles (line 2)' }],
    },
    {
      name: 'combined with an ACCESS EXCLUSIVE subcommand in one statement',
      sql: 'ALTER TABLE articles ADD COLUMN note text, VALIDATE CONSTRAINT old_check;',
      errors: [{ messageId: 'lockHeld', line: 1, message: '(line 1)' }],
    },
    {
      name: 'table unknown to the schema model', pgVersion: 13,
      sql: 'BEGIN;\nALTER TABLE users ADD CONSTRAINT email_ok CHECK (email <> \'\') NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_ok;\nCOMMIT;',
      errors: [{ messageId: 'addedInSameTransaction', line: 3, message: 'public.users' }],
    },
  ],
});
