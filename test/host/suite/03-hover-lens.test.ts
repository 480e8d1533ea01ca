import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, linted, open, suite, suiteTeardown, test, writeFile } from '../support/host.js';

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

  test('a long migration: every marker has its text, in view or resolved when scrolled to, and none after an edit is lost', async () => {
    const statements: string[] = ["SET lock_timeout = '2s';"];
    for (let i = 0; i < 300; i++) {
      // bigint → integer → bigint …: every one of them changes the type, so every one rewrites the table.
      statements.push(i % 2 === 0 ? `ALTER TABLE articles ALTER COLUMN view_count TYPE ${i % 4 === 0 ? 'integer' : 'bigint'};` : `COMMENT ON TABLE articles IS 'revision ${i}';`);
    }
    const uri = writeFile('db/long/0001_long.sql', statements.join('\n') + '\n');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    await linted(editor.document);
    const rewrite = 'AccessExclusiveLock on public.articles · blocks reads and writes · rewrites table';
    const check = async () => {
      const list = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 1000);
      const rewrites = list.filter((l) => (l.command?.title ?? '') === rewrite).map((l) => l.range.start.line).sort((a, b) => a - b);
      assert.deepEqual(rewrites, Array.from({ length: 150 }, (_, i) => 1 + 2 * i), 'a marker on every ALTER COLUMN TYPE, with its text');
      assert.ok(list.every((l) => l.command?.title && l.command.command === 'pgPreflight.showLockDetails'), 'no marker without its text');
    };
    await check();
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '-- moved\n'));
    await editor.edit((b) => b.delete(new vscode.Range(0, 0, 1, 0)));
    await linted(editor.document);
    await check();
  });
});
