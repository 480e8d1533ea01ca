// The guards of cancel/terminate, with a scripted client: read-only targets, prepared transactions, the inspector's
// own pid, and the anti-wraparound autovacuum that needs confirmWraparound.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cancelBackend, precheck, terminateBackend } from '../../../src/inspector/actions.js';
import { resolveTarget } from '../../../src/inspector/connection.js';
import type { InspectorClient } from '../../../src/inspector/types.js';

const target = resolveTarget({ db: 'postgres://u@h/d' }, { env: {} });

function client(row: Record<string, unknown> | undefined, log: { sql: string; values?: unknown[] }[] = []): InspectorClient {
  return {
    async query<R>(sql: string, values?: unknown[]) {
      log.push({ sql, values });
      if (!row) return { rows: [] as R[] };
      // the server decides: signalled is NULL unless confirmed or not a wraparound vacuum
      const wraps = row.wrap === true || (row.wrap === null && row.auto_vacuum === true);
      return { rows: [{ ...row, signalled: values?.[1] === true || !wraps ? (row.signalled ?? true) : null }] as R[] };
    },
  };
}

describe('actions', () => {
  it('refuses read-only targets, pid 0 and the inspector itself without a round trip', () => {
    assert.equal(precheck({ ...target, readOnly: true }, 5)?.ok, false);
    const r = precheck({ ...target, readOnly: true }, 5);
    assert.equal(!r?.ok && r?.error.code, 'read-only');
    const p0 = precheck(target, 0);
    assert.match(!p0?.ok ? p0!.error.message : '', /prepared transaction.*ROLLBACK PREPARED/);
    assert.equal(precheck(target, 42, 42)?.ok, false);
    assert.equal(precheck(target, -1)?.ok, false);
    assert.equal(precheck(target, 42), undefined);
  });
  it('cancels an ordinary session', async () => {
    const log: { sql: string; values?: unknown[] }[] = [];
    const r = await cancelBackend(client({ pid: 8, application_name: 'migration', backend_type: 'client backend', wrap: false, auto_vacuum: false, relation: null }, log), target, 8);
    assert.ok(r.ok);
    assert.equal(r.ok && r.value.message, 'cancel request sent to pid 8 (migration)');
    assert.match(log[0].sql, /pg_cancel_backend/);
    assert.deepEqual(log[0].values, [8, false]);
  });
  it('refuses an anti-wraparound autovacuum unless confirmed; a hidden query on an autovacuum counts as one', async () => {
    const row = { pid: 7, application_name: '', backend_type: 'autovacuum worker', wrap: true, auto_vacuum: true, relation: 'public.articles' };
    const r = await cancelBackend(client(row), target, 7);
    assert.equal(!r.ok && r.error.code, 'wraparound-vacuum');
    assert.match(!r.ok ? r.error.message : '', /pid 7 is an anti-wraparound autovacuum on public\.articles: cancelling it helps only briefly/);
    const t = await terminateBackend(client(row), target, 7);
    assert.match(!t.ok ? t.error.message : '', /terminating it/);
    const ok = await cancelBackend(client(row), target, 7, { confirmWraparound: true });
    assert.ok(ok.ok && ok.value.wraparound);
    const hidden = await cancelBackend(client({ ...row, wrap: null, backend_type: null }), target, 7);
    assert.match(!hidden.ok ? hidden.error.message : '', /possibly an anti-wraparound/);
  });
  it('reports a pid that is gone', async () => {
    const r = await cancelBackend(client(undefined), target, 12345);
    assert.equal(!r.ok && r.error.code, 'not-found');
    const f = await terminateBackend(client({ pid: 5, wrap: false, auto_vacuum: false, signalled: false }), target, 5);
    assert.equal(!f.ok && f.error.code, 'not-found');
  });
  it('explains a permission error', async () => {
    const denied: InspectorClient = { async query() { throw Object.assign(new Error('permission denied to cancel query'), { code: '42501' }); } };
    const r = await cancelBackend(denied, target, 9);
    assert.equal(!r.ok && r.error.code, 'permission');
    assert.match(!r.ok ? r.error.message : '', /not allowed to cancel pid 9: .*pg_signal_backend/);
  });
});
