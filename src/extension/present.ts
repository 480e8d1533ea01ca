// What a statement does, in words: the inline marker (CodeLens) and the hover. Plain strings only, so the wording
// is the same wherever it appears.
import type { StatementInfo } from '../analyzer/analyze.js';
import type { LockEffect } from '../analyzer/types.js';
import { blocks, describeBlocks, sqlModeName, strength } from '../analyzer/locks.js';

/** Locks on relations that exist before the migration, strongest first (named relations before implicit ones). */
export function significantLocks(st: StatementInfo): LockEffect[] {
  return st.locks
    .filter((l) => !l.createdInMigration)
    .sort((a, b) => strength(b.mode) - strength(a.mode) || Number(a.implicit) - Number(b.implicit));
}

/** "reads, writes and DDL", "writes and DDL", "DDL" — the three things a migration author weighs. */
export function blockedWork(mode: LockEffect['mode']): string {
  const b = blocks(mode);
  const parts = [b.reads && 'reads', b.writes && 'writes', b.ddl && 'DDL'].filter(Boolean) as string[];
  if (parts.length === 0) return 'nothing but ACCESS EXCLUSIVE';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * The inline marker above a statement, e.g.
 * `AccessExclusiveLock on public.articles · blocks reads and writes · rewrites table`; undefined when the statement
 * takes no lock on an existing relation and neither rewrites nor scans.
 */
export function lensText(st: StatementInfo): string | undefined {
  const locks = significantLocks(st);
  const parts: string[] = [];
  if (locks.length > 0) {
    const top = locks[0];
    // Indexes locked along with their table (rebuilt, or checked) are part of the same story: count other tables.
    const more = new Set(locks.slice(1).filter((l) => l.relkind !== 'index' && l.relkind !== 'partitioned index').map((l) => l.relation).filter((r) => r !== top.relation)).size;
    parts.push(`${top.mode} on ${top.relation}${more ? ` (+${more} more)` : ''}`);
    parts.push(`blocks ${describeBlocks(top.mode)}`);
  } else if (st.locks.length > 0 && (st.rewritesTable || st.scansTable)) {
    parts.push(`${st.locks[0].mode} on ${st.locks[0].relation} (created in this migration)`);
  }
  if (st.rewritesTable) parts.push('rewrites table');
  else if (st.scansTable) parts.push('scans table');
  return parts.length ? parts.join(' · ') : undefined;
}

function code(s: string): string {
  return '`' + s.replace(/`/g, "'") + '`';
}

function transactionText(st: StatementInfo): string {
  if (st.effects.nonTransactional) {
    return st.inTransaction
      ? '**inside a transaction block — this statement cannot run in one and will fail**'
      : 'outside any transaction (required for this statement)';
  }
  if (!st.inTransaction) return 'autocommit: its locks are released as soon as it finishes';
  return st.implicitTransaction
    ? "inside the runner's implicit transaction: its locks are held until the migration commits"
    : 'inside an explicit transaction block: its locks are held until COMMIT';
}

function timeoutText(value: string | null): string {
  if (value === 'runner') return 'set by the runner (`assumeLockTimeout` in .pgpreflight.json)';
  if (value === null) return '**not set** — a blocked lock request waits indefinitely, and every query on the table queues behind it';
  if (value === '0' || value === "'0'") return '**disabled (0)** — a blocked lock request waits indefinitely';
  return code(value);
}

/** Markdown for the hover over a statement. `live` is the live-data section (a placeholder until a target connects). */
export function hoverMarkdown(st: StatementInfo, live: string): string {
  const lines: string[] = [];
  lines.push(`**pg-preflight** · ${code(st.kind.replace(/Stmt$/, ''))} · statement ${st.index + 1}`, '');
  if (st.locks.length === 0) {
    lines.push('Takes no table-level lock.', '');
  } else {
    lines.push('| Relation | Lock | Blocks | Why |', '|---|---|---|---|');
    const sorted = [...st.locks].sort((a, b) => strength(b.mode) - strength(a.mode));
    for (const l of sorted) {
      const rel = `${code(l.relation)}${l.implicit ? ' *(implicit)*' : ''}${l.createdInMigration ? ' *(created in this migration)*' : ''}`;
      const blocked = l.createdInMigration ? 'nothing yet (new relation)' : blockedWork(l.mode);
      lines.push(`| ${rel} | ${sqlModeName(l.mode)} (${code(l.mode)}) | ${blocked} | ${l.reason.replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  if (st.rewritesTable) lines.push(`- **Rewrites** ${st.rewrites.map(code).join(', ')}: the lock is held for the whole rewrite`);
  else if (st.rewrites.length) lines.push(`- Rebuilds ${st.rewrites.map(code).join(', ')}`);
  if (st.scansTable) lines.push(`- **Scans** ${st.scans.map(code).join(', ')} in full while the lock is held`);
  if (!st.rewritesTable && !st.scansTable && st.locks.length) lines.push('- Neither rewrites nor scans a table');
  lines.push(`- Transaction: ${transactionText(st)}`);
  lines.push(`- lock_timeout: ${timeoutText(st.lockTimeout)}`);
  if (st.statementTimeout !== null) lines.push(`- statement_timeout: ${st.statementTimeout === 'runner' ? 'set by the runner' : code(st.statementTimeout)}`);
  if (st.effects.unknowns.length) {
    lines.push('', '**Unknown** (not in the schema model):');
    for (const u of st.effects.unknowns) lines.push(`- ${u}`);
  }
  if (st.ignoredRules.length) lines.push('', `Ignored here: ${st.ignoredRules.map(code).join(', ')}`);
  lines.push('', '---', '', live);
  return lines.join('\n');
}
