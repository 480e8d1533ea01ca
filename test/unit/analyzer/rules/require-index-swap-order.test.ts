import rule from '../../../../src/analyzer/rules/require-index-swap-order.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: [
    'CREATE TABLE change_events (id bigint PRIMARY KEY, account_id bigint, created_at timestamptz, kind text);',
    'CREATE INDEX change_events_account_idx ON change_events (account_id);',
    'CREATE INDEX change_events_kind_idx ON change_events (kind);',
    'CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int, state text, queue text);',
    'CREATE INDEX "Jobs_state_queue" ON app."Jobs" (state, queue);',
  ].join('\n'),
  valid: [
    {
      name: 'build, verify, then drop (the safe order)',
      sql: [
        'CREATE INDEX CONCURRENTLY change_events_account_created_idx ON change_events (account_id, created_at);',
        "DO $$ BEGIN IF NOT (SELECT indisvalid FROM pg_index WHERE indexrelid = 'change_events_account_created_idx'::regclass) THEN RAISE EXCEPTION 'invalid'; END IF; END $$;",
        'DROP INDEX CONCURRENTLY change_events_account_idx;',
      ].join('\n'),
    },
    { name: 'drop of an index nothing replaces', sql: 'DROP INDEX CONCURRENTLY change_events_kind_idx;\nCREATE INDEX CONCURRENTLY change_events_created_idx ON change_events (created_at);' },
    { name: 'a new index on another table', sql: 'DROP INDEX CONCURRENTLY change_events_account_idx;\nCREATE INDEX CONCURRENTLY jobs_account_idx ON app."Jobs" (id);' },
    { name: 'index created in the same migration', sql: 'CREATE INDEX tmp_idx ON change_events (kind);\nDROP INDEX tmp_idx;\nCREATE INDEX tmp2_idx ON change_events (kind);' },
    {
      name: 'table renamed away and recreated: the new index belongs to a new table',
      sql: [
        'ALTER TABLE change_events RENAME TO _bkp_change_events;',
        'DROP INDEX change_events_account_idx;',
        'CREATE TABLE change_events (id bigint PRIMARY KEY, account_id bigint);',
        'CREATE INDEX change_events_account_idx ON change_events (account_id);',
      ].join('\n'),
    },
    { name: 'replacement built before the drop without CONCURRENTLY (atomic)', sql: 'BEGIN;\nCREATE INDEX change_events_account2_idx ON change_events (account_id, id);\nDROP INDEX change_events_account_idx;\nCOMMIT;' },
  ],
  invalid: [
    {
      name: 'incident 05: drop first, then CREATE INDEX CONCURRENTLY of the compound index',
      sql: '-- swap the index\nDROP INDEX CONCURRENTLY change_events_account_idx;\nCREATE INDEX CONCURRENTLY change_events_account_created_idx ON change_events (account_id, created_at);',
      errors: [{ messageId: 'indexGap', line: 2, column: 1, message: 'public.change_events_account_created_idx, line 3' }],
    },
    {
      name: 'same name, rebuilt in autocommit, quoted and schema-qualified',
      sql: 'drop index app."Jobs_state_queue";\ncreate index "Jobs_state_queue" on App."Jobs" (queue, state);',
      errors: [{ messageId: 'indexGap', line: 1, message: 'no usable index on (state, queue)' }],
    },
    {
      name: 'same transaction, plain build: the drop\'s ACCESS EXCLUSIVE lock is held for the whole build',
      sql: 'BEGIN;\nDROP INDEX IF EXISTS change_events_account_idx;\nCREATE INDEX change_events_account_created_idx ON change_events (account_id, created_at);\nCOMMIT;',
      errors: [{ messageId: 'dropHeldDuringBuild', line: 2, message: 'ACCESS EXCLUSIVE lock the drop takes on public.change_events' }],
    },
    {
      name: 'runner transaction with a CONCURRENTLY build is still a gap (the build cannot share it)',
      sql: 'DROP INDEX change_events_account_idx;\nCREATE INDEX CONCURRENTLY change_events_account_created_idx ON change_events (account_id, created_at);',
      options: { runner: 'flyway' }, pgVersion: 13,
      errors: [{ messageId: 'indexGap', line: 1 }],
    },
    {
      name: 'replacement built first but never verified',
      sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS change_events_account_created_idx ON change_events (account_id, created_at);\nSELECT 1;\nDROP INDEX CONCURRENTLY change_events_account_idx;',
      pgVersion: 18,
      errors: [{ messageId: 'unverifiedReplacement', line: 3, message: 'follows CREATE INDEX CONCURRENTLY public.change_events_account_created_idx (line 1)' }],
    },
  ],
});
