import rule from '../../../../src/analyzer/rules/prefer-index-for-primary-key.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: `CREATE TABLE articles (id bigint NOT NULL, slug text, code text, CONSTRAINT code_not_null CHECK (code IS NOT NULL));
    CREATE UNIQUE INDEX articles_id_idx ON articles (id);
    CREATE UNIQUE INDEX articles_slug_idx ON articles (slug);
    CREATE UNIQUE INDEX articles_code_idx ON articles (code);
    CREATE SCHEMA "Shop"; CREATE TABLE "Shop"."Orders" ("Number" text);
    CREATE UNIQUE INDEX "Orders_Number_idx" ON "Shop"."Orders" ("Number");
    CREATE TABLE events (id bigint NOT NULL, kind text NOT NULL) PARTITION BY LIST (kind);`,
  valid: [
    { name: 'USING INDEX on NOT NULL columns', sql: 'ALTER TABLE articles ADD CONSTRAINT articles_pkey PRIMARY KEY USING INDEX articles_id_idx;' },
    { name: 'USING INDEX on a column proven by a validated CHECK (12+)', sql: 'ALTER TABLE articles ADD PRIMARY KEY USING INDEX articles_code_idx;' },
    { name: 'USING INDEX of an index the schema model does not know', sql: 'ALTER TABLE articles ADD PRIMARY KEY USING INDEX some_idx;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD PRIMARY KEY (a), ADD COLUMN b int PRIMARY KEY;' },
    { name: 'PRIMARY KEY in CREATE TABLE', sql: 'CREATE TABLE t (a int PRIMARY KEY);' },
    { name: 'unique constraints are another rule\'s', sql: 'ALTER TABLE articles ADD UNIQUE (slug);' },
  ],
  invalid: [
    {
      name: 'named primary key on a NOT NULL column: fix builds the index concurrently first',
      sql: 'ALTER TABLE articles ADD CONSTRAINT articles_pkey PRIMARY KEY (id);',
      errors: [{
        messageId: 'buildsIndex', line: 1, column: 26,
        message: 'ADD CONSTRAINT articles_pkey PRIMARY KEY builds the primary key\'s index on public.articles while holding ACCESS EXCLUSIVE: reads and writes on it wait for the whole build',
        output: 'CREATE UNIQUE INDEX CONCURRENTLY articles_pkey ON articles (id);\nALTER TABLE articles ADD CONSTRAINT articles_pkey PRIMARY KEY USING INDEX articles_pkey;',
      }],
    },
    {
      name: 'unnamed, quoted, schema-qualified, mixed case, nullable column',
      sql: 'alter table "Shop"."Orders" add primary key ("Number");',
      errors: [{
        messageId: 'buildsIndex', message: 'ADD PRIMARY KEY builds the primary key\'s index on "Shop"."Orders" while holding ACCESS EXCLUSIVE (and checks every row for NULLs)',
        output: 'CREATE UNIQUE INDEX CONCURRENTLY "Orders_pkey" ON "Shop"."Orders" ("Number");\nalter table "Shop"."Orders" add CONSTRAINT "Orders_pkey" PRIMARY KEY USING INDEX "Orders_pkey";',
      }],
    },
    {
      name: 'explicit transaction, comments, IF EXISTS: no mechanical fix',
      sql: 'BEGIN;\n-- finally a key\nALTER TABLE IF EXISTS articles ADD PRIMARY KEY (id);\nCOMMIT;',
      errors: [{ messageId: 'buildsIndex', line: 3, column: 36, output: null }],
    },
    {
      name: 'a new serial column declared PRIMARY KEY',
      sql: 'ALTER TABLE "Shop"."Orders" ADD COLUMN id bigserial PRIMARY KEY;',
      errors: [{ messageId: 'buildsIndex', line: 1, column: 53, message: 'ADD COLUMN id … PRIMARY KEY builds the primary key\'s index on "Shop"."Orders"' }],
    },
    {
      name: 'USING INDEX on a nullable column scans for NULLs',
      sql: 'ALTER TABLE articles ADD CONSTRAINT articles_pkey PRIMARY KEY USING INDEX articles_slug_idx;',
      errors: [{ messageId: 'nullableColumns', line: 1, column: 26, message: 'ADD PRIMARY KEY USING INDEX articles_slug_idx makes slug NOT NULL: it scans public.articles under ACCESS EXCLUSIVE' }],
    },
    {
      name: 'USING INDEX, quoted names; before 12 a CHECK does not help', pgVersion: 11,
      sql: 'ALTER TABLE "Shop"."Orders" ADD PRIMARY KEY USING INDEX "Orders_Number_idx";\nALTER TABLE articles ADD PRIMARY KEY USING INDEX articles_code_idx;',
      errors: [
        { messageId: 'nullableColumns', line: 1, message: 'makes "Number" NOT NULL: it scans "Shop"."Orders"' },
        { messageId: 'nullableColumns', line: 2, message: 'makes code NOT NULL' },
      ],
    },
    {
      name: 'partitioned table: no fix',
      sql: 'ALTER TABLE events ADD PRIMARY KEY (id, kind);',
      errors: [{ messageId: 'buildsIndex', message: 'public.events while holding ACCESS EXCLUSIVE:', output: null }],
    },
    {
      name: 'table unknown to the schema model still warns', pgVersion: 13,
      sql: 'ALTER TABLE users ADD PRIMARY KEY (id);',
      errors: [{ messageId: 'buildsIndex', message: 'public.users', output: 'CREATE UNIQUE INDEX CONCURRENTLY users_pkey ON users (id);\nALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;' }],
    },
  ],
});
