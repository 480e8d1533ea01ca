import rule from '../../../../src/analyzer/rules/ban-transaction-nesting.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'one explicit transaction (psql)', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nCOMMIT;' },
    { name: 'two transactions in a row', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nCOMMIT;\nSTART TRANSACTION;\nALTER TABLE app."Users" ADD COLUMN b int;\nEND;' },
    { name: 'savepoints are not nesting', sql: 'BEGIN;\nSAVEPOINT s1;\nALTER TABLE articles ADD COLUMN a int;\nRELEASE SAVEPOINT s1;\nCOMMIT;' },
    { name: 'runner transaction without BEGIN/COMMIT', options: { runner: 'flyway' }, sql: 'ALTER TABLE articles ADD COLUMN a int;\nCREATE TABLE t (id int);' },
    { name: 'sqitch scripts manage their own transaction', options: { runner: 'sqitch' }, sql: 'BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;' },
    { name: 'golang-migrate: a single statement runs outside a transaction', options: { runner: 'golang-migrate' }, sql: 'COMMIT;' },
    { name: 'ROLLBACK of an explicit transaction (PostgreSQL 13)', pgVersion: 13, sql: 'BEGIN;\nDROP TABLE IF EXISTS articles;\nROLLBACK;' },
  ],
  invalid: [
    {
      name: 'BEGIN inside an explicit transaction',
      sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\n  BEGIN;\nALTER TABLE Public.Articles ADD COLUMN b int;\nCOMMIT;\nCOMMIT;',
      errors: [{ messageId: 'nestedBegin', line: 3, column: 3, message: 'BEGIN inside the transaction opened on line 1' }],
    },
    {
      name: 'BEGIN/COMMIT inside the Flyway transaction',
      options: { runner: 'flyway' }, pgVersion: 18,
      sql: '-- V2__add_column.sql\nBEGIN;\nALTER TABLE app."Users" ADD COLUMN a int;\nCOMMIT;',
      errors: [
        { messageId: 'beginInRunnerTransaction', line: 2, message: 'BEGIN inside the transaction flyway already wraps this file in' },
        { messageId: 'commitInRunnerTransaction', line: 4, message: 'COMMIT inside the transaction flyway wraps this file in: it ends the runner\'s transaction early (committing everything before it)' },
      ],
    },
    {
      name: 'ROLLBACK with assumeInTransaction',
      options: { assumeInTransaction: true },
      sql: 'CREATE TABLE t (id int);\nROLLBACK;\nDROP TABLE IF EXISTS t;',
      errors: [{ messageId: 'commitInRunnerTransaction', line: 2, message: 'ROLLBACK inside the transaction the runner wraps this file in' }],
    },
    {
      name: 'golang-migrate multi-statement file: COMMIT ends the implicit transaction (PostgreSQL 13)',
      options: { runner: 'golang-migrate' }, pgVersion: 13,
      sql: 'ALTER TABLE articles ADD COLUMN a int; COMMIT; ALTER TABLE articles ADD COLUMN b int;',
      errors: [{ messageId: 'commitInRunnerTransaction', line: 1, column: 40, message: 'golang-migrate' }],
    },
  ],
});
