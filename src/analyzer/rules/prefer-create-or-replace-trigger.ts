import { defineRule } from '../rule.js';
import type { StatementInfo } from '../analyze.js';
import type { TextEdit } from '../types.js';
import { qualifyList, quoteIdent, rangeVarName, stringList } from '../names.js';
import { innerNode, lineOf, statementEdit } from './utils/group-c.js';
import { statementsOfKind } from '../lookback.js';

// Incident 03: a DROP TRIGGER, run to recreate a trigger idempotently, queued its ACCESS EXCLUSIVE request behind an
// anti-wraparound autovacuum (which, unlike a regular one, does not yield) and every query on the table queued
// behind it for hours. PostgreSQL 14 added CREATE OR REPLACE TRIGGER, which takes SHARE ROW EXCLUSIVE.

interface DroppedTrigger { stmt: StatementInfo; trigger: string; table: string }

function droppedTrigger(stmt: StatementInfo): DroppedTrigger | undefined {
  if (stmt.kind !== 'DropStmt') return undefined;
  const n = innerNode(stmt);
  if (n.removeType !== 'OBJECT_TRIGGER') return undefined;
  const obj = n.objects?.[0];
  const parts = obj?.List ? stringList(obj.List.items) : [];
  if (parts.length < 2) return undefined;
  return { stmt, trigger: parts[parts.length - 1], table: qualifyList(parts.slice(0, -1)) };
}

/** Deletes a whole statement, with its line when it is alone on it. */
function deleteStatement(text: string, stmt: StatementInfo): { start: number; end: number } {
  let start = stmt.start;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (/^[ \t]*$/.test(text.slice(lineStart, start))) start = lineStart;
  let end = stmt.end;
  const m = /^[ \t]*(?:\r?\n|$)/.exec(text.slice(end, end + 200));
  if (m) end += m[0].length;
  else while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return { start, end };
}

export default defineRule({
  id: 'prefer-create-or-replace-trigger',
  summary: 'Prefer CREATE OR REPLACE TRIGGER to DROP TRIGGER on existing tables',
  category: 'locking',
  defaultSeverity: 'warning',
  messages: {
    dropTrigger:
      'DROP TRIGGER {{trigger}} takes ACCESS EXCLUSIVE on {{table}}: it waits behind any lock on the table — an autovacuum to prevent wraparound included, which never yields — and every query on {{table}}, reads and writes, queues behind it while it waits.',
    dropAndRecreateTrigger:
      'DROP TRIGGER {{trigger}} followed by CREATE TRIGGER {{trigger}} (line {{line}}) takes ACCESS EXCLUSIVE on {{table}}: it waits behind any lock on the table — an autovacuum to prevent wraparound included, which never yields — with every query on {{table}} queued behind it. On PostgreSQL {{version}}, CREATE OR REPLACE TRIGGER replaces it in one statement under SHARE ROW EXCLUSIVE (reads go on) with no moment without the trigger.',
  },
  help: {
    dropTrigger:
      "Keep triggers you want to change and replace them in place (CREATE OR REPLACE TRIGGER, PostgreSQL 14+); to stop one, ALTER TABLE … DISABLE TRIGGER takes SHARE ROW EXCLUSIVE. If it must be dropped, run SET lock_timeout = '2s' first, retry on timeout, and check that no autovacuum to prevent wraparound is running on the table (pg_stat_activity).",
    dropAndRecreateTrigger:
      'Remove the DROP TRIGGER and write CREATE OR REPLACE TRIGGER {{trigger}} … ON {{table}}: it swaps the definition in place.',
  },
  checkFile(ctx) {
    // One pass to index the trigger statements by table and name, so pairing a DROP with its CREATE is not a scan
    // of the rest of the file per DROP.
    const drops: DroppedTrigger[] = [];
    const creates = new Map<string, StatementInfo[]>();
    const dropsOf = new Map<string, number[]>();
    const key = (table: string, trigger: string) => `${table}\u0000${trigger}`;
    for (const stmt of statementsOfKind(ctx.file, TRIGGER_KINDS)) {
      const dropped = droppedTrigger(stmt);
      if (dropped) {
        drops.push(dropped);
        const k = key(dropped.table, dropped.trigger);
        (dropsOf.get(k) ?? dropsOf.set(k, []).get(k)!).push(stmt.index);
      } else if (stmt.kind === 'CreateTrigStmt' && ctx.pgVersion >= 14) {
        const n = innerNode(stmt);
        const table = rangeVarName(n.relation);
        if (!table || typeof n.trigname !== 'string') continue;
        const k = key(table, n.trigname);
        (creates.get(k) ?? creates.set(k, []).get(k)!).push(stmt);
      }
    }
    for (const dropped of drops) {
      const stmt = dropped.stmt;
      const lock = stmt.locks.find((l) => l.relation === dropped.table);
      if (lock?.createdInMigration) continue;
      const data = { trigger: quoteIdent(dropped.trigger), table: dropped.table };
      let recreate: StatementInfo | undefined;
      const k = key(dropped.table, dropped.trigger);
      const create = creates.get(k)?.find((c) => c.index > stmt.index);
      const nextDrop = dropsOf.get(k)?.find((i) => i > stmt.index);
      // Constraint triggers cannot be replaced.
      if (create !== undefined && (nextDrop === undefined || create.index < nextDrop) && !innerNode(create).isconstraint) {
        recreate = create;
      }
      if (!recreate) {
        ctx.report('dropTrigger', stmt.index, data);
        continue;
      }
      let fix;
      if (recreate.index === stmt.index + 1) {
        const edits: TextEdit[] = [];
        const del = deleteStatement(ctx.file.text, stmt);
        edits.push({ range: ctx.file.lines.range(del.start, del.end), newText: '' });
        if (!innerNode(recreate).replace) {
          const m = /^create\b/i.exec(recreate.text);
          if (m) edits.push(statementEdit(ctx.file, recreate, m[0].length, m[0].length, ' OR REPLACE'));
        }
        fix = { title: 'Replace DROP TRIGGER + CREATE TRIGGER with CREATE OR REPLACE TRIGGER', edits, isPreferred: false };
      }
      ctx.report('dropAndRecreateTrigger', stmt.index, { ...data, line: lineOf(recreate), version: `${ctx.pgVersion}` }, fix ? { fix } : undefined);
    }
  },
});

/** The statements the rule reads: DROP TRIGGER (a DropStmt) and CREATE TRIGGER. */
const TRIGGER_KINDS = ['DropStmt', 'CreateTrigStmt'];
