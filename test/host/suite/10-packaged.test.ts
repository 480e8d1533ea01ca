// Runs against the .vsix installed into code-server (scripts/host/run.mjs --vsix): the packaged extension, not the
// repository, activates and diagnoses.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeAll, codeOf, extension, mode, open, ours, repo, suite, suiteTeardown, test, waitFor } from '../support/host.js';

suite('packaged .vsix', () => {
  suiteTeardown(closeAll);

  test('the installed .vsix activates and diagnoses', async () => {
    assert.equal(mode, 'vsix');
    await waitFor('activation', () => extension().isActive, 20000);
    const where = extension().extensionUri.fsPath;
    assert.ok(!where.startsWith(repo), `runs from the installed copy (${where})`);
    for (const f of ['dist/extension.cjs', 'dist/libpg-query.wasm', 'docs/rules/require-concurrent-index-creation.md', 'syntaxes/pg-preflight-directives.injection.tmLanguage.json', 'media/activity-bar.svg']) {
      assert.ok(fs.existsSync(path.join(where, f)), `${f} is packaged`);
    }
    assert.ok(!fs.existsSync(path.join(where, 'node_modules')), 'no node_modules in the package');
    assert.ok(!fs.existsSync(path.join(where, 'src')), 'no sources in the package');
    const editor = await open('db/migrations/002_index_articles.sql');
    assert.equal(ours(editor.document.uri).filter((d) => codeOf(d) === 'require-concurrent-index-creation').length, 2);
  });
});
