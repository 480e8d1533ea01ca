import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, linted, open, ours, suite, teardown, test, waitFor } from '../support/host.js';

const RULE = 'require-concurrent-index-creation';

async function actionsFor(uri: vscode.Uri, d: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value);
  // The provider answers for every diagnostic touching the range, and executeCodeActionProvider drops the actions'
  // diagnostics: keep the actions of this finding by title (its fix's title, or its rule id).
  const rule = codeOf(d);
  const finding = (await api()).lastLint(uri)?.result?.findings.find((f) => f.ruleId === rule && f.range.start.line === d.range.start.line && f.range.start.character === d.range.start.character);
  return all.filter((a) => a.command && /^pgPreflight\./.test(a.command.command) && (a.title.includes(rule) || (finding?.fix !== undefined && a.title === finding.fix.title)));
}

async function run(a: vscode.CodeAction): Promise<unknown> {
  return vscode.commands.executeCommand(a.command!.command, ...(a.command!.arguments ?? []));
}

function ruleDiags(uri: vscode.Uri, rule = RULE): vscode.Diagnostic[] {
  return ours(uri).filter((d) => codeOf(d) === rule).sort((a, b) => a.range.start.line - b.range.start.line);
}

async function relinted(editor: vscode.TextEditor): Promise<void> {
  await linted(editor.document);
}

suite('code actions', () => {
  teardown(closeAll);

  test('the fixed set: fix (suggestion), ignore statement, ignore file, documentation', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const d = ruleDiags(editor.document.uri)[0];
    const titles = (await actionsFor(editor.document.uri, d)).map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`);
    assert.deepEqual(titles, [
      'Add CONCURRENTLY',
      `Ignore ${RULE} for this statement`,
      `Ignore ${RULE} for this file`,
      `Show documentation for ${RULE}`,
    ]);
  });

  test('a preferred fix is offered as the preferred quick fix', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const result = (await api()).lastLint(editor.document.uri)!.result!;
    const preferred = result.findings.find((f) => f.fix?.isPreferred);
    assert.ok(preferred, 'the fixture has a finding with a meaning-preserving fix');
    const d = ours(editor.document.uri).find((x) => codeOf(x) === preferred.ruleId && x.range.start.line === preferred.range.start.line)!;
    const fix = (await actionsFor(editor.document.uri, d)).find((a) => a.title === preferred.fix!.title)!;
    assert.equal(fix.isPreferred, true);
    assert.equal(fix.kind?.value, 'quickfix');
  });

  test('applying the fix removes the diagnostic', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const d = ruleDiags(editor.document.uri)[0];
    const fix = (await actionsFor(editor.document.uri, d))[0];
    assert.equal(await run(fix), true);
    await relinted(editor);
    assert.equal(editor.document.lineAt(1).text, 'CREATE INDEX CONCURRENTLY articles_title_idx ON articles (title);');
    const left = ruleDiags(editor.document.uri);
    assert.equal(left.length, 1, 'only the other CREATE INDEX is still flagged');
    assert.equal(left[0].range.start.line, 3);
  });

  test('ignore for this statement: a directive on the line before, with its indentation', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const d = ruleDiags(editor.document.uri)[1];
    const ignore = (await actionsFor(editor.document.uri, d)).find((a) => a.title === `Ignore ${RULE} for this statement`)!;
    assert.equal(await run(ignore), true);
    await relinted(editor);
    assert.equal(editor.document.lineAt(3).text, `  -- pg-preflight-ignore ${RULE}`);
    assert.equal(editor.document.lineAt(4).text, '  CREATE INDEX comments_article_id_idx ON comments (article_id);');
    assert.deepEqual(ruleDiags(editor.document.uri).map((x) => x.range.start.line), [1]);
    // A second rule on the same statement extends the directive instead of stacking another line.
    const other = ours(editor.document.uri).find((x) => x.range.start.line === 4 && codeOf(x) !== 'syntax-error')!;
    const rule2 = codeOf(other);
    const again = (await actionsFor(editor.document.uri, other)).find((a) => a.title === `Ignore ${rule2} for this statement`)!;
    assert.equal(await run(again), true);
    await relinted(editor);
    assert.equal(editor.document.lineAt(3).text, `  -- pg-preflight-ignore ${RULE}, ${rule2}`);
    assert.equal(ours(editor.document.uri).filter((x) => codeOf(x) === rule2 && x.range.start.line === 4).length, 0);
  });

  test('ignore for this file: a directive at the top silences the rule everywhere', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const d = ruleDiags(editor.document.uri)[0];
    const ignore = (await actionsFor(editor.document.uri, d)).find((a) => a.title === `Ignore ${RULE} for this file`)!;
    assert.equal(await run(ignore), true);
    await relinted(editor);
    assert.equal(editor.document.lineAt(0).text, `-- pg-preflight-ignore-file ${RULE}`);
    assert.equal(ruleDiags(editor.document.uri).length, 0);
    assert.ok(ours(editor.document.uri).length > 0, 'other rules still report');
  });

  test('an edit computed for an older version is not applied; the document is re-linted', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const d = ruleDiags(editor.document.uri)[0];
    const fix = (await actionsFor(editor.document.uri, d))[0];
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '-- edited meanwhile\n'));
    const before = editor.document.getText();
    assert.equal(await run(fix), false);
    assert.equal(editor.document.getText(), before, 'nothing applied to the newer version');
    await relinted(editor);
    await waitFor('the diagnostics to follow the edit', () => ruleDiags(editor.document.uri)[0]?.range.start.line === 2);
  });

  test('show documentation opens the doc bundled with the extension', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const d = ruleDiags(editor.document.uri)[0];
    const docs = (await actionsFor(editor.document.uri, d)).find((a) => a.title.startsWith('Show documentation'))!;
    const outcome = await run(docs) as { opened: string; uri: string };
    assert.equal(outcome.opened, 'bundled');
    assert.match(outcome.uri, new RegExp(`/docs/rules/${RULE}\\.md$`));
    const missing = await vscode.commands.executeCommand('pgPreflight.showRuleDocs', 'no-such-rule') as { opened: string; uri: string };
    assert.equal(missing.opened, 'url');
    assert.equal(missing.uri, 'https://github.com/pg-preflight/pg-preflight/blob/main/docs/rules/no-such-rule.md');
  });
});
