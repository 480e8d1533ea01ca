import rule from '../../../../src/analyzer/rules/prefer-repack.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, title text); CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int PRIMARY KEY);',
  valid: [
    { name: 'plain VACUUM', sql: 'VACUUM (ANALYZE) articles;' },
    { name: 'FULL switched off', sql: 'VACUUM (FULL false, VERBOSE) articles;' },
    { name: 'ANALYZE', sql: 'ANALYZE articles;' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (a int PRIMARY KEY);\nCLUSTER t USING t_pkey;\nVACUUM FULL t;' },
    { name: 'CLUSTER ON only marks the index', sql: 'ALTER TABLE articles CLUSTER ON articles_pkey;' },
  ],
  invalid: [
    {
      name: 'VACUUM FULL of an existing table',
      sql: 'VACUUM FULL articles;',
      errors: [{ messageId: 'vacuumFull', line: 1, column: 8, message: 'ACCESS EXCLUSIVE' }],
    },
    {
      name: 'option-list form, several tables, quoted and mixed case, after a comment',
      sql: '-- reclaim space\nvacuum (Full, analyze) articles, App."Jobs";',
      errors: [{ messageId: 'vacuumFull', line: 2, message: 'public.articles and app."Jobs"' }],
    },
    {
      name: 'VACUUM FULL of the whole database',
      sql: 'SELECT 1;\nVACUUM FULL;', pgVersion: 13,
      errors: [{ messageId: 'vacuumFull', line: 2, message: 'every table of the database' }],
    },
    {
      name: 'CLUSTER, schema-qualified, in an explicit transaction',
      sql: 'BEGIN;\nCLUSTER app."Jobs" USING "Jobs_pkey";\nCOMMIT;', pgVersion: 18,
      errors: [{ messageId: 'cluster', line: 2, column: 1, message: 'app."Jobs"' }],
    },
    {
      name: 'CLUSTER without a table',
      sql: 'CLUSTER;',
      errors: [{ messageId: 'cluster', line: 1, message: 'every table that was clustered before' }],
    },
  ],
});
