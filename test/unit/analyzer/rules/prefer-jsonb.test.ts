import rule from '../../../../src/analyzer/rules/prefer-jsonb.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE articles (id bigint PRIMARY KEY, meta text); CREATE SCHEMA app; CREATE TABLE app."Users" (id bigint, prefs text);',
  valid: [
    { name: 'jsonb column', sql: 'CREATE TABLE t (id bigint, doc jsonb);' },
    { name: 'ADD COLUMN jsonb IF NOT EXISTS', sql: 'ALTER TABLE articles ADD COLUMN IF NOT EXISTS doc jsonb;' },
    { name: 'a user type named json in another schema', sql: 'CREATE TABLE t (doc app.json);' },
    { name: 'json in an expression is not a column type', sql: "SELECT '{}'::json;" },
    { name: 'PostgreSQL 13: jsonb', pgVersion: 13, sql: 'ALTER TABLE app."Users" ALTER COLUMN prefs TYPE jsonb USING prefs::jsonb;' },
  ],
  invalid: [
    {
      name: 'CREATE TABLE with a json column',
      sql: 'CREATE TABLE events (id bigint, payload json NOT NULL);',
      errors: [{ messageId: 'jsonColumn', line: 1, column: 41, message: 'public.events.payload is json', output: 'CREATE TABLE events (id bigint, payload jsonb NOT NULL);' }],
    },
    {
      name: 'ADD COLUMN on a quoted schema-qualified table, after a comment, in a transaction',
      sql: 'BEGIN;\n-- preferences\nALTER TABLE app."Users" ADD COLUMN "Settings" JSON;\nCOMMIT;',
      errors: [{ messageId: 'jsonColumn', line: 3, column: 47, message: 'app."Users"."Settings" is JSON', output: 'BEGIN;\n-- preferences\nALTER TABLE app."Users" ADD COLUMN "Settings" jsonb;\nCOMMIT;' }],
    },
    {
      name: 'ALTER COLUMN TYPE json and a json[] column, several statements, new table too (PostgreSQL 18)',
      pgVersion: 18,
      sql: 'ALTER TABLE Public.Articles ALTER COLUMN meta TYPE pg_catalog.json USING meta::json;\nCREATE TABLE t (a json[]);',
      errors: [
        { messageId: 'jsonColumn', line: 1, column: 52, message: 'public.articles.meta', output: 'ALTER TABLE Public.Articles ALTER COLUMN meta TYPE jsonb USING meta::json;\nCREATE TABLE t (a json[]);' },
        { messageId: 'jsonColumn', line: 2, message: 'json[]', output: 'ALTER TABLE Public.Articles ALTER COLUMN meta TYPE pg_catalog.json USING meta::json;\nCREATE TABLE t (a jsonb[]);' },
      ],
    },
  ],
});
