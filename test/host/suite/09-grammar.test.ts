// The injection grammar, tokenized by the same engine VS Code uses (vscode-textmate + oniguruma from the running
// VS Code) together with VS Code's own SQL grammar.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { extension, suite, test } from '../support/host.js';

interface Token { startIndex: number; endIndex: number; scopes: string[] }
interface Grammar { tokenizeLine(line: string, state: unknown): { tokens: Token[]; ruleStack: unknown } }

async function sqlGrammar(): Promise<Grammar> {
  const root = vscode.env.appRoot;
  const req = (m: string) => require(path.join(root, 'node_modules', m)); // eslint-disable-line @typescript-eslint/no-require-imports
  const onig = req('vscode-oniguruma');
  const tm = req('vscode-textmate');
  const wasm = fs.readFileSync(path.join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const ext = extension();
  const contributed = ext.packageJSON.contributes.grammars[0] as { scopeName: string; path: string; injectTo: string[] };
  assert.deepEqual(contributed.injectTo, ['source.sql']);
  const files: Record<string, string> = {
    'source.sql': path.join(root, 'extensions/sql/syntaxes/sql.tmLanguage.json'),
    [contributed.scopeName]: path.join(ext.extensionUri.fsPath, contributed.path),
  };
  const registry = new tm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new onig.OnigScanner(p), createOnigString: (s: string) => new onig.OnigString(s) }),
    loadGrammar: async (scope: string) => files[scope] ? tm.parseRawGrammar(fs.readFileSync(files[scope], 'utf8'), files[scope]) : null,
    getInjections: (scope: string) => scope === 'source.sql' ? [contributed.scopeName] : undefined,
  });
  return registry.loadGrammar('source.sql');
}

function scopesOf(g: Grammar, line: string): Array<[string, string]> {
  const { tokens } = g.tokenizeLine(line, null);
  return tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.join(' ')]);
}

suite('grammar', () => {
  test('the injection grammar highlights -- pg-preflight-ignore directives in SQL', async () => {
    const g = await sqlGrammar();
    const line = scopesOf(g, '-- pg-preflight-ignore require-lock-timeout, ban-drop-column because we said so');
    const find = (scope: string) => line.filter(([, s]) => s.includes(scope)).map(([t]) => t.trim());
    assert.deepEqual(find('keyword.control.directive.pg-preflight'), ['pg-preflight-ignore']);
    assert.deepEqual(find('entity.name.tag.rule.pg-preflight'), ['require-lock-timeout', 'ban-drop-column']);
    assert.ok(line.every(([, s]) => s.includes('comment')), 'the whole directive is still a comment');
    const file = scopesOf(g, '  --pg-preflight-ignore-file');
    assert.deepEqual(file.filter(([, s]) => s.includes('keyword.control.directive')).map(([t]) => t), ['pg-preflight-ignore-file']);
    // An ordinary comment and a string that merely contains the words stay as they were.
    assert.ok(scopesOf(g, '-- ignore this').every(([, s]) => !s.includes('pg-preflight')));
    assert.ok(scopesOf(g, "SELECT '-- pg-preflight-ignore x';").every(([, s]) => !s.includes('directive')));
  });
});
