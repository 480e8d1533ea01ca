// Every rule has its module, its test table and its doc; the doc's examples are linted (the "Instead of this" block
// must be flagged by the rule, the "write this" block must not); the registry lists every rule module.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../../src/analyzer/registry.js';
import { loadParser } from '../../src/analyzer/parse.js';
import { analyze, type AnalyzeOptions } from '../../src/analyzer/analyze.js';
import { VERSION } from '../../src/version.js';

const root = join(import.meta.dirname, '..', '..');

describe('rule inventory', () => {
  before(async () => { await loadParser(); });

  it('has at least 40 rules with unique, verb-first kebab-case ids', () => {
    assert.ok(allRules.length >= 40, `only ${allRules.length} rules`);
    const ids = allRules.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate rule ids');
    for (const id of ids) assert.match(id, /^(require|ban|prefer)-[a-z0-9]+(-[a-z0-9]+)*$/, id);
  });

  it('registers every rule module in src/analyzer/rules', () => {
    const files = readdirSync(join(root, 'src/analyzer/rules')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
    assert.deepEqual(files.sort(), allRules.map((r) => r.id).sort());
  });

  it('keeps src/version.ts in step with package.json', () => {
    assert.equal(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version, VERSION);
  });

  for (const rule of allRules) {
    describe(rule.id, () => {
      it('has a summary that starts with a verb, messages and help', () => {
        assert.match(rule.summary, /^(Require|Ban|Prefer|Use|Avoid|Flag|Warn|Check|Keep|Build|Set|Add|Drop|Validate|Make)\b/, rule.summary);
        assert.ok(Object.keys(rule.messages).length > 0);
        assert.ok(typeof rule.help === 'string' ? rule.help.length > 20 : Object.keys(rule.help).length > 0);
      });

      it('has a test table that exercises every message', () => {
        const path = join(root, 'test/unit/analyzer/rules', `${rule.id}.test.ts`);
        assert.ok(existsSync(path), `missing ${path}`);
        const text = readFileSync(path, 'utf8');
        for (const m of Object.keys(rule.messages)) assert.ok(text.includes(`messageId: '${m}'`), `test does not exercise messageId '${m}'`);
      });

      it('has a doc with the required parts whose examples lint as documented', () => {
        const path = join(root, 'docs/rules', `${rule.id}.md`);
        assert.ok(existsSync(path), `missing ${path}`);
        const doc = readFileSync(path, 'utf8');
        const lines = doc.split('\n');
        assert.equal(lines[0], `# ${rule.id}`);
        const plain = (x: string) => x.replace(/`/g, '').replace(/\.\s*$/, '').trim();
        assert.equal(plain(lines[2] ?? ''), plain(rule.summary), 'the doc\'s line 3 repeats the rule summary');
        const headings = ['## Problem', '## Solution', '## When not to use it', '## Related rules'];
        let last = -1;
        for (const h of headings) {
          const at = lines.findIndex((l) => l.trim() === h);
          assert.ok(at > last, `heading "${h}" missing or out of order`);
          last = at;
        }
        const solution = doc.slice(doc.indexOf('## Solution'), doc.indexOf('## When not to use it'));
        assert.ok(/Instead of this:/.test(solution), 'Solution says "Instead of this:"');
        const blocks = [...solution.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
        assert.ok(blocks.length >= 2, 'Solution has a before and an after ```sql block');
        const schema = /<!--\s*schema:\s*([\s\S]*?)-->/.exec(doc)?.[1];
        const opts = JSON.parse(/<!--\s*options:\s*([\s\S]*?)-->/.exec(doc)?.[1] ?? '{}') as AnalyzeOptions;
        const lint = (sql: string) => {
          const r = analyze(sql, { ...opts, schemaSql: schema, ruleSet: [rule], rules: rule.optIn ? { [rule.id]: rule.defaultSeverity } : undefined });
          assert.deepEqual(r.parseProblems, [], `doc example must parse:\n${sql}`);
          return r.findings.filter((f) => f.ruleId === rule.id);
        };
        assert.ok(lint(blocks[0]).length > 0, `the "Instead of this" example is not flagged:\n${blocks[0]}`);
        assert.deepEqual(lint(blocks[blocks.length - 1]).map((f) => f.message), [], `the "write this" example is flagged:\n${blocks[blocks.length - 1]}`);
      });
    });
  }
});
