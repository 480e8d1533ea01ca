import rule from '../../../../src/analyzer/rules/prefer-unique-index-for-unique-constraint.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: `CREATE TABLE articles (id bigint PRIMARY KEY, slug text, lang text);
    CREATE UNIQUE INDEX articles_slug_idx ON articles (slug);
    CREATE SCHEMA "Shop"; CREATE TABLE "Shop"."Orders" ("Number" text);
    CREATE TABLE events (id bigint, kind text) PARTITION BY LIST (kind);`,
  valid: [
    { name: 'USING INDEX', sql: 'ALTER TABLE articles ADD CONSTRAINT articles_slug_key UNIQUE USING INDEX articles_slug_idx;' },
    { name: 'CREATE UNIQUE INDEX CONCURRENTLY', sql: 'CREATE UNIQUE INDEX CONCURRENTLY articles_lang_slug_idx ON articles (lang, slug);' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a), ADD COLUMN b int UNIQUE;' },
    { name: 'UNIQUE in CREATE TABLE', sql: 'CREATE TABLE t (a int UNIQUE);' },
    { name: 'primary keys are another rule\'s', sql: 'ALTER TABLE "Shop"."Orders" ADD PRIMARY KEY ("Number");' },
  ],
  invalid: [
    {
      name: 'named unique constraint: fix builds the index concurrently first',
      sql: 'ALTER TABLE articles ADD CONSTRAINT articles_lang_slug_key UNIQUE (lang, slug);',
      errors: [{
        messageId: 'buildsIndex', line: 1, column: 26,
        message: 'ADD CONSTRAINT articles_lang_slug_key UNIQUE builds a unique index on public.articles while holding ACCESS EXCLUSIVE: reads and writes on it wait for the whole build',
        output: 'CREATE UNIQUE INDEX CONCURRENTLY articles_lang_slug_key ON articles (lang, slug);\nALTER TABLE articles ADD CONSTRAINT articles_lang_slug_key UNIQUE USING INDEX articles_lang_slug_key;',
      }],
    },
    {
      name: 'unnamed, quoted, schema-qualified, mixed case: PostgreSQL\'s default name',
      sql: 'alter table "Shop"."Orders" add unique ("Number");',
      errors: [{
        messageId: 'buildsIndex', message: 'ADD UNIQUE builds a unique index on "Shop"."Orders"',
        output: 'CREATE UNIQUE INDEX CONCURRENTLY "Orders_Number_key" ON "Shop"."Orders" ("Number");\nalter table "Shop"."Orders" add CONSTRAINT "Orders_Number_key" UNIQUE USING INDEX "Orders_Number_key";',
      }],
    },
    {
      name: 'explicit transaction, comments, IF EXISTS: no mechanical fix',
      sql: 'BEGIN;\n-- one slug per language\nALTER TABLE IF EXISTS articles ADD CONSTRAINT uq UNIQUE (lang, slug);\nCOMMIT;',
      errors: [{ messageId: 'buildsIndex', line: 3, column: 36, output: null }],
    },
    {
      name: 'options that the two-step form would lose: no fix',
      sql: 'ALTER TABLE articles ADD CONSTRAINT uq UNIQUE (slug) DEFERRABLE INITIALLY DEFERRED;',
      errors: [{ messageId: 'buildsIndex', output: null }],
    },
    {
      name: 'several subcommands: no fix',
      sql: 'ALTER TABLE articles ADD COLUMN code text, ADD CONSTRAINT uq UNIQUE (slug);',
      errors: [{ messageId: 'buildsIndex', output: null }],
    },
    {
      name: 'a new column declared UNIQUE',
      sql: 'ALTER TABLE articles ADD COLUMN code text UNIQUE;',
      errors: [{ messageId: 'buildsIndex', line: 1, column: 43, message: 'ADD COLUMN code … UNIQUE builds a unique index on public.articles' }],
    },
    {
      name: 'partitioned table: no fix (no USING INDEX on partitioned tables)',
      sql: 'ALTER TABLE events ADD CONSTRAINT events_id_kind_key UNIQUE (id, kind);',
      errors: [{ messageId: 'buildsIndex', message: 'public.events', output: null }],
    },
    {
      name: 'table unknown to the schema model still warns', pgVersion: 13,
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
      errors: [{ messageId: 'buildsIndex', message: 'public.users', output: 'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;' }],
    },
  ],
});
