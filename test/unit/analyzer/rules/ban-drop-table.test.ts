import rule from '../../../../src/analyzer/rules/ban-drop-table.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: [
    'CREATE TABLE users (id bigint PRIMARY KEY);',
    'CREATE TABLE articles (id bigint PRIMARY KEY, author_id bigint REFERENCES users);',
    'CREATE TABLE audit (id bigint);',
    'CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int);',
  ].join('\n'),
  valid: [
    { name: 'table created in the same migration', sql: 'CREATE TABLE tmp (a int);\nDROP TABLE tmp;' },
    { name: 'views are not tables', sql: 'DROP VIEW IF EXISTS v;' },
    { name: 'temporary work table created and dropped', sql: 'CREATE TABLE IF NOT EXISTS scratch (a int);\nDROP TABLE scratch;' },
  ],
  invalid: [
    {
      name: 'DROP TABLE of an existing table',
      sql: 'DROP TABLE audit;',
      errors: [{ messageId: 'dropTable', line: 1, column: 1, message: 'ACCESS EXCLUSIVE lock on public.audit' }],
    },
    {
      name: 'a table with a foreign key locks the referenced table too',
      sql: '-- retire articles\nDROP TABLE IF EXISTS articles;',
      errors: [{ messageId: 'dropTableReferenced', line: 2, message: 'also on public.users' }],
    },
    {
      name: 'several tables, quoted, schema-qualified, mixed case, in a transaction',
      sql: 'BEGIN;\ndrop table App."Jobs", AUDIT cascade;\nCOMMIT;', pgVersion: 13,
      errors: [
        { messageId: 'dropTable', line: 2, message: 'app."Jobs"' },
        { messageId: 'dropTable', line: 2, message: 'public.audit' },
      ],
    },
    {
      name: 'dropping both sides of a foreign key does not name the other as merely locked',
      sql: 'DROP TABLE articles, users;', pgVersion: 18,
      errors: [
        { messageId: 'dropTable', line: 1, message: 'public.articles' },
        { messageId: 'dropTable', line: 1, message: 'public.users' },
      ],
    },
    {
      name: 'table unknown to the schema model: says so',
      sql: 'SELECT 1;\nDROP TABLE IF EXISTS legacy_sessions;',
      errors: [{ messageId: 'dropTableUnknown', line: 2, message: 'does not know the table' }],
    },
  ],
});
