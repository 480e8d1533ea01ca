import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, extension, suite, test, waitFor } from '../support/host.js';

suite('activation', () => {
  test('activates on a workspace with migrations, without loading the parser', async () => {
    // workspaceContains:**/migrations/**/*.sql activates it at startup; no SQL document is open yet.
    await waitFor('the extension to activate', () => extension().isActive, 20000);
    const a = await api();
    assert.equal(a.engineLoaded(), false, 'the parser and rules must not load before a migration is opened');
    assert.ok(a.activation.activateMs < 250, `activate() took ${a.activation.activateMs.toFixed(1)} ms`);
  });

  test('contributes its commands, view and settings', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['pgPreflight.preflight', 'pgPreflight.connect', 'pgPreflight.lintWorkspace', 'pgPreflight.showRuleDocs']) {
      assert.ok(commands.includes(id), `command ${id} is registered`);
    }
    const pkg = extension().packageJSON;
    const titles = Object.fromEntries(pkg.contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, `${c.category}: ${c.title}`]));
    assert.equal(titles['pgPreflight.preflight'], 'Postgres Preflight: Preflight current migration against target');
    assert.deepEqual(pkg.contributes.views.pgPreflight.map((v: { id: string }) => v.id), ['pgPreflight.database']);
    const cfg = vscode.workspace.getConfiguration('pgPreflight');
    assert.equal(typeof cfg.get('lint.debounceMs'), 'number');
    assert.equal(cfg.get('inlineLocks.enabled'), true);
    assert.ok((cfg.get<string[]>('migrationGlobs') ?? []).includes('**/migrations/**/*.sql'));
    assert.deepEqual(cfg.get('targets'), []);
  });
});
