// The lint report in its machine-readable forms: pg-preflight JSON (formatVersion 1), SARIF 2.1.0 and GitHub
// workflow commands. The JSON shape is a contract other tools consume: add fields, never rename.
import type { AnalysisResult, StatementInfo } from '../analyzer/analyze.js';
import type { Finding, Range } from '../analyzer/types.js';
import { allRules } from '../analyzer/registry.js';
import { docsUrl } from '../analyzer/rule.js';
import { blocks } from '../analyzer/locks.js';
import { VERSION } from '../version.js';

export interface FileReport { path: string; result?: AnalysisResult; error?: string }

export function statementJson(s: StatementInfo, path?: string) {
  const locks = s.locks.filter((l) => !l.createdInMigration);
  return {
    index: s.index,
    ...(path !== undefined ? { path } : {}),
    kind: s.kind,
    text: s.text,
    range: s.range,
    inTransaction: s.inTransaction,
    locks: locks.map((l) => ({ relation: l.relation, mode: l.mode, relkind: l.relkind, implicit: l.implicit, reason: l.reason, blocks: blocks(l.mode) })),
    rewritesTable: s.rewritesTable,
    scansTable: s.scansTable,
    rewrites: s.rewrites,
    scans: s.scans,
    transactionId: s.transactionId,
    lockTimeout: s.lockTimeout,
    statementTimeout: s.statementTimeout,
    nonTransactional: s.effects.nonTransactional,
    unknowns: s.effects.unknowns,
  };
}

export function findingJson(f: Finding) {
  return {
    ruleId: f.ruleId, severity: f.severity, message: f.message, help: f.help,
    statementIndex: f.statementIndex, range: f.range,
    ...(f.fix ? { fix: { title: f.fix.title, edits: f.fix.edits, isPreferred: f.fix.isPreferred } } : {}),
    docs: docsUrl(f.ruleId),
  };
}

export function toJson(files: FileReport[], pgVersion: number) {
  return {
    tool: 'pg-preflight',
    formatVersion: 1,
    version: VERSION,
    pgVersion,
    files: files.map((f) => ({
      path: f.path,
      statements: f.result?.statements.map((s) => statementJson(s)) ?? [],
      findings: f.result?.findings.map(findingJson) ?? [],
      parseErrors: [
        ...(f.result?.parseProblems.map((p) => ({ message: p.message, range: p.range })) ?? []),
        ...(f.error ? [{ message: f.error, range: zeroRange() }] : []),
      ],
    })),
  };
}

function zeroRange(): Range { return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }; }

const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export function toSarif(files: FileReport[], toUri: (path: string) => string) {
  const rules = allRules.map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.summary },
    helpUri: docsUrl(r.id),
    help: { text: typeof r.help === 'string' ? r.help.replace(/\{\{\s*\w+\s*\}\}/g, '…') : r.summary },
    defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity], enabled: !r.optIn },
    properties: { category: r.category, ...(r.minVersion ? { minVersion: r.minVersion } : {}), ...(r.maxVersion ? { maxVersion: r.maxVersion } : {}) },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results: unknown[] = [];
  const region = (r: Range) => ({ startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 });
  for (const f of files) {
    const uri = toUri(f.path);
    for (const x of f.result?.findings ?? []) {
      results.push({
        ruleId: x.ruleId, ...(ruleIndex.has(x.ruleId) ? { ruleIndex: ruleIndex.get(x.ruleId) } : {}),
        level: SARIF_LEVEL[x.severity], message: { text: `${x.message}\n${x.help}` },
        locations: [{ physicalLocation: { artifactLocation: { uri }, region: region(x.range) } }],
      });
    }
    for (const p of [...(f.result?.parseProblems ?? []), ...(f.error ? [{ message: f.error, range: zeroRange() }] : [])]) {
      results.push({
        ruleId: 'syntax-error', level: 'error', message: { text: p.message },
        locations: [{ physicalLocation: { artifactLocation: { uri }, region: region(p.range) } }],
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'pg-preflight', version: VERSION, informationUri: 'https://github.com/pg-preflight/pg-preflight', rules } },
      results,
    }],
  };
}

function ghEscapeData(s: string): string { return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'); }
function ghEscapeProp(s: string): string { return ghEscapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C'); }

/** GitHub Actions workflow commands: one annotation per finding. */
export function toGithub(files: FileReport[]): string {
  const lines: string[] = [];
  const cmd: Record<string, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };
  for (const f of files) {
    const at = (r: Range) => `file=${ghEscapeProp(f.path)},line=${r.start.line + 1},col=${r.start.character + 1},endLine=${r.end.line + 1},endColumn=${r.end.character + 1}`;
    for (const p of f.result?.parseProblems ?? []) lines.push(`::error ${at(p.range)},title=${ghEscapeProp('pg-preflight: syntax error')}::${ghEscapeData(p.message)}`);
    if (f.error) lines.push(`::error file=${ghEscapeProp(f.path)},title=pg-preflight::${ghEscapeData(f.error)}`);
    for (const x of f.result?.findings ?? []) {
      lines.push(`::${cmd[x.severity]} ${at(x.range)},title=${ghEscapeProp(`pg-preflight: ${x.ruleId}`)}::${ghEscapeData(`${x.message}\n${x.help}`)}`);
    }
  }
  return lines.join('\n');
}
