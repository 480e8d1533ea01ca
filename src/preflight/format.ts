// The preflight report as text (terminal) and Markdown (a team lead's read: verdict first, then per statement its
// locks, conflicts, size and estimate, and the reasons with what to do). Pure.
import type { Style } from '../cli/text.js';
import { formatBytes } from './evaluate.js';
import type { Conflict, PreflightReport, StatementReport, Verdict } from './types.js';

const PLAIN: Style = { bold: (s) => s, dim: (s) => s, red: (s) => s, yellow: (s) => s, cyan: (s) => s, green: (s) => s };

function verdictWord(v: Verdict): string {
  return v === 'go' ? 'GO' : v === 'wait' ? 'WAIT' : 'NO-GO';
}

function conflictLine(c: Conflict): string {
  const who = c.pid === 0 ? `prepared '${c.gid ?? '?'}'` : `pid ${c.pid}`;
  const parts = [`${c.kind}`, who, c.application ? `application ${c.application}` : '', `${c.waiting ? 'requests' : 'holds'} ${c.mode} on ${c.relation}`];
  if (c.ageSeconds !== null) parts.push(`${c.ageSeconds}s`);
  if (c.progress) parts.push(c.progress);
  return parts.filter(Boolean).join(' · ') + (c.query ? `\n        query: ${c.query}` : '');
}

export function formatPreflightText(report: PreflightReport, style: Style = PLAIN): string {
  const st = style;
  const color = (v: Verdict) => (v === 'go' ? st.green : v === 'wait' ? st.yellow : st.red);
  const out: string[] = [];
  out.push(st.bold(`PREFLIGHT ${color(report.verdict)(verdictWord(report.verdict))}`) +
    `  ${report.server.target} · PostgreSQL ${report.server.version} · ${report.statements.length} statement(s) · ${report.durationMs} ms`);
  for (const r of report.reasons.slice(0, 8)) out.push(`  - ${r}`);
  if (report.reasons.length > 8) out.push(`  … and ${report.reasons.length - 8} more`);
  out.push('', st.bold('CHECKS'));
  for (const c of report.checks) {
    const s = c.status === 'pass' ? st.green('pass') : c.status === 'warn' ? st.yellow('warn') : st.red('FAIL');
    out.push(`  ${s} ${c.message}`);
  }
  const interesting = report.statements.filter((s) => s.locks.length || s.reasons.length);
  if (interesting.length) out.push('', st.bold('STATEMENTS'));
  for (const s of interesting) {
    out.push(`  #${s.index + 1} ${s.path}:${s.line} ${color(s.verdict)(verdictWord(s.verdict))}  ${st.dim(s.text.slice(0, 100))}`);
    for (const l of s.locks) out.push(`      lock ${l.mode} on ${l.relation}${l.implicit ? ' (implicit)' : ''}`);
    for (const c of s.conflicts) out.push(`      ${st.red('conflict')} ${conflictLine(c)}`);
    for (const z of s.sizes) out.push(`      ${z.operation} ${z.relation}: ${formatBytes(z.bytes)}, ${z.rows === null ? 'rows unknown' : `~${Math.round(z.rows)} rows`}`);
    if (s.estimate) out.push(`      estimate ${s.estimate.text}`);
    for (const r of s.reasons) out.push(`      → ${r}`);
  }
  if (report.trace) {
    out.push('', st.bold(`TRACE on ${report.trace.target} (each file run in a transaction, rolled back)`));
    for (const t of report.trace.statements) {
      if (t.skipped) { out.push(`  #${t.index + 1} ${st.dim(`skipped: ${t.skipped}`)}`); continue; }
      if (t.error) { out.push(`  #${t.index + 1} ${st.red(`error: ${t.error}`)}`); continue; }
      const took = t.observed.map((o) => `${o.mode} on ${o.relation}`).join(', ') || 'no new lock';
      out.push(`  #${t.index + 1} took ${took}${t.rewritten.length ? `; rewrote ${t.rewritten.join(', ')}` : ''}${t.differences.length ? '' : st.green('  (as modelled)')}`);
      for (const d of t.differences) out.push(`      ${st.yellow('differs')} ${d}`);
    }
  }
  if (report.notes.length) {
    out.push('', st.bold('NOTES'));
    for (const n of report.notes) out.push(`  ${st.dim(n)}`);
  }
  return out.join('\n') + '\n';
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function statementTable(s: StatementReport): string[] {
  const rows: string[] = ['| | |', '|---|---|'];
  rows.push(`| Statement | \`${md(s.text.slice(0, 160))}\` |`);
  rows.push(`| Verdict | **${verdictWord(s.verdict)}** |`);
  rows.push(`| Locks | ${s.locks.length ? s.locks.map((l) => `${l.mode} on \`${l.relation}\`${l.implicit ? ' (implicit)' : ''}`).join('<br>') : 'none on existing relations'} |`);
  rows.push(`| Conflicts | ${s.conflicts.length ? s.conflicts.map((c) => md(conflictLine(c).split('\n')[0])).join('<br>') : 'none'} |`);
  if (s.sizes.length) rows.push(`| Size | ${s.sizes.map((z) => `${z.operation} \`${z.relation}\`: ${formatBytes(z.bytes)}, ${z.rows === null ? 'rows unknown' : `~${Math.round(z.rows)} rows`}`).join('<br>')} |`);
  if (s.estimate) rows.push(`| Estimate | ${s.estimate.text} |`);
  rows.push(`| lock_timeout | ${s.lockTimeout ?? '**not set**'} |`);
  return rows;
}

export function formatPreflightMarkdown(report: PreflightReport): string {
  const icon = report.verdict === 'go' ? '✅' : report.verdict === 'wait' ? '⏳' : '⛔';
  const out: string[] = [];
  out.push(`# ${icon} Preflight: ${verdictWord(report.verdict)}`, '');
  out.push(`Target **${md(report.server.target)}** (database \`${report.server.database}\`, PostgreSQL ${report.server.version}), ` +
    `${report.statements.length} statement(s), checked ${report.generatedAt} in ${report.durationMs} ms. ` +
    `Connections: ${report.connections.used} of ${report.connections.max} used, ${report.connections.reserved} reserved, ${Math.max(0, report.connections.headroom)} free.`, '');
  if (report.reasons.length) {
    out.push('## Why, and what to do', '');
    for (const r of report.reasons) out.push(`- ${md(r)}`);
    out.push('');
  }
  out.push('## Checks', '', '| Check | Status | Details |', '|---|---|---|');
  for (const c of report.checks) out.push(`| ${c.id} | ${c.status === 'pass' ? 'pass' : c.status === 'warn' ? '⚠️ warn' : '⛔ fail'} | ${md(c.message)} |`);
  out.push('');
  const interesting = report.statements.filter((s) => s.locks.length || s.reasons.length);
  if (interesting.length) out.push('## Statements', '');
  for (const s of interesting) {
    out.push(`### #${s.index + 1} \`${md(s.path)}\`:${s.line}`, '', ...statementTable(s), '');
    for (const r of s.reasons) out.push(`- ${md(r)}`);
    if (s.reasons.length) out.push('');
  }
  if (report.notes.length) {
    out.push('## Notes', '');
    for (const n of report.notes) out.push(`- ${md(n)}`);
    out.push('');
  }
  return out.join('\n');
}
