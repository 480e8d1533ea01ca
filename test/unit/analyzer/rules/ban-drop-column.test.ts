import rule from '../../../../src/analyzer/rules/ban-drop-column.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text, legacy text, "Body" text); CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int, "State" text);',
  valid: [
    { name: 'adding a column', sql: 'ALTER TABLE articles ADD COLUMN summary text;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;' },
    { name: 'column added earlier in the same migration', sql: 'ALTER TABLE articles ADD COLUMN tmp int;\nALTER TABLE articles DROP COLUMN tmp;' },
    { name: 'dropping a constraint is another rule\'s business', sql: 'ALTER TABLE articles DROP CONSTRAINT articles_pkey;' },
  ],
  invalid: [
    {
      name: 'DROP COLUMN of an existing column',
      sql: 'ALTER TABLE articles DROP COLUMN legacy;',
      errors: [{ messageId: 'breaksClients', line: 1, column: 22, message: 'DROP COLUMN legacy of public.articles' }],
    },
    {
      name: 'several drops in one statement, quoted and mixed case, each pointed at',
      sql: '-- cleanup\nALTER TABLE Articles DROP COLUMN IF EXISTS title, DROP "Body";',
      errors: [
        { messageId: 'breaksClients', line: 2, column: 22, message: 'title' },
        { messageId: 'breaksClients', line: 2, column: 51, message: '"Body"' },
      ],
    },
    {
      name: 'schema-qualified, in an explicit transaction',
      sql: 'BEGIN;\nALTER TABLE app."Jobs" DROP COLUMN "State" CASCADE;\nCOMMIT;', pgVersion: 13,
      errors: [{ messageId: 'breaksClients', line: 2, message: 'app."Jobs"' }],
    },
    {
      name: 'table unknown to the schema model still warns',
      sql: 'SELECT 1;\nALTER TABLE IF EXISTS users DROP COLUMN IF EXISTS nickname;', pgVersion: 18,
      errors: [{ messageId: 'breaksClients', line: 2, message: 'public.users' }],
    },
  ],
});
