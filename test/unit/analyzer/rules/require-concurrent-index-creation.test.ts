import rule from '../../../../src/analyzer/rules/require-concurrent-index-creation.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text); CREATE TABLE events (ts timestamptz) PARTITION BY RANGE (ts);',
  valid: [
    { name: 'concurrent build', sql: 'CREATE INDEX CONCURRENTLY articles_title_idx ON articles (title);' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);' },
    { name: 'partitioned table (no concurrent form)', sql: 'CREATE INDEX events_ts_idx ON events (ts);' },
  ],
  invalid: [
    {
      name: 'plain build on an existing table', sql: 'CREATE INDEX articles_title_idx ON articles (title);',
      errors: [{ messageId: 'blocksWrites', line: 1, column: 1, message: 'public.articles', output: 'CREATE INDEX CONCURRENTLY articles_title_idx ON articles (title);' }],
    },
    {
      name: 'unique, schema-qualified, mixed case', sql: 'create unique index Idx on Public.Articles (title);',
      errors: [{ messageId: 'blocksWrites', output: 'create unique index CONCURRENTLY Idx on Public.Articles (title);' }],
    },
    {
      name: 'table unknown to the schema model still warns', sql: '-- comment\nCREATE INDEX ON users (email);',
      errors: [{ messageId: 'blocksWrites', line: 2, message: 'public.users', output: '-- comment\nCREATE INDEX CONCURRENTLY ON users (email);' }],
    },
  ],
});
