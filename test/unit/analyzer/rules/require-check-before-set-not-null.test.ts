import rule from '../../../../src/analyzer/rules/require-check-before-set-not-null.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: `CREATE TABLE articles (id bigint PRIMARY KEY, title text, body text, author_id bigint NOT NULL,
      CONSTRAINT articles_title_not_null CHECK (title IS NOT NULL), CONSTRAINT articles_body_not_null CHECK (body IS NOT NULL) NOT VALID);
    CREATE SCHEMA "Shop"; CREATE TABLE "Shop"."Orders" ("CustomerId" bigint);
    CREATE TABLE events (id bigint, kind text) PARTITION BY LIST (kind);
    CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('a');
    ALTER TABLE events ADD CONSTRAINT events_id_nn CHECK (id IS NOT NULL);`,
  valid: [
    { name: 'a validated CHECK (col IS NOT NULL) proves it (12+)', sql: 'ALTER TABLE articles ALTER COLUMN title SET NOT NULL;' },
    { name: 'the CHECK added and validated earlier in the same file', sql: 'ALTER TABLE "Shop"."Orders" ADD CONSTRAINT orders_cid_nn CHECK ("CustomerId" IS NOT NULL) NOT VALID;\nCOMMIT;\nALTER TABLE "Shop"."Orders" VALIDATE CONSTRAINT orders_cid_nn;\nALTER TABLE "Shop"."Orders" ALTER COLUMN "CustomerId" SET NOT NULL;' },
    { name: 'the column is already NOT NULL', sql: 'ALTER TABLE articles ALTER COLUMN author_id SET NOT NULL;' },
    { name: 'a partitioned table whose CHECK covers its partitions', sql: 'ALTER TABLE events ALTER COLUMN id SET NOT NULL;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
    { name: 'PostgreSQL 18: NOT NULL … NOT VALID does not scan', sql: 'ALTER TABLE "Shop"."Orders" ADD CONSTRAINT cid_nn NOT NULL "CustomerId" NOT VALID;', pgVersion: 18 },
    { name: 'PostgreSQL 18: NOT VALID, VALIDATE, then SET NOT NULL', pgVersion: 18, sql: 'ALTER TABLE "Shop"."Orders" ADD CONSTRAINT cid_nn NOT NULL "CustomerId" NOT VALID;\nALTER TABLE "Shop"."Orders" VALIDATE CONSTRAINT cid_nn;\nALTER TABLE "Shop"."Orders" ALTER COLUMN "CustomerId" SET NOT NULL;' },
    { name: 'DROP NOT NULL', sql: 'ALTER TABLE articles ALTER COLUMN author_id DROP NOT NULL;' },
  ],
  invalid: [
    {
      name: 'no CHECK at all',
      sql: 'ALTER TABLE "Shop"."Orders" ALTER COLUMN "CustomerId" SET NOT NULL;',
      errors: [{ messageId: 'scansTable', line: 1, column: 29, message: 'SET NOT NULL on "Shop"."Orders"."CustomerId" scans the whole table under ACCESS EXCLUSIVE: reads and writes on "Shop"."Orders" wait' }],
    },
    {
      name: 'the CHECK is NOT VALID: it proves nothing yet',
      sql: 'alter table Articles alter Body set not null;',
      errors: [{ messageId: 'scansTable', line: 1, column: 22, message: 'public.articles.body' }],
    },
    {
      name: 'the CHECK added NOT VALID earlier in the file but never validated; explicit BEGIN, comments, IF EXISTS',
      sql: 'BEGIN;\nALTER TABLE "Shop"."Orders" ADD CONSTRAINT cid_nn CHECK ("CustomerId" IS NOT NULL) NOT VALID;\n-- forgot VALIDATE\nALTER TABLE IF EXISTS "Shop"."Orders" ALTER "CustomerId" SET NOT NULL, ALTER COLUMN "CustomerId" SET DEFAULT 0;\nCOMMIT;',
      errors: [{ messageId: 'scansTable', line: 4, column: 39 }],
    },
    {
      name: 'before PostgreSQL 12 a CHECK does not help', pgVersion: 11,
      sql: 'ALTER TABLE articles ALTER COLUMN title SET NOT NULL;',
      errors: [{ messageId: 'scansTable', line: 1 }],
    },
    {
      name: 'PostgreSQL 18: ADD CONSTRAINT … NOT NULL without NOT VALID', pgVersion: 18,
      sql: 'ALTER TABLE "Shop"."Orders" ADD CONSTRAINT cid_nn NOT NULL "CustomerId";',
      errors: [{ messageId: 'scansTable', line: 1, column: 33, message: 'ADD CONSTRAINT … NOT NULL on "Shop"."Orders"."CustomerId" scans' }],
    },
    {
      name: 'PostgreSQL 18: SET NOT NULL validates a NOT VALID not-null constraint', pgVersion: 18,
      sql: 'ALTER TABLE "Shop"."Orders" ADD CONSTRAINT cid_nn NOT NULL "CustomerId" NOT VALID;\nALTER TABLE "Shop"."Orders" ALTER COLUMN "CustomerId" SET NOT NULL;',
      errors: [{ messageId: 'validatesNotValidNotNull', line: 2, column: 29, message: 'validates the NOT VALID constraint cid_nn', output: 'ALTER TABLE "Shop"."Orders" ADD CONSTRAINT cid_nn NOT NULL "CustomerId" NOT VALID;\nALTER TABLE "Shop"."Orders" VALIDATE CONSTRAINT cid_nn;' }],
    },
    {
      name: 'table unknown to the schema model still warns', pgVersion: 13,
      sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      errors: [{ messageId: 'scansTable', message: 'public.users.email' }],
    },
  ],
});
