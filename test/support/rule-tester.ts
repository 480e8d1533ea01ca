// A RuleTester in the manner of ESLint's: each rule's test file is a table of named valid and invalid cases.
// It fails when a rule reports a fix the case does not mention, and it re-parses every fixed output.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser, parseStatementText } from '../../src/analyzer/parse.js';
import { analyze, type AnalyzeOptions } from '../../src/analyzer/analyze.js';
import { splitStatements } from '../../src/analyzer/split.js';
import type { Rule } from '../../src/analyzer/rule.js';
import type { Finding, TextEdit } from '../../src/analyzer/types.js';

export interface CaseOptions {
  name: string;
  sql: string;
  /** Schema known before the migration (CREATE TABLE … statements). */
  schema?: string;
  pgVersion?: number;
  options?: Omit<AnalyzeOptions, 'ruleSet' | 'schemaSql' | 'pgVersion'>;
}
export interface ExpectedError {
  messageId: string;
  /** 1-based line of the finding's start. */
  line?: number;
  /** 1-based column of the finding's start. */
  column?: number;
  /** Substring the message must contain. */
  message?: string;
  /** The finding's severity (defaults are per rule; some rules lower it per finding). */
  severity?: string;
  /** The whole document after applying this finding's fix; null when the finding must have no fix. */
  output?: string | null;
}
export interface InvalidCase extends CaseOptions { errors: ExpectedError[] }

export function testRule(rule: Rule<any>, cases: { schema?: string; valid: CaseOptions[]; invalid: InvalidCase[] }): void {
  describe(rule.id, () => {
    before(async () => { await loadParser(); });
    const run = (c: CaseOptions): Finding[] => {
      const result = analyze(c.sql, {
        ...c.options,
        pgVersion: c.pgVersion ?? 16,
        schemaSql: c.schema ?? cases.schema,
        ruleSet: [rule],
        // Opt-in rules are switched on; others run with their own (possibly per-finding) severities.
        rules: rule.optIn ? { [rule.id]: rule.defaultSeverity } : undefined,
      });
      assert.deepEqual(result.parseProblems, [], `test SQL must parse: ${JSON.stringify(result.parseProblems)}`);
      return result.findings.filter((f) => f.ruleId === rule.id);
    };
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        const found = run(c);
        assert.deepEqual(found.map((f) => `${f.messageId}: ${f.message}`), [], 'expected no finding');
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        const found = run(c);
        assert.equal(found.length, c.errors.length, `expected ${c.errors.length} finding(s), got: ${JSON.stringify(found.map((f) => [f.messageId, f.message]), null, 1)}`);
        c.errors.forEach((e, i) => {
          const f = found[i];
          assert.equal(f.messageId, e.messageId);
          assert.ok(f.message && !f.message.includes('{{'), `message has unfilled placeholders: ${f.message}`);
          assert.ok(f.help && !f.help.includes('{{'), `help is missing or has unfilled placeholders: ${f.help}`);
          if (e.line !== undefined) assert.equal(f.range.start.line + 1, e.line, 'line');
          if (e.column !== undefined) assert.equal(f.range.start.character + 1, e.column, 'column');
          if (e.severity !== undefined) assert.equal(f.severity, e.severity, 'severity');
          if (e.message !== undefined) assert.ok(f.message.includes(e.message), `message "${f.message}" should contain "${e.message}"`);
          if (e.output === undefined) {
            assert.equal(f.fix, undefined, `the rule produced a fix the test does not mention: ${JSON.stringify(f.fix)}`);
          } else if (e.output === null) {
            assert.equal(f.fix, undefined, 'expected no fix');
          } else {
            assert.ok(f.fix, 'expected a fix');
            const out = applyEdits(c.sql, f.fix.edits);
            assert.equal(out, e.output);
            for (const p of splitStatements(out)) {
              const r = parseStatementText(out.slice(p.start, p.end));
              assert.ok(r.ok, `fixed SQL does not parse: ${!r.ok ? r.message : ''}\n${out}`);
            }
          }
        });
      });
    }
  });
}

export function applyEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const off = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}
