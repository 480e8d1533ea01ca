import rule from '../../../../src/analyzer/rules/require-not-valid-foreign-key.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: `CREATE TABLE authors (id bigint PRIMARY KEY); CREATE TABLE articles (id bigint PRIMARY KEY, author_id bigint);
    CREATE SCHEMA "Shop"; CREATE TABLE "Shop"."Customers" ("Id" bigint PRIMARY KEY); CREATE TABLE "Shop"."Orders" ("CustomerId" bigint);
    CREATE TABLE events (id bigint, author_id bigint, kind text) PARTITION BY LIST (kind);`,
  valid: [
    { name: 'NOT VALID', sql: 'ALTER TABLE articles ADD CONSTRAINT articles_author_fk FOREIGN KEY (author_id) REFERENCES authors (id) NOT VALID;' },
    { name: 'VALIDATE CONSTRAINT', sql: 'ALTER TABLE articles VALIDATE CONSTRAINT articles_author_fk;' },
    { name: 'NOT ENFORCED (PostgreSQL 18)', sql: 'ALTER TABLE articles ADD FOREIGN KEY (author_id) REFERENCES authors NOT ENFORCED;', pgVersion: 18 },
    { name: 'a new column without a default is not checked', sql: 'ALTER TABLE articles ADD COLUMN editor_id bigint REFERENCES authors (id);' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a bigint);\nALTER TABLE t ADD FOREIGN KEY (a) REFERENCES authors;' },
    { name: 'foreign key in CREATE TABLE', sql: 'CREATE TABLE t (a bigint REFERENCES authors);' },
    { name: 'IF NOT EXISTS on a column that exists is a no-op', sql: 'ALTER TABLE articles ADD COLUMN IF NOT EXISTS author_id bigint DEFAULT 1 REFERENCES authors;' },
  ],
  invalid: [
    {
      name: 'named foreign key',
      sql: 'ALTER TABLE articles ADD CONSTRAINT articles_author_fk FOREIGN KEY (author_id) REFERENCES authors (id);',
      errors: [{
        messageId: 'validatesRows', line: 1, column: 26,
        message: 'ADD FOREIGN KEY articles_author_fk checks every row of public.articles against public.authors while holding SHARE ROW EXCLUSIVE on both tables: writes to both wait',
        output: 'ALTER TABLE articles ADD CONSTRAINT articles_author_fk FOREIGN KEY (author_id) REFERENCES authors (id) NOT VALID;',
      }],
    },
    {
      name: 'unnamed, quoted, schema-qualified, mixed case, ON DELETE action',
      sql: 'alter table "Shop"."Orders" add foreign key ("CustomerId") references "Shop"."Customers" ("Id") on delete cascade;',
      errors: [{
        messageId: 'validatesRows', message: 'ADD FOREIGN KEY checks every row of "Shop"."Orders" against "Shop"."Customers"',
        output: 'alter table "Shop"."Orders" add foreign key ("CustomerId") references "Shop"."Customers" ("Id") on delete cascade NOT VALID;',
      }],
    },
    {
      name: 'explicit transaction, comments, IF EXISTS, two subcommands',
      sql: 'BEGIN;\n-- link\nALTER TABLE IF EXISTS articles\n  ADD COLUMN editor_id bigint,\n  ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES authors; -- done\nCOMMIT;',
      errors: [{ messageId: 'validatesRows', line: 5, column: 7, output: 'BEGIN;\n-- link\nALTER TABLE IF EXISTS articles\n  ADD COLUMN editor_id bigint,\n  ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES authors NOT VALID; -- done\nCOMMIT;' }],
    },
    {
      name: 'partitioned table before 18: NOT VALID is not possible, no fix', pgVersion: 17,
      sql: 'ALTER TABLE events ADD CONSTRAINT events_author_fk FOREIGN KEY (author_id) REFERENCES authors;',
      errors: [{ messageId: 'validatesRows', line: 1, output: null }],
    },
    {
      name: 'partitioned table on 18: NOT VALID works', pgVersion: 18,
      sql: 'ALTER TABLE events ADD CONSTRAINT events_author_fk FOREIGN KEY (author_id) REFERENCES authors;',
      errors: [{ messageId: 'validatesRows', line: 1, output: 'ALTER TABLE events ADD CONSTRAINT events_author_fk FOREIGN KEY (author_id) REFERENCES authors NOT VALID;' }],
    },
    {
      name: 'a new column with a default is checked',
      sql: 'ALTER TABLE articles ADD COLUMN editor_id bigint DEFAULT 1 REFERENCES authors (id);',
      errors: [{ messageId: 'columnValidatesRows', line: 1, column: 60, message: 'ADD COLUMN editor_id … REFERENCES public.authors checks every row of public.articles because the new column has a default, while holding ACCESS EXCLUSIVE on public.articles' }],
    },
    {
      name: 'another new column with a default turns the check on for the whole statement',
      sql: 'ALTER TABLE articles ADD COLUMN status text DEFAULT \'draft\', ADD COLUMN editor_id bigint REFERENCES authors;',
      errors: [{ messageId: 'columnValidatesRows', message: 'because another new column of the same ALTER TABLE has a default' }],
    },
    {
      name: 'table unknown to the schema model still warns', pgVersion: 13,
      sql: 'ALTER TABLE comments ADD FOREIGN KEY (article_id) REFERENCES articles;',
      errors: [{ messageId: 'validatesRows', message: 'public.comments against public.articles', output: 'ALTER TABLE comments ADD FOREIGN KEY (article_id) REFERENCES articles NOT VALID;' }],
    },
  ],
});
