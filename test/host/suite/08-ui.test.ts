// What a user sees, checked in the live workbench by the launcher (DOM + screenshots in .test-artifacts/host/).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, open, suite, suiteTeardown, test, ui } from '../support/host.js';

suite('workbench UI', () => {
  suiteTeardown(closeAll);

  test('squiggles, inline markers and status bar in the editor; the sidebar; the command palette', async () => {
    await closeAll();
    const editor = await open('db/migrations/003_view_count_to_int.sql');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const lens = 'AccessExclusiveLock on public.articles · blocks reads and writes · rewrites table';
    // VS Code first paints the lenses it cached for this file, then ours: wait for ours.
    const seen = await ui([{ name: 'editor', file: 'editor-squiggles', expectLens: lens }, 'sidebar', 'palette']);
    assert.equal(seen.error, undefined, seen.error);
    assert.ok((seen.squiggles?.warning ?? 0) + (seen.squiggles?.error ?? 0) + (seen.squiggles?.info ?? 0) > 0, `squiggles: ${JSON.stringify(seen.squiggles)}`);
    assert.ok(seen.codeLenses?.some((t) => t.includes(lens)), `code lenses: ${JSON.stringify(seen.codeLenses)}`);
    assert.ok(seen.statusBar?.some((t) => /pg-preflight/.test(t) && /no target/.test(t)), `status bar: ${JSON.stringify(seen.statusBar)}`);
    assert.ok(seen.welcome?.some((t) => t.includes('No target database is connected')), `welcome: ${JSON.stringify(seen.welcome)}`);
    assert.ok(seen.welcomeButtons?.includes('Connect…'), `buttons: ${JSON.stringify(seen.welcomeButtons)}`);
    assert.ok(seen.paletteRows?.some((t) => t.includes('Postgres Preflight: Preflight current migration against target')), `palette: ${JSON.stringify(seen.paletteRows)}`);
  });
});
