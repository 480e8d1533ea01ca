import rule from '../../../../src/analyzer/rules/require-table-schema.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'qualified names', sql: 'CREATE TABLE public.t (id int REFERENCES public.articles (id));\nALTER TABLE app."Users" ADD COLUMN a int;\nCREATE INDEX i ON public.t (id);' },
    { name: 'CTE names and temporary tables', sql: 'CREATE TEMP TABLE scratch (id int);\nWITH x AS (SELECT id FROM public.articles) INSERT INTO scratch SELECT id FROM x;' },
    { name: 'qualified DROP with IF EXISTS', sql: 'DROP TABLE IF EXISTS public.old;\nDROP TRIGGER IF EXISTS audit ON public.articles;' },
    { name: 'statements without relations (PostgreSQL 13)', pgVersion: 13, sql: "SET lock_timeout = '2s';\nBEGIN;\nCOMMIT;" },
  ],
  invalid: [
    {
      name: 'unqualified table in ALTER TABLE',
      sql: 'ALTER TABLE articles ADD COLUMN a int;',
      errors: [{ messageId: 'unqualifiedName', line: 1, column: 13, message: 'articles is not schema-qualified', output: 'ALTER TABLE public.articles ADD COLUMN a int;' }],
    },
    {
      name: 'CREATE TABLE with an unqualified reference, quoted name, table created in the migration, explicit BEGIN',
      sql: 'BEGIN;\nCREATE TABLE "Tags" (id int, article_id bigint REFERENCES articles);\n-- index\nCREATE INDEX ON "Tags" (article_id);\nCOMMIT;',
      errors: [
        { messageId: 'unqualifiedName', line: 2, column: 14, message: '"Tags"', output: 'BEGIN;\nCREATE TABLE public."Tags" (id int, article_id bigint REFERENCES articles);\n-- index\nCREATE INDEX ON "Tags" (article_id);\nCOMMIT;' },
        { messageId: 'unqualifiedName', line: 2, message: 'articles', output: 'BEGIN;\nCREATE TABLE "Tags" (id int, article_id bigint REFERENCES public.articles);\n-- index\nCREATE INDEX ON "Tags" (article_id);\nCOMMIT;' },
        { messageId: 'unqualifiedName', line: 4, column: 17, output: 'BEGIN;\nCREATE TABLE "Tags" (id int, article_id bigint REFERENCES articles);\n-- index\nCREATE INDEX ON public."Tags" (article_id);\nCOMMIT;' },
      ],
    },
    {
      name: 'DROP … IF EXISTS and DROP TRIGGER … ON, mixed case; one finding per name with every occurrence fixed (PostgreSQL 18)',
      pgVersion: 18,
      sql: 'DROP TABLE IF EXISTS Old_Stuff;\nDROP TRIGGER audit ON Articles;\nUPDATE articles SET id = a.id FROM articles a WHERE a.id = articles.id;',
      errors: [
        { messageId: 'unqualifiedName', line: 1, column: 22, message: 'old_stuff', output: 'DROP TABLE IF EXISTS public.Old_Stuff;\nDROP TRIGGER audit ON Articles;\nUPDATE articles SET id = a.id FROM articles a WHERE a.id = articles.id;' },
        { messageId: 'unqualifiedName', line: 2, column: 23, output: 'DROP TABLE IF EXISTS Old_Stuff;\nDROP TRIGGER audit ON public.Articles;\nUPDATE articles SET id = a.id FROM articles a WHERE a.id = articles.id;' },
        { messageId: 'unqualifiedName', line: 3, column: 8, output: 'DROP TABLE IF EXISTS Old_Stuff;\nDROP TRIGGER audit ON Articles;\nUPDATE public.articles SET id = a.id FROM public.articles a WHERE a.id = articles.id;' },
      ],
    },
  ],
});
