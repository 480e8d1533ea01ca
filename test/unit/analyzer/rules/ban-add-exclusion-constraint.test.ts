import rule from '../../../../src/analyzer/rules/ban-add-exclusion-constraint.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE TABLE bookings (id bigint PRIMARY KEY, room int, during tstzrange); CREATE SCHEMA "Hotel"; CREATE TABLE "Hotel"."Stays" ("Room" int, "During" tstzrange);',
  valid: [
    { name: 'exclusion constraint in CREATE TABLE', sql: 'CREATE TABLE t (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));' },
    { name: 'table created in the same migration', sql: 'CREATE TABLE t (room int, during tstzrange);\nALTER TABLE t ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);' },
    { name: 'other constraints', sql: 'ALTER TABLE bookings ADD CONSTRAINT room_ok CHECK (room > 0) NOT VALID;' },
    { name: 'dropping one', sql: 'ALTER TABLE bookings DROP CONSTRAINT IF EXISTS no_overlap;' },
  ],
  invalid: [
    {
      name: 'named exclusion constraint',
      sql: 'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
      errors: [{ messageId: 'buildsIndex', line: 1, column: 26, message: 'ADD CONSTRAINT no_overlap EXCLUDE builds its index on public.bookings while holding ACCESS EXCLUSIVE: reads and writes on it wait' }],
    },
    {
      name: 'unnamed, quoted, schema-qualified, mixed case, with a WHERE',
      sql: 'alter table "Hotel"."Stays" add exclude using gist ("Room" with =, "During" with &&) where ("Room" > 0);',
      errors: [{ messageId: 'buildsIndex', message: 'ADD EXCLUDE builds its index on "Hotel"."Stays"' }],
    },
    {
      name: 'explicit transaction, comments, IF EXISTS',
      sql: 'BEGIN;\n-- no double booking\nALTER TABLE IF EXISTS bookings\n  ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);\nCOMMIT;',
      errors: [{ messageId: 'buildsIndex', line: 4, column: 7 }],
    },
    {
      name: 'table unknown to the schema model still warns', pgVersion: 13,
      sql: 'ALTER TABLE reservations ADD EXCLUDE USING gist (during WITH &&);',
      errors: [{ messageId: 'buildsIndex', message: 'public.reservations' }],
    },
  ],
});
