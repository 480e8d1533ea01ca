import rule from '../../../../src/analyzer/rules/ban-multiple-strong-locks-in-transaction.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, author_id bigint); CREATE TABLE authors (id bigint PRIMARY KEY); CREATE TABLE tags (id bigint); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'one table per transaction', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nCOMMIT;\nBEGIN;\nALTER TABLE authors ADD COLUMN b int;\nCOMMIT;' },
    { name: 'autocommit', sql: 'ALTER TABLE articles ADD COLUMN a int;\nALTER TABLE authors ADD COLUMN b int;' },
    { name: 'several statements on the same table', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nCREATE INDEX articles_a_idx ON articles (a);\nCOMMIT;' },
    { name: 'one statement that locks two tables (a foreign key)', sql: 'BEGIN;\nALTER TABLE articles ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES authors (id) NOT VALID;\nCOMMIT;' },
    { name: 'second table created in the migration', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nCREATE TABLE t (x int);\nALTER TABLE t ADD COLUMN y int;\nCOMMIT;' },
    { name: 'weak locks on the second table (VALIDATE, DML)', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nUPDATE tags SET id = 1 WHERE id = 2;\nALTER TABLE authors VALIDATE CONSTRAINT authors_pkey;\nCOMMIT;' },
    { name: 'PostgreSQL 13, runner transaction, one table', pgVersion: 13, options: { runner: 'django' }, sql: 'ALTER TABLE tags ADD COLUMN a int;\nALTER TABLE tags ADD COLUMN b int;' },
  ],
  invalid: [
    {
      name: 'two tables in one explicit transaction',
      sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\n-- and now\nALTER TABLE authors ADD COLUMN b int;\nCOMMIT;',
      errors: [{ messageId: 'multipleStrongLocks', line: 4, message: 'ALTER TABLE takes ACCESS EXCLUSIVE on public.authors while this transaction already holds ACCESS EXCLUSIVE on public.articles (line 2)' }],
    },
    {
      name: 'runner transaction: SHARE then SHARE ROW EXCLUSIVE, quoted and qualified names, reported on each new table',
      options: { runner: 'flyway' }, pgVersion: 18,
      sql: 'CREATE INDEX articles_author_idx ON Public.Articles (author_id);\nCREATE TRIGGER trg AFTER INSERT ON app."Users" FOR EACH ROW EXECUTE FUNCTION f();\nDROP TRIGGER IF EXISTS t2 ON tags;',
      errors: [
        { messageId: 'multipleStrongLocks', line: 2, message: 'CREATE TRIGGER takes SHARE ROW EXCLUSIVE on app."Users" while this transaction already holds SHARE on public.articles (line 1)' },
        { messageId: 'multipleStrongLocks', line: 3, message: 'DROP TRIGGER takes ACCESS EXCLUSIVE on public.tags' },
      ],
    },
    {
      name: 'a foreign key adds the referenced table (PostgreSQL 13)',
      pgVersion: 13,
      sql: 'BEGIN;\nALTER TABLE tags ADD COLUMN article_id bigint;\nALTER TABLE tags ADD CONSTRAINT fk FOREIGN KEY (article_id) REFERENCES articles (id) NOT VALID;\nCOMMIT;',
      errors: [{ messageId: 'multipleStrongLocks', line: 3, message: 'SHARE ROW EXCLUSIVE on public.articles' }],
    },
  ],
});
