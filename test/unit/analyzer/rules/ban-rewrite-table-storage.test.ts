import rule from '../../../../src/analyzer/rules/ban-rewrite-table-storage.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: `CREATE TABLE articles (id bigint PRIMARY KEY); CREATE UNLOGGED TABLE cache (k text, v text);
    CREATE SCHEMA "Shop"; CREATE TABLE "Shop"."Orders" (id bigint);
    CREATE TABLE events (id bigint, kind text) PARTITION BY LIST (kind);
    CREATE MATERIALIZED VIEW stats AS SELECT count(*) FROM articles;`,
  valid: [
    { name: 'SET LOGGED on a logged table does nothing', sql: 'ALTER TABLE articles SET LOGGED;' },
    { name: 'SET UNLOGGED on an unlogged table does nothing', sql: 'ALTER TABLE cache SET UNLOGGED;' },
    { name: 'partitioned table: only the default for new partitions', sql: 'ALTER TABLE events SET TABLESPACE fast_ssd;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t SET TABLESPACE fast_ssd, SET UNLOGGED;' },
    { name: 'storage parameters do not rewrite', sql: 'ALTER TABLE articles SET (fillfactor = 70);' },
    { name: 'ALTER INDEX … SET TABLESPACE is not a table', sql: 'ALTER INDEX articles_pkey SET TABLESPACE fast_ssd;' },
  ],
  invalid: [
    {
      name: 'SET TABLESPACE',
      sql: 'ALTER TABLE articles SET TABLESPACE fast_ssd;',
      errors: [{ messageId: 'rewritesTable', line: 1, column: 22, message: 'SET TABLESPACE copies public.articles to tablespace fast_ssd under ACCESS EXCLUSIVE: reads and writes on public.articles wait' }],
    },
    {
      name: 'SET LOGGED on an unlogged table; mixed case',
      sql: 'Alter Table Cache Set Logged;',
      errors: [{ messageId: 'rewritesTable', line: 1, column: 19, message: 'SET LOGGED rewrites public.cache and its indexes, writing all of it to the WAL,' }],
    },
    {
      name: 'SET UNLOGGED, quoted, schema-qualified, explicit transaction, comments, IF EXISTS',
      sql: 'BEGIN;\n-- speed up the import\nALTER TABLE IF EXISTS "Shop"."Orders" SET UNLOGGED;\nCOMMIT;',
      errors: [{ messageId: 'rewritesTable', line: 3, column: 39, message: 'SET UNLOGGED rewrites "Shop"."Orders" and rebuilds its indexes' }],
    },
    {
      name: 'SET ACCESS METHOD (PostgreSQL 15+) and SET TABLESPACE in one statement', pgVersion: 15,
      sql: 'ALTER TABLE articles SET ACCESS METHOD heap2, SET TABLESPACE slow_hdd;',
      errors: [
        { messageId: 'rewritesTable', column: 22, message: 'SET ACCESS METHOD rewrites public.articles' },
        { messageId: 'rewritesTable', column: 47, message: 'SET TABLESPACE copies public.articles to tablespace slow_hdd' },
      ],
    },
    {
      name: 'a materialized view',
      sql: 'ALTER MATERIALIZED VIEW stats SET TABLESPACE slow_hdd;',
      errors: [{ messageId: 'rewritesTable', message: 'public.stats' }],
    },
    {
      name: 'table unknown to the schema model still warns (SET LOGGED may be a no-op)', pgVersion: 13,
      sql: 'ALTER TABLE imports SET LOGGED;',
      errors: [{ messageId: 'rewritesTable', message: 'public.imports' }],
    },
    {
      name: 'ALTER TABLE ALL IN TABLESPACE',
      sql: 'ALTER TABLE ALL IN TABLESPACE slow_hdd SET TABLESPACE fast_ssd;',
      errors: [{ messageId: 'movesAllRelations', line: 1, message: 'ALTER TABLE ALL IN TABLESPACE slow_hdd SET TABLESPACE copies every table in slow_hdd, each under ACCESS EXCLUSIVE' }],
    },
  ],
});
