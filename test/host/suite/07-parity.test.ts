// The editor and the CLI must give identical findings for the same files and the same .pgpreflight.json: both read
// the config through src/config and build the schema the same way. This compares the extension's diagnostics (and
// its fixes) with `pg-preflight lint --format json` run on the same workspace.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAll, codeOf, open, ours, repo, root, suite, suiteSetup, suiteTeardown, teardown, test, writeFile } from '../support/host.js';

const FILES = [
  'db/migrations/001_create_comments.sql',
  'db/migrations/002_index_articles.sql',
  'db/migrations/003_view_count_to_int.sql',
  'db/migrations/004_mixed.sql',
  'db/other/scratch.sql',
  'prisma/migrations/20240101000000_init/migration.sql',
];

interface CliFinding { ruleId: string; severity: string; message: string; range: vscode.Range; fix?: { title: string; isPreferred: boolean } }
interface CliFile { path: string; findings: CliFinding[]; parseErrors: Array<{ message: string; range: vscode.Range }> }

function cli(): Map<string, CliFile> {
  const bin = path.join(repo, 'bin/pg-preflight.js');
  const r = spawnSync(process.execPath, [bin, 'lint', '--format', 'json', ...FILES], { cwd: root(), encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  assert.ok(r.status === 0 || r.status === 1, `CLI exit ${r.status}: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as { files: CliFile[] };
  return new Map(json.files.map((f) => [path.resolve(root(), f.path), f]));
}

const SEV: Record<string, vscode.DiagnosticSeverity> = { error: 0, warning: 1, info: 2, hint: 3 };
const key = (rule: string, sev: number, r: { start: { line: number; character: number }; end: { line: number; character: number } }, msg: string) =>
  `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${rule} ${sev} ${msg}`;

async function compare(): Promise<number> {
  const expected = cli();
  let compared = 0;
  for (const rel of FILES) {
    const editor = await open(rel);
    const file = expected.get(editor.document.uri.fsPath);
    assert.ok(file, `the CLI reported ${rel}`);
    const want = [
      ...file.findings.map((f) => key(f.ruleId, SEV[f.severity], f.range, f.message)),
      ...file.parseErrors.map((p) => key('syntax-error', 0, p.range, p.message)),
    ].sort();
    const got = ours(editor.document.uri).map((d) => key(codeOf(d), d.severity, d.range, d.message)).sort();
    assert.deepEqual(got, want, `findings of ${rel}`);
    // Fixes: same titles, and preferred exactly where the CLI says the fix keeps the meaning.
    for (const f of file.findings.filter((x) => x.fix)) {
      const d = ours(editor.document.uri).find((x) => codeOf(x) === f.ruleId && x.range.start.line === f.range.start.line && x.range.start.character === f.range.start.character)!;
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, d.range);
      const fix = actions.find((a) => a.title === f.fix!.title);
      assert.ok(fix, `${rel}: fix "${f.fix!.title}" offered`);
      assert.equal(!!fix.isPreferred, f.fix!.isPreferred, `${rel}: ${f.ruleId} preferred`);
    }
    compared += want.length;
  }
  return compared;
}

suite('editor and CLI agree', () => {
  let original = '';
  suiteSetup(() => { original = fs.readFileSync(path.join(root(), '.pgpreflight.json'), 'utf8'); });
  teardown(async () => { await closeAll(); writeFile('.pgpreflight.json', original); });
  suiteTeardown(closeAll);

  test('same files, same config: identical findings, ranges, severities and fixes', async () => {
    const n = await compare();
    assert.ok(n > 10, `compared ${n} findings`);
  });

  test('same with another runner and rule overrides', async () => {
    const cfg = JSON.parse(original);
    writeFile('.pgpreflight.json', JSON.stringify({ ...cfg, runner: 'flyway', pgVersion: 13, rules: { 'require-statement-timeout': 'off', 'prefer-bigint': 'error', 'require-lock-timeout': 'hint' } }));
    // The config watcher drops the cached config; wait until an open document reflects it before comparing.
    const editor = await open('db/migrations/003_view_count_to_int.sql');
    const until = Date.now() + 10000;
    while (ours(editor.document.uri).some((d) => codeOf(d) === 'require-statement-timeout') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const n = await compare();
    assert.ok(n > 5, `compared ${n} findings`);
  });
});
