import rule from '../../../../src/analyzer/rules/ban-drop-not-null.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text NOT NULL, "Slug" text NOT NULL); CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int, state text NOT NULL);',
  valid: [
    { name: 'SET NOT NULL is another rule\'s business', sql: 'ALTER TABLE articles ALTER COLUMN title SET NOT NULL;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int NOT NULL);\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;' },
    { name: 'column added earlier in the same migration', sql: 'ALTER TABLE articles ADD COLUMN body text NOT NULL DEFAULT \'\';\nALTER TABLE articles ALTER COLUMN body DROP NOT NULL;' },
  ],
  invalid: [
    {
      name: 'DROP NOT NULL on an existing column',
      sql: 'ALTER TABLE articles ALTER COLUMN title DROP NOT NULL;',
      errors: [{ messageId: 'breaksClients', line: 1, column: 22, message: 'title DROP NOT NULL on public.articles' }],
    },
    {
      name: 'two columns, quoted and mixed case, short form without COLUMN, after a comment',
      sql: '-- relax\nALTER TABLE Articles ALTER Title DROP NOT NULL, ALTER COLUMN "Slug" DROP NOT NULL;',
      errors: [
        { messageId: 'breaksClients', line: 2, column: 22, message: 'title' },
        { messageId: 'breaksClients', line: 2, column: 49, message: '"Slug"' },
      ],
    },
    {
      name: 'schema-qualified, IF EXISTS, in an explicit transaction',
      sql: 'BEGIN;\nALTER TABLE IF EXISTS app."Jobs" ALTER COLUMN state DROP NOT NULL;\nCOMMIT;', pgVersion: 13,
      errors: [{ messageId: 'breaksClients', line: 2, message: 'app."Jobs"' }],
    },
    {
      name: 'table unknown to the schema model still warns',
      sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;', pgVersion: 18,
      errors: [{ messageId: 'breaksClients', line: 1, message: 'public.users' }],
    },
  ],
});
