import rule from '../../../../src/analyzer/rules/ban-domain-check-constraint.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: 'CREATE DOMAIN qty AS int; CREATE SCHEMA app; CREATE DOMAIN app."Email" AS text; CREATE TABLE orders (id bigint, amount qty); CREATE TABLE app."Users" (id bigint, email app."Email");',
  valid: [
    { name: 'domain without CHECK', sql: 'CREATE DOMAIN positive_int AS int NOT NULL;' },
    { name: 'ADD CONSTRAINT … NOT VALID', sql: 'ALTER DOMAIN qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0) NOT VALID;' },
    { name: 'a CHECK on the column instead', sql: 'ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > 0) NOT VALID;' },
    { name: 'ALTER DOMAIN on a domain created in the same migration', sql: 'CREATE DOMAIN d AS int;\nALTER DOMAIN d ADD CONSTRAINT d_check CHECK (VALUE > 0);' },
    { name: 'DROP CONSTRAINT IF EXISTS (PostgreSQL 13)', pgVersion: 13, sql: 'ALTER DOMAIN qty DROP CONSTRAINT IF EXISTS qty_positive;' },
  ],
  invalid: [
    {
      name: 'CREATE DOMAIN … CHECK',
      sql: 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);',
      errors: [{ messageId: 'createDomainCheck', line: 1, column: 35, message: 'CREATE DOMAIN public.positive_int has a CHECK constraint' }],
    },
    {
      name: 'named CHECK on a quoted schema-qualified domain, after a comment (PostgreSQL 18)',
      pgVersion: 18,
      sql: '-- emails\nCREATE DOMAIN app."Handle" AS text NOT NULL CONSTRAINT handle_format CHECK (VALUE ~ \'^@\');',
      errors: [{ messageId: 'createDomainCheck', line: 2, column: 45, message: 'app."Handle"' }],
    },
    {
      name: 'ALTER DOMAIN ADD CONSTRAINT names the tables it scans',
      sql: 'BEGIN;\nALTER DOMAIN qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0);\nCOMMIT;',
      errors: [{ messageId: 'alterDomainAddConstraint', line: 2, column: 18, message: 'ALTER DOMAIN public.qty ADD CONSTRAINT checks every column of type public.qty in every table (public.orders) under SHARE lock' }],
    },
    {
      name: 'quoted schema-qualified domain, mixed case, NOT NULL constraint (PostgreSQL 13)',
      pgVersion: 13,
      sql: 'alter domain APP."Email" add not null;',
      errors: [{ messageId: 'alterDomainAddConstraint', line: 1, message: 'app."Email"' }],
    },
  ],
});
