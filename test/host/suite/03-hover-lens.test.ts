import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, linted, open, suite, suiteTeardown, test } from '../support/host.js';

async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n---\n');
}

async function lenses(uri: vscode.Uri): Promise<Array<{ line: number; title: string }>> {
  const list = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
  return list.map((l) => ({ line: l.range.start.line, title: l.command?.title ?? '' })).sort((a, b) => a.line - b.line);
}

suite('hover and inline lock markers', () => {
  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('pgPreflight').update('inlineLocks.enabled', undefined, vscode.ConfigurationTarget.Global);
    await closeAll();
  });

  test('hover: lock per table, what it blocks, rewrite, transaction, lock_timeout, live placeholder', async () => {
    const editor = await open('db/migrations/003_view_count_to_int.sql');
    const text = await hoverText(editor.document.uri, new vscode.Position(1, 5));
    assert.match(text, /`public\.articles`/);
    assert.match(text, /ACCESS EXCLUSIVE \(`AccessExclusiveLock`\)/);
    assert.match(text, /reads, writes and DDL/);
    assert.match(text, /ALTER COLUMN TYPE/);
    assert.match(text, /\*\*Rewrites\*\* `public\.articles`/);
    assert.match(text, /Transaction: autocommit/);
    assert.match(text, /lock_timeout: `2s`/);
    assert.match(text, /Live data: no target database connected/);
    assert.match(text, /command:pgPreflight\.connect/);
  });

  test('hover: scans, a missing lock_timeout, unknowns', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const text = await hoverText(editor.document.uri, new vscode.Position(1, 3));
    assert.match(text, /SHARE \(`ShareLock`\)/);
    assert.match(text, /\| writes and DDL \|/);
    assert.match(text, /\*\*Scans\*\* `public\.articles`/);
    assert.match(text, /lock_timeout: \*\*not set\*\*/);
    const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: 'ALTER TABLE ghost ALTER COLUMN x TYPE bigint;\n' });
    await vscode.window.showTextDocument(doc);
    await linted(doc);
    const ghost = await hoverText(doc.uri, new vscode.Position(0, 2));
    assert.match(ghost, /\*\*Unknown\*\*/);
    assert.match(ghost, /public\.ghost is not in the schema model/);
    // Outside any statement: no pg-preflight hover.
    const none = await hoverText(editor.document.uri, new vscode.Position(0, 3));
    assert.doesNotMatch(none, /pg-preflight/);
  });

  test('an inline marker per locking statement, toggled by pgPreflight.inlineLocks.enabled', async () => {
    const editor = await open('db/migrations/003_view_count_to_int.sql');
    assert.deepEqual(await lenses(editor.document.uri), [
      { line: 1, title: 'AccessExclusiveLock on public.articles · blocks reads and writes · rewrites table' },
    ]);
    const idx = await open('db/migrations/002_index_articles.sql');
    assert.deepEqual((await lenses(idx.document.uri)).map((l) => l.title), [
      'ShareLock on public.articles · blocks writes (reads still run) · scans table',
      'ShareLock on public.comments · blocks writes (reads still run) · scans table',
    ]);
    const cfg = vscode.workspace.getConfiguration('pgPreflight');
    await cfg.update('inlineLocks.enabled', false, vscode.ConfigurationTarget.Global);
    assert.deepEqual(await lenses(idx.document.uri), []);
    await cfg.update('inlineLocks.enabled', true, vscode.ConfigurationTarget.Global);
    assert.equal((await lenses(idx.document.uri)).length, 2);
  });
});
