import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import { api, closeAll, codeOf, linted, open, ours, suite, suiteTeardown, test, teardown, type, sleep, writeFile } from '../support/host.js';

const DOCS = 'https://github.com/pg-preflight/pg-preflight/blob/main/docs/rules/';

function byRule(diags: vscode.Diagnostic[], rule: string): vscode.Diagnostic[] {
  return diags.filter((d) => codeOf(d) === rule);
}

suite('diagnostics', () => {
  teardown(closeAll);
  suiteTeardown(closeAll);

  test('a migration is diagnosed: source, code with docs link, exact range, severity', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    assert.equal((await api()).engineLoaded(), true);
    const diags = ours(editor.document.uri);
    const idx = byRule(diags, 'require-concurrent-index-creation');
    assert.equal(idx.length, 2, JSON.stringify(diags.map(codeOf)));
    const [first, second] = idx.sort((a, b) => a.range.start.line - b.range.start.line);
    assert.equal(first.source, 'pg-preflight');
    assert.equal(first.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([first.range.start.line, first.range.start.character, first.range.end.line, first.range.end.character], [1, 0, 1, 12]);
    // The indented statement keeps its own columns.
    assert.deepEqual([second.range.start.line, second.range.start.character, second.range.end.character], [3, 2, 14]);
    assert.match(first.message, /SHARE lock on public\.articles/);
    const code = first.code as { value: string; target: vscode.Uri };
    assert.equal(code.value, 'require-concurrent-index-creation');
    assert.equal(code.target.toString(true), `${DOCS}require-concurrent-index-creation.md`);
    for (const d of diags) assert.ok(d.code && typeof d.code === 'object' && d.code.target.toString(true).startsWith(DOCS), `docs link on ${codeOf(d)}`);
  });

  test('a keystroke that moves no finding leaves the diagnostics as shown; one that moves them moves them', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const a = await api();
    const shown = (uri: vscode.Uri) => ours(uri).map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`).sort();
    const before = shown(editor.document.uri);
    assert.ok(before.length >= 2, JSON.stringify(before));
    // A space after the last `;`: nothing moves, so nothing is sent to VS Code again.
    const last = editor.document.lineCount - 1;
    await type(editor, new vscode.Position(last, editor.document.lineAt(last).text.length), ' ');
    assert.deepEqual(shown(editor.document.uri), before);
    assert.equal(a.lastLint(editor.document.uri)!.published, false, 'unchanged diagnostics are not sent again');
    // A line added at the top: every diagnostic moves down one line.
    await type(editor, new vscode.Position(0, 0), '-- a new first line\n');
    const moved = before.map((d) => d.replace(/@(\d+):(\d+)-(\d+):/, (_, l1, c1, l2) => `@${Number(l1) + 1}:${c1}-${Number(l2) + 1}:`)).sort();
    assert.deepEqual(shown(editor.document.uri), moved);
    assert.equal(a.lastLint(editor.document.uri)!.published, true);
  });

  test('a long migration opened: its first statements are diagnosed before the rest are analysed, then all of them', async () => {
    const a = await api();
    const uri = writeFile('long/migrations/001_long.sql', Array.from({ length: 700 }, (_, i) => `CREATE INDEX idx_${i} ON articles (title);`).join('\n') + '\n');
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      const l = await a.whenLinted(doc.uri, doc.version);
      assert.ok(l.firstPublishedAt !== undefined, 'analysed in steps');
      assert.ok(l.firstPublishedAt < l.startedAt + l.ms, 'the first diagnostics came before the end of the analysis');
      // The first statements' diagnostics (a few per statement), then every statement's.
      assert.ok(l.firstPublished! > 0 && l.firstPublished! < l.result!.findings.length / 2, `${l.firstPublished} diagnostics first, of ${l.result!.findings.length}`);
      assert.equal(byRule(ours(uri), 'require-concurrent-index-creation').length, 700);
      assert.equal(l.result!.statements.length, 700);
      // A keystroke afterwards is linted as usual (whether it is incremental is the analyzer's unit tests' concern:
      // here the new file's watcher event may rebuild the folder's schema first).
      const editor = await vscode.window.showTextDocument(doc);
      await type(editor, new vscode.Position(350, 0), ' ');
      assert.equal(a.lastLint(doc.uri)!.result!.statements.length, 700);
      assert.equal(byRule(ours(uri), 'require-concurrent-index-creation').length, 700);
    } finally {
      await closeAll();
      fs.rmSync(uri.fsPath, { force: true });
    }
  });

  test('the schema comes from the dump and the earlier migrations of the folder', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const result = (await api()).lastLint(editor.document.uri)!.result!;
    // comments is created by 001_create_comments.sql and articles by the dump: both are known, neither is new here.
    for (const st of result.statements) {
      assert.deepEqual(st.effects.unknowns, [], `statement ${st.index}: ${st.effects.unknowns.join('; ')}`);
      assert.ok(st.locks.every((l) => !l.createdInMigration));
    }
    assert.equal(byRule(ours(editor.document.uri), 'require-concurrent-index-creation').length, 2);
  });

  test('typing re-analyses the buffer only: no config, dump or folder history is read again', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const a = await api();
    const before = a.projectStats()!;
    for (let i = 0; i < 5; i++) await type(editor, new vscode.Position(0, 2), 'x');
    assert.deepEqual(a.projectStats(), before);
  });

  test('a half-typed statement gives one syntax-error and the rest is still analysed', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    await type(editor, new vscode.Position(2, 0), 'ALTER TABLE articles ADD COLU');
    let diags = ours(editor.document.uri);
    const syntax = diags.filter((d) => codeOf(d) === 'syntax-error');
    assert.equal(syntax.length, 1, JSON.stringify(diags.map((d) => [codeOf(d), d.message])));
    assert.equal(syntax[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(syntax[0].range.start.line, 2);
    assert.equal(byRule(diags, 'require-concurrent-index-creation').length, 2, 'both CREATE INDEX statements are still analysed');
    // Finish the statement: the syntax error goes, the new statement is analysed.
    await type(editor, new vscode.Position(2, 29), 'MN slug text;');
    diags = ours(editor.document.uri);
    assert.equal(diags.filter((d) => codeOf(d) === 'syntax-error').length, 0);
    assert.ok(diags.some((d) => d.range.start.line === 2), 'the completed ALTER TABLE is analysed');
  });

  test('typing is debounced: a burst of keystrokes is linted once, at its last version', async () => {
    // A generous debounce for this test, so that the pace of edits through a busy workbench cannot look like pauses.
    const cfg = vscode.workspace.getConfiguration('pgPreflight');
    await cfg.update('lint.debounceMs', 600, vscode.ConfigurationTarget.Global);
    const editor = await open('db/migrations/003_view_count_to_int.sql');
    const a = await api();
    const seen: number[] = [];
    const sub = a.onDidLint((l) => { if (l.uri === editor.document.uri.toString()) seen.push(l.version); });
    const typed = '-- a comment typed quickly';
    try {
      const t0 = Date.now();
      for (const ch of typed) {
        await editor.edit((b) => b.insert(editor.document.lineAt(editor.document.lineCount - 1).range.end, ch));
      }
      const burstMs = Date.now() - t0;
      await linted(editor.document);
      await sleep(100);
      if (burstMs < 2000) assert.ok(seen.length <= 3, `linted ${seen.length} times for ${typed.length} keystrokes in ${burstMs} ms`);
      else assert.ok(seen.length < typed.length / 2, `linted ${seen.length} times for ${typed.length} keystrokes in ${burstMs} ms`);
      assert.equal(seen[seen.length - 1], editor.document.version, 'the last version is the one linted');
    } finally {
      sub.dispose();
      await cfg.update('lint.debounceMs', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('any SQL document is linted, untitled buffers too', async () => {
    const editor = await open('db/other/scratch.sql');
    assert.equal(byRule(ours(editor.document.uri), 'ban-drop-table').length, 1, 'SQL outside migration folders is linted');
    const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: 'ALTER TABLE articles ADD COLUMN c int;\nCREATE INDEX i ON articles (c);\n' });
    await vscode.window.showTextDocument(doc);
    await linted(doc);
    assert.ok(byRule(ours(doc.uri), 'require-concurrent-index-creation').length === 1);
  });
});
