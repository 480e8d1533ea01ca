import rule from '../../../../src/analyzer/rules/ban-identifier-too-long.js';
import { testRule } from '../../../support/rule-tester.js';

const ok63 = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
const long64 = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
// 32 two-byte characters: 64 bytes; 21 three-byte characters: 63 bytes, one more is 66.
const umlauts = 'ä'.repeat(32);
const cjk63 = '表'.repeat(21);

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY);',
  valid: [
    { name: 'exactly 63 bytes', sql: `CREATE TABLE ${ok63} (id int);` },
    { name: '63 bytes of 3-byte characters, quoted', sql: `CREATE TABLE "${cjk63}" (id int);` },
    { name: 'long string literals and comments are not identifiers', sql: `-- ${long64}\nCOMMENT ON TABLE articles IS '${long64}';\nSELECT $body$${long64}$body$, E'\\'${long64}';` },
    { name: 'IF EXISTS with a short name (PostgreSQL 13)', pgVersion: 13, sql: 'DROP INDEX IF EXISTS articles_title_idx;' },
  ],
  invalid: [
    {
      name: 'a 64-byte table name',
      sql: `CREATE TABLE ${long64} (id int);`,
      errors: [{ messageId: 'identifierTooLong', line: 1, column: 14, message: 'is 64 bytes long', output: `CREATE TABLE ${ok63} (id int);` }],
    },
    {
      name: 'quoted non-ASCII column name counts bytes, not characters; several statements; explicit BEGIN',
      sql: `BEGIN;\nALTER TABLE articles ADD COLUMN "${umlauts}" int;\nCOMMIT;`,
      errors: [{ messageId: 'identifierTooLong', line: 2, column: 33, message: 'is 64 bytes long', output: `BEGIN;\nALTER TABLE articles ADD COLUMN "${'ä'.repeat(31)}" int;\nCOMMIT;` }],
    },
    {
      name: 'index and constraint names, mixed case; every occurrence of the same name is fixed together',
      pgVersion: 18,
      sql: `CREATE INDEX Idx_${long64} ON articles (id);\nALTER INDEX Idx_${long64} RENAME TO idx_${long64}_2;`,
      errors: [
        { messageId: 'identifierTooLong', line: 1, column: 14, output: `CREATE INDEX Idx_${long64.slice(0, 59)} ON articles (id);\nALTER INDEX Idx_${long64} RENAME TO idx_${long64}_2;` },
        { messageId: 'identifierTooLong', line: 2, column: 13, message: 'idx_', output: `CREATE INDEX Idx_${long64} ON articles (id);\nALTER INDEX Idx_${long64.slice(0, 59)} RENAME TO idx_${long64}_2;` },
        { messageId: 'identifierTooLong', line: 2, output: `CREATE INDEX Idx_${long64} ON articles (id);\nALTER INDEX Idx_${long64} RENAME TO idx_${long64.slice(0, 59)};` },
      ],
    },
    {
      name: 'schema-qualified trigger on a table created in the migration',
      sql: `CREATE TABLE t (id int);\nCREATE TRIGGER "${cjk63}表" AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f();`,
      errors: [{ messageId: 'identifierTooLong', line: 2, message: 'is 66 bytes long', output: `CREATE TABLE t (id int);\nCREATE TRIGGER "${cjk63}" AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f();` }],
    },
  ],
});
