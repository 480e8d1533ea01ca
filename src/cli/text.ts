// The terminal report: per statement its locks, what they block, rewrite/scan, then the findings with their help.
import type { FileReport } from '../report/lint-report.js';
import type { StatementInfo } from '../analyzer/analyze.js';
import { blockFlags, sqlModeName } from '../analyzer/locks.js';
import type { Severity } from '../analyzer/types.js';

export interface Style { bold(s: string): string; dim(s: string): string; red(s: string): string; yellow(s: string): string; cyan(s: string): string; green(s: string): string }

export function makeStyle(color: boolean): Style {
  const w = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { bold: w('1'), dim: w('2'), red: w('31'), yellow: w('33'), cyan: w('36'), green: w('32') };
}

const LABEL_WORDS = new Set(['alter', 'table', 'create', 'unique', 'index', 'concurrently', 'drop', 'if', 'not', 'exists', 'only',
  'materialized', 'view', 'or', 'replace', 'trigger', 'constraint', 'refresh', 'reindex', 'vacuum', 'full', 'analyze', 'lock',
  'truncate', 'insert', 'into', 'update', 'delete', 'from', 'select', 'set', 'local', 'session', 'begin', 'commit', 'rollback',
  'sequence', 'type', 'domain', 'function', 'procedure', 'comment', 'on', 'column', 'grant', 'revoke', 'cluster', 'policy',
  'rule', 'schema', 'extension', 'temporary', 'temp', 'unlogged', 'statistics', 'with', 'do', 'copy', 'merge', 'start', 'transaction']);

function kindLabel(s: StatementInfo): string {
  const words = s.text.replace(/\s+/g, ' ').trim().split(' ');
  const picked: string[] = [];
  for (const w of words) { if (!LABEL_WORDS.has(w.toLowerCase()) || picked.length >= 4) break; picked.push(w.toUpperCase()); }
  return picked.length ? picked.join(' ') : s.kind;
}

export function formatText(files: FileReport[], st: Style, opts: { verbose: boolean }): string {
  const out: string[] = [];
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  let statements = 0;
  let parseErrors = 0;
  let unknown = 0;
  const sevStyle = (s: Severity) => (s === 'error' ? st.red : s === 'warning' ? st.yellow : st.cyan);
  for (const f of files) {
    const r = f.result;
    if (f.error) { out.push(`${st.bold(f.path)}\n  ${st.red('error')} ${f.error}`); parseErrors++; continue; }
    if (!r) continue;
    statements += r.statements.length;
    const findingsBy = new Map<number, typeof r.findings>();
    for (const x of r.findings) { counts[x.severity]++; if (!findingsBy.has(x.statementIndex)) findingsBy.set(x.statementIndex, []); findingsBy.get(x.statementIndex)!.push(x); }
    parseErrors += r.parseProblems.length;
    const shown = r.statements.filter((s) => opts.verbose || findingsBy.has(s.index));
    if (!shown.length && !r.parseProblems.length) { if (opts.verbose) out.push(`${st.bold(f.path)}  ${st.green('no findings')}`); continue; }
    out.push(st.bold(f.path));
    const items: Array<{ line: number; text: string }> = [];
    for (const s of shown) {
      const pos = `${s.range.start.line + 1}:${s.range.start.character + 1}`;
      const locks = s.locks.filter((l) => !l.createdInMigration);
      const lockText = locks.length
        ? locks.map((l) => `${l.mode} ${l.relation}${l.implicit ? st.dim(' (implicit)') : ''} ${st.dim('[' + blockFlags(l.mode) + ']')}`).join(', ')
        : st.dim('no lock on an existing table');
      const flags = [s.rewritesTable ? st.red('rewrites table') : '', s.scansTable ? st.yellow('scans table') : '', s.inTransaction ? st.dim('in transaction') : ''].filter(Boolean).join(' · ');
      const lines = [`  ${st.dim(pos.padEnd(7))} ${st.bold(kindLabel(s))}  ${lockText}${flags ? '  ' + flags : ''}`];
      if (opts.verbose) for (const u of s.effects.unknowns) lines.push(`          ${st.dim('unknown: ' + u)}`);
      if (s.effects.unknowns.length) unknown++;
      for (const x of findingsBy.get(s.index) ?? []) {
        lines.push(`          ${sevStyle(x.severity)(x.severity.padEnd(7))} ${st.bold(x.ruleId)}  ${x.message}`);
        lines.push(`                  ${st.dim('help:')} ${x.help}`);
        if (x.fix) lines.push(`                  ${st.dim('fix:')} ${x.fix.title}`);
      }
      items.push({ line: s.range.start.line, text: lines.join('\n') });
    }
    for (const p of r.parseProblems) items.push({ line: p.range.start.line, text: `  ${st.dim(`${p.range.start.line + 1}:${p.range.start.character + 1}`.padEnd(7))} ${st.red('parse error')}  ${p.message}` });
    items.sort((a, b) => a.line - b.line).forEach((i) => out.push(i.text));
  }
  const total = counts.error + counts.warning + counts.info + counts.hint;
  const summary = `${counts.error} error(s), ${counts.warning} warning(s), ${counts.info + counts.hint} note(s), ${parseErrors} parse problem(s) in ${files.length} file(s), ${statements} statement(s)`;
  out.push('');
  if (unknown) out.push(st.dim(`${unknown} statement(s) touch objects the schema model does not know: their implicit locks (indexes, partitions, referenced tables) are not listed. Pass --schema with a schema dump, or lint the whole migrations folder; --verbose shows what is unknown.`));
  out.push(total || parseErrors ? (counts.error || parseErrors ? st.red(summary) : st.yellow(summary)) : st.green(summary));
  return out.join('\n');
}

export function modeSql(mode: Parameters<typeof sqlModeName>[0]): string { return sqlModeName(mode); }
