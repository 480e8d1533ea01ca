// Rule dispatch by statement kind (RuleMeta.kinds, rulesForKind): running each rule's check() only on the statement
// kinds it declares must give exactly the findings of running every rule on every statement. Differential over the
// whole corpus (../shared/corpus; skipped when it is absent), plus the dispatch table itself.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { loadParser } from '../../../src/analyzer/parse.js';
import { analyze, type AnalyzeOptions } from '../../../src/analyzer/analyze.js';
import { allRules } from '../../../src/analyzer/registry.js';
import { defineRule, rulesForKind, type Rule } from '../../../src/analyzer/rule.js';
import { listSqlFiles, CORPUS } from '../support.js';



/** The same rules without `kinds`: every check() sees every statement. */
const undispatched: Rule<any>[] = allRules.map((r) => ({ ...r, kinds: undefined }));

function findingsOf(text: string, options: AnalyzeOptions) {
  return analyze(text, options).findings;
}

describe('rule dispatch by statement kind', () => {
  before(async () => { await loadParser(); });

  it('rulesForKind keeps rules without kinds and the registry order', () => {
    const noop = () => {};
    const a = defineRule({ id: 'a', summary: 's', category: 'locking', defaultSeverity: 'error', messages: { m: 'm' }, help: '', check: noop });
    const b = defineRule({ id: 'b', summary: 's', category: 'locking', defaultSeverity: 'error', kinds: ['IndexStmt'], messages: { m: 'm' }, help: '', check: noop });
    const c = defineRule({ id: 'c', summary: 's', category: 'locking', defaultSeverity: 'error', kinds: ['AlterTableStmt', 'IndexStmt'], messages: { m: 'm' }, help: '', check: noop });
    const set = [a, b, c];
    assert.deepEqual(rulesForKind(set, 'IndexStmt').map((r) => r.id), ['a', 'b', 'c']);
    assert.deepEqual(rulesForKind(set, 'AlterTableStmt').map((r) => r.id), ['a', 'c']);
    assert.deepEqual(rulesForKind(set, 'SelectStmt').map((r) => r.id), ['a']);
    // Another rule set with the same rules in another order gets its own table.
    assert.deepEqual(rulesForKind([c, b, a], 'IndexStmt').map((r) => r.id), ['c', 'b', 'a']);
    assert.deepEqual(rulesForKind(set, 'IndexStmt').map((r) => r.id), ['a', 'b', 'c']);
  });

  it('every kinds entry is a parse tree node type', () => {
    for (const r of allRules) {
      for (const k of r.kinds ?? []) assert.match(k, /^[A-Z][A-Za-z]+Stmt$/, `${r.id}: ${k}`);
      if (r.kinds) assert.ok(r.check || r.checkEnd, `${r.id} declares kinds but has no check() or checkEnd()`);
    }
  });

  it('gives the findings of every rule on every statement, over the whole corpus', { skip: !existsSync(CORPUS) && `no corpus at ${CORPUS}` }, () => {
    const files = listSqlFiles(CORPUS).sort();
    assert.ok(files.length > 4000);
    let compared = 0, findings = 0;
    files.forEach((f, i) => {
      const text = readFileSync(f, 'utf8');
      const rel = relative(CORPUS, f);
      // Default options everywhere; a runner's implicit transaction and other majors on a quarter of the files.
      const variants: AnalyzeOptions[] = i % 4 === 0 ? [{}, { runner: 'flyway', pgVersion: 13 }, { pgVersion: 18, assumeInTransaction: true }] : [{}];
      for (const v of variants) {
        const dispatched = findingsOf(text, { ...v, path: rel });
        const all = findingsOf(text, { ...v, path: rel, ruleSet: undispatched });
        assert.deepEqual(dispatched, all, `${rel} ${JSON.stringify(v)}`);
        compared++;
        findings += dispatched.length;
      }
    });
    assert.ok(findings > 20_000, `only ${findings} findings in ${compared} analyses`);
  });
});
