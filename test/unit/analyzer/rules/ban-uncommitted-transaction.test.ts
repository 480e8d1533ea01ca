import rule from '../../../../src/analyzer/rules/ban-uncommitted-transaction.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint);',
  valid: [
    { name: 'committed', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nCOMMIT;\n' },
    { name: 'rolled back', sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nROLLBACK;' },
    { name: 'END commits too', sql: 'START TRANSACTION;\nALTER TABLE app."Users" ADD COLUMN a int;\nEND;' },
    { name: 'no transaction at all', sql: 'ALTER TABLE articles ADD COLUMN a int;' },
    { name: 'the runner commits the file (BEGIN is a no-op inside it)', options: { runner: 'flyway' }, sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;' },
    { name: 'PREPARE TRANSACTION ends the block (PostgreSQL 13)', pgVersion: 13, sql: "BEGIN;\nCREATE TABLE t (id int);\nPREPARE TRANSACTION 'deploy-1';" },
  ],
  invalid: [
    {
      name: 'BEGIN without COMMIT, file ends with a newline',
      sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\n',
      errors: [{ messageId: 'uncommittedTransaction', line: 1, column: 1, output: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nCOMMIT;\n' }],
    },
    {
      name: 'no trailing newline; quoted schema-qualified table; table created in the migration',
      sql: '-- deploy\nBEGIN;\nCREATE TABLE app."New" (id int);\nALTER TABLE app."Users" ADD COLUMN a int;',
      errors: [{ messageId: 'uncommittedTransaction', line: 2, output: '-- deploy\nBEGIN;\nCREATE TABLE app."New" (id int);\nALTER TABLE app."Users" ADD COLUMN a int;\nCOMMIT;' }],
    },
    {
      name: 'the second transaction is the open one; unterminated last statement followed by a comment',
      pgVersion: 18,
      sql: 'BEGIN;\nCOMMIT;\nbegin;\nALTER TABLE Public.Articles DROP COLUMN IF EXISTS a\n-- end;',
      errors: [{ messageId: 'uncommittedTransaction', line: 3, output: 'BEGIN;\nCOMMIT;\nbegin;\nALTER TABLE Public.Articles DROP COLUMN IF EXISTS a;\n-- end;\nCOMMIT;' }],
    },
    {
      name: 'terminated last statement followed by a comment',
      sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int /* new */ ;\n-- done',
      errors: [{ messageId: 'uncommittedTransaction', line: 1, output: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int /* new */ ;\n-- done\nCOMMIT;' }],
    },
    {
      name: 'golang-migrate: BEGIN in the multi-statement file leaves the transaction open',
      options: { runner: 'golang-migrate' }, pgVersion: 13,
      sql: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int',
      errors: [{ messageId: 'uncommittedTransaction', line: 1, output: 'BEGIN;\nALTER TABLE articles ADD COLUMN a int;\nCOMMIT;' }],
    },
  ],
});
