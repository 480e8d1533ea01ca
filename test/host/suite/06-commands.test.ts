import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, open, ours, root, suite, suiteTeardown, test, writeFile, wsUri } from '../support/host.js';

suite('commands and status bar', () => {
  suiteTeardown(closeAll);

  test('preflight without a target says so and offers Connect…', async () => {
    await open('db/migrations/003_view_count_to_int.sql');
    const outcome = await vscode.commands.executeCommand('pgPreflight.preflight') as { status: string };
    assert.deepEqual(outcome, { status: 'no-target' });
  });

  test('connect keeps the password in secret storage, never in settings', async () => {
    const outcome = await vscode.commands.executeCommand('pgPreflight.connect', { url: 'postgres://alice:s3cr3t-pw@db.internal:5432/app' }) as { target: string; passwordStored: boolean; connected: boolean; message: string };
    assert.equal(outcome.passwordStored, true);
    assert.equal(outcome.connected, false);
    assert.equal(outcome.target, 'postgres://alice@db.internal:5432/app');
    assert.match(outcome.message, /did not connect/);
    assert.doesNotMatch(JSON.stringify(vscode.workspace.getConfiguration('pgPreflight')), /s3cr3t/);
    const settingsFile = path.join(root(), '.vscode/settings.json');
    assert.doesNotMatch(fs.readFileSync(settingsFile, 'utf8'), /s3cr3t/);
  });

  test('the status bar shows the findings of the active migration and the target', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const a = await api();
    const result = a.lastLint(editor.document.uri)!.result!;
    const errors = result.findings.filter((f) => f.severity === 'error').length;
    const warnings = result.findings.filter((f) => f.severity === 'warning').length;
    assert.match(a.statusText(), new RegExp(`\\$\\(error\\) ${errors} \\$\\(warning\\) ${warnings}.* · no target$`));
  });

  test('lint workspace puts every migration into the Problems panel', async () => {
    await closeAll();
    // A migration no editor has opened: only lint workspace can report it.
    const fresh = writeFile('db/migrations/005_never_opened.sql', 'ALTER TABLE authors ADD COLUMN bio text;\nCREATE INDEX authors_bio_idx ON authors (bio);\n');
    try {
      const outcome = await vscode.commands.executeCommand('pgPreflight.lintWorkspace') as { files: number; findings: number; cancelled: boolean };
      assert.equal(outcome.cancelled, false);
      assert.ok(outcome.files >= 6, `linted ${outcome.files} files`);
      assert.ok(ours(fresh).some((d) => codeOf(d) === 'require-concurrent-index-creation'), 'closed files get diagnostics');
      assert.ok(ours(wsUri('db/migrations/004_mixed.sql')).some((d) => codeOf(d) === 'require-concurrent-index-creation'));
    } finally {
      // Deleting the file removes what lint workspace reported for it.
      fs.rmSync(fresh.fsPath);
    }
    const until = Date.now() + 10000;
    while (ours(fresh).length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(ours(fresh).length, 0);
  });
});
