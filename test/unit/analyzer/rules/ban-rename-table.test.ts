import rule from '../../../../src/analyzer/rules/ban-rename-table.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY); CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int);',
  valid: [
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t RENAME TO t2;' },
    { name: 'renaming a column is ban-rename-column\'s business', sql: 'ALTER TABLE articles RENAME COLUMN id TO article_id;' },
    { name: 'renaming an index', sql: 'ALTER INDEX articles_pkey RENAME TO articles_pk;' },
    { name: 'compatibility view with the old name in the same transaction', sql: 'BEGIN;\nALTER TABLE articles RENAME TO posts;\nCREATE VIEW articles AS SELECT * FROM posts;\nCOMMIT;' },
    { name: 'compatibility view in the runner\'s transaction', sql: 'ALTER TABLE app."Jobs" RENAME TO tasks;\nCREATE VIEW app."Jobs" AS SELECT * FROM app.tasks;', options: { runner: 'rails' } },
  ],
  invalid: [
    {
      name: 'RENAME TO of an existing table',
      sql: 'ALTER TABLE articles RENAME TO posts;',
      errors: [{ messageId: 'breaksClients', line: 1, column: 22, message: 'ALTER TABLE public.articles RENAME TO public.posts' }],
    },
    {
      name: 'quoted, schema-qualified, mixed case, IF EXISTS, after a comment',
      sql: '-- rename\nalter table if exists App."Jobs" rename to "Tasks";',
      errors: [{ messageId: 'breaksClients', line: 2, message: 'app."Jobs" RENAME TO app."Tasks"' }],
    },
    {
      name: 'in an explicit transaction, the view created after COMMIT comes too late',
      sql: 'BEGIN;\nALTER TABLE articles RENAME TO posts;\nCOMMIT;\nCREATE VIEW articles AS SELECT * FROM posts;', pgVersion: 13,
      errors: [{ messageId: 'breaksClients', line: 2 }],
    },
    {
      name: 'a view with another name does not help',
      sql: 'BEGIN;\nALTER TABLE articles RENAME TO posts;\nCREATE VIEW articles_v AS SELECT * FROM posts;\nCOMMIT;',
      errors: [{ messageId: 'breaksClients', line: 2 }],
    },
    {
      name: 'table unknown to the schema model still flagged',
      sql: 'ALTER TABLE users RENAME TO accounts;', pgVersion: 18,
      errors: [{ messageId: 'breaksClients', line: 1, message: 'public.users' }],
    },
  ],
});
