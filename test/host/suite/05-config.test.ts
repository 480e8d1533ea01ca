import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, open, ours, root, suite, suiteSetup, suiteTeardown, teardown, test, waitFor, writeFile } from '../support/host.js';

const RULE = 'require-concurrent-index-creation';
let originalConfig = '';
let originalFirst = '';
let originalDump = '';

function severityOf(uri: vscode.Uri): vscode.DiagnosticSeverity | 'none' {
  const d = ours(uri).find((x) => codeOf(x) === RULE);
  return d ? d.severity : 'none';
}

suite('.pgpreflight.json and the folder history', () => {
  suiteSetup(() => {
    originalConfig = fs.readFileSync(path.join(root(), '.pgpreflight.json'), 'utf8');
    originalFirst = fs.readFileSync(path.join(root(), 'db/migrations/001_create_comments.sql'), 'utf8');
    originalDump = fs.readFileSync(path.join(root(), 'db/schema.sql'), 'utf8');
  });
  teardown(() => {
    writeFile('.pgpreflight.json', originalConfig);
    writeFile('db/migrations/001_create_comments.sql', originalFirst);
    writeFile('db/schema.sql', originalDump);
  });
  suiteTeardown(closeAll);

  test('changing .pgpreflight.json changes the diagnostics of open migrations', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const uri = editor.document.uri;
    assert.equal(severityOf(uri), vscode.DiagnosticSeverity.Error);
    const cfg = JSON.parse(originalConfig);
    writeFile('.pgpreflight.json', JSON.stringify({ ...cfg, rules: { [RULE]: 'warning' } }));
    await waitFor('the severity from the new config', () => severityOf(uri) === vscode.DiagnosticSeverity.Warning);
    writeFile('.pgpreflight.json', JSON.stringify({ ...cfg, rules: { [RULE]: 'off' } }));
    await waitFor('the rule to be turned off', () => severityOf(uri) === 'none');
    writeFile('.pgpreflight.json', originalConfig);
    await waitFor('the original severity', () => severityOf(uri) === vscode.DiagnosticSeverity.Error);
  });

  test('an invalid .pgpreflight.json stops linting and says why, as the CLI does', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const uri = editor.document.uri;
    writeFile('.pgpreflight.json', JSON.stringify({ pgVersion: 9 }));
    await waitFor('the config error', async () => (await api()).lastLint(uri)?.error);
    const a = await api();
    assert.match(a.lastLint(uri)!.error!, /pgVersion must be one of/);
    assert.equal(ours(uri).length, 0);
    assert.match(a.statusText(), /\$\(error\) pg-preflight/);
    writeFile('.pgpreflight.json', originalConfig);
    await waitFor('linting to resume', () => severityOf(uri) === vscode.DiagnosticSeverity.Error);
  });

  test('an earlier migration changing on disk rebuilds the schema of the later ones', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const uri = editor.document.uri;
    const comments = async () => (await api()).lastLint(uri)!.result!.statements[1];
    assert.deepEqual((await comments()).effects.unknowns, []);
    // 001 no longer creates comments: the index in 002 is now on a table the schema does not know.
    writeFile('db/migrations/001_create_comments.sql', 'CREATE TABLE other_things (id bigint);\n');
    await waitFor('the folder history to be re-read', async () => (await comments()).effects.unknowns.some((u) => /public\.comments is not in the schema model/.test(u)));
    writeFile('db/migrations/001_create_comments.sql', originalFirst);
    await waitFor('the original history', async () => (await comments()).effects.unknowns.length === 0);
  });

  test('the schema dump changing on disk rebuilds the schema', async () => {
    const editor = await open('db/migrations/002_index_articles.sql');
    const uri = editor.document.uri;
    const articles = async () => (await api()).lastLint(uri)!.result!.statements[0];
    assert.deepEqual((await articles()).effects.unknowns, []);
    writeFile('db/schema.sql', 'CREATE TABLE public.authors (id bigint PRIMARY KEY, name text NOT NULL);\n');
    await waitFor('the dump to be re-read', async () => (await articles()).effects.unknowns.some((u) => /public\.articles is not in the schema model/.test(u)));
    writeFile('db/schema.sql', originalDump);
    await waitFor('the original dump', async () => (await articles()).effects.unknowns.length === 0);
  });
});
