import { defineRule } from '../rule.js';
import type { StatementInfo } from '../analyze.js';
import type { Fix, Range } from '../types.js';
import type { Node } from '../parse.js';
import { qualify, quoteIdent } from '../names.js';
import { innerNode, objectName, statementEdit, statementRange, insertBeforeStatement, utf16At } from './utils/group-c.js';

// Outside a transaction every statement commits on its own: when statement 3 of 5 fails, statements 1–2 stay
// applied and a re-run fails on them unless they are written to be repeatable (squawk's prefer-robust-stmts). A
// failed CREATE INDEX CONCURRENTLY even leaves an INVALID index behind, which IF NOT EXISTS would then silently keep
// (incident 05), so for it the repeatable form is DROP INDEX CONCURRENTLY IF EXISTS first.

const CREATE_TABLE = /^create\s+(?:(?:global|local)\s+)?(?:(?:temporary|temp|unlogged)\s+)?table\b/i;
const CREATE_INDEX = /^create\s+(?:unique\s+)?index(?:\s+concurrently)?\b/i;
const DROP_OBJECT = /^drop\s+(?:materialized\s+view|foreign\s+table|text\s+search\s+\w+|event\s+trigger|access\s+method|operator\s+(?:class|family)|\w+)(?:\s+concurrently)?\b/i;

interface Finding { messageId: 'createTable' | 'createIndex' | 'concurrentIndex' | 'addColumn' | 'drop'; data: Record<string, string>; range?: Range; fix?: Fix; help?: string }

function insertAfter(stmt: StatementInfo, re: RegExp): number | undefined {
  const m = re.exec(stmt.text);
  return m ? m.index + m[0].length : undefined;
}

export default defineRule({
  id: 'prefer-robust-statements',
  summary: 'Prefer IF [NOT] EXISTS in migrations that do not run in one transaction',
  category: 'robustness',
  defaultSeverity: 'hint',
  messages: {
    createTable: 'CREATE TABLE {{name}} without IF NOT EXISTS outside a transaction: if a later statement fails, this one stays applied and re-running the migration fails here with "already exists".',
    createIndex: 'CREATE INDEX {{name}} without IF NOT EXISTS outside a transaction: if a later statement fails, this one stays applied and re-running the migration fails here with "already exists".',
    concurrentIndex: 'CREATE INDEX CONCURRENTLY {{name}} is not repeatable: if it fails or is cancelled it leaves an INVALID index behind, and re-running fails with "already exists" (IF NOT EXISTS would silently keep the invalid index).',
    addColumn: 'ADD COLUMN {{name}} without IF NOT EXISTS outside a transaction: if a later statement fails, the column stays and re-running the migration fails here with "already exists".',
    drop: 'DROP {{what}} {{name}} without IF EXISTS outside a transaction: if a later statement fails, the object stays dropped and re-running the migration fails here with "does not exist".',
  },
  help: {
    createTable: 'Write CREATE TABLE IF NOT EXISTS, or run the migration in one transaction.',
    createIndex: 'Write CREATE INDEX IF NOT EXISTS, or run the migration in one transaction.',
    concurrentIndex: 'Precede it with DROP INDEX CONCURRENTLY IF EXISTS {{name}}; so a re-run removes a leftover invalid index and builds it again.',
    addColumn: 'Write ADD COLUMN IF NOT EXISTS, or run the migration in one transaction.',
    drop: 'Write DROP {{what}} IF EXISTS, or run the migration in one transaction.',
  },
  check(ctx) {
    const { file, stmt } = ctx;
    if (stmt.inTransaction) return;
    // A migration of one statement that runs atomically is already repeatable.
    if (file.statementCount === 1 && !stmt.effects.nonTransactional) return;
    for (const f of findings(stmt)) ctx.report(f.messageId, f.data, { range: f.range, fix: f.fix, help: f.help });

    /** An index of this name was dropped with IF EXISTS earlier in the file: a CREATE INDEX CONCURRENTLY after it is repeatable. */
    function droppedBefore(name: string): boolean {
      const statements = file.statements;
      for (let i = 0; i < stmt.index; i++) {
        const st = statements[i];
        if (st.kind !== 'DropStmt') continue;
        const d = innerNode(st);
        if (d.removeType !== 'OBJECT_INDEX' || !d.missing_ok) continue;
        for (const o of d.objects ?? []) { const parts = (o.List?.items ?? []).map((x: Node) => x.String?.sval); if (parts[parts.length - 1] === name) return true; }
      }
      return false;
    }

    function findings(stmt: StatementInfo): Finding[] {
      const n = innerNode(stmt);
      const edit = (at: number | undefined, text: string, title: string, isPreferred = true): Fix | undefined =>
        at === undefined ? undefined : { title, edits: [statementEdit(file, stmt, at, at, text)], isPreferred };
      const head = (re: RegExp): Range | undefined => {
        const m = re.exec(stmt.text);
        return m ? statementRange(file, stmt, m.index, m.index + m[0].length) : undefined;
      };
      switch (stmt.kind) {
        case 'CreateStmt': {
          if (n.if_not_exists || n.relation?.relpersistence === 't') return [];
          return [{ messageId: 'createTable', data: { name: quoteIdent(n.relation?.relname ?? '') }, range: head(CREATE_TABLE), fix: edit(insertAfter(stmt, CREATE_TABLE), ' IF NOT EXISTS', 'Add IF NOT EXISTS') }];
        }
        case 'IndexStmt': {
          if (n.if_not_exists) return [];
          const schema = n.relation?.schemaname;
          const name = n.idxname ? quoteIdent(n.idxname) : '(unnamed)';
          if (n.concurrent) {
            if (!n.idxname) return [{ messageId: 'concurrentIndex', data: { name }, range: head(CREATE_INDEX) }];
            const qualified = schema ? qualify(schema, n.idxname) : quoteIdent(n.idxname);
            if (droppedBefore(n.idxname)) return [];
            return [{
              messageId: 'concurrentIndex', data: { name: qualified }, range: head(CREATE_INDEX),
              fix: { title: `Add DROP INDEX CONCURRENTLY IF EXISTS ${qualified} before it`, edits: [insertBeforeStatement(file, stmt, `DROP INDEX CONCURRENTLY IF EXISTS ${qualified};`)], isPreferred: false },
            }];
          }
          // IF NOT EXISTS needs a name.
          return [{
            messageId: 'createIndex', data: { name }, range: head(CREATE_INDEX),
            fix: n.idxname ? edit(insertAfter(stmt, CREATE_INDEX), ' IF NOT EXISTS', 'Add IF NOT EXISTS') : undefined,
            help: n.idxname ? undefined : 'Name the index and write CREATE INDEX IF NOT EXISTS <name> ON …, or run the migration in one transaction.',
          }];
        }
        case 'DropStmt': {
          if (n.missing_ok) return [];
          const onTable = n.removeType === 'OBJECT_TRIGGER' || n.removeType === 'OBJECT_RULE' || n.removeType === 'OBJECT_POLICY';
          const names = (n.objects ?? []).map((o: Node) => {
            const parts: string[] = (o.List?.items ?? (o.String ? [o] : [])).map((x: Node) => x.String?.sval).filter(Boolean).map(quoteIdent);
            if (onTable && parts.length >= 2) return `${parts[parts.length - 1]} ON ${parts.slice(0, -1).join('.')}`;
            return parts.length ? parts.join('.') : o.TypeName ? (o.TypeName.names ?? []).map((x: Node) => quoteIdent(x.String?.sval ?? '')).join('.') : '';
          }).filter(Boolean);
          const what = objectName(n.removeType);
          return [{ messageId: 'drop', data: { what, name: names.join(', ') }, range: head(DROP_OBJECT), fix: edit(insertAfter(stmt, DROP_OBJECT), ' IF EXISTS', 'Add IF EXISTS') }];
        }
        case 'AlterTableStmt': {
          const out: Finding[] = [];
          for (const c of n.cmds ?? []) {
            const cmd = c.AlterTableCmd;
            if (cmd?.subtype !== 'AT_AddColumn' || cmd.missing_ok) continue;
            const def = cmd.def?.ColumnDef;
            if (!def) continue;
            const at = typeof def.location === 'number' && def.location >= 0 ? utf16At(stmt, def.location) : undefined;
            out.push({
              messageId: 'addColumn', data: { name: quoteIdent(def.colname) },
              range: at !== undefined ? statementRange(file, stmt, at, at + quoteIdent(def.colname).length) : undefined,
              fix: edit(at, 'IF NOT EXISTS ', 'Add IF NOT EXISTS'),
            });
          }
          out.push(...alterTableDrops(stmt, n));
          return out;
        }
        default:
          return [];
      }
    }

    /** ALTER TABLE … DROP COLUMN / DROP CONSTRAINT without IF EXISTS. */
    function alterTableDrops(stmt: StatementInfo, n: Node): Finding[] {
      const wanted = (n.cmds ?? []).map((c: Node) => c.AlterTableCmd).filter((cmd: Node | undefined) =>
        (cmd?.subtype === 'AT_DropColumn' || cmd?.subtype === 'AT_DropConstraint') && !cmd.missing_ok);
      if (wanted.length === 0) return [];
      const out: Finding[] = [];
      const re = /\bdrop\s+(?:(column|constraint)\s+)?(if\s+exists\s+)?("(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)/gi;
      let m: RegExpExecArray | null;
      const pending = [...wanted];
      while (pending.length && (m = re.exec(stmt.text))) {
        const word = m[3].startsWith('"') ? m[3].slice(1, -1).replace(/""/g, '"') : m[3].toLowerCase();
        const cmd = pending[0];
        const isConstraint = cmd.subtype === 'AT_DropConstraint';
        if (m[2] || word !== cmd.name || (isConstraint && m[1]?.toLowerCase() !== 'constraint') || (!isConstraint && m[1]?.toLowerCase() === 'constraint')) continue;
        pending.shift();
        const at = m.index + m[0].length - m[3].length;
        out.push({
          messageId: 'drop', data: { what: isConstraint ? 'CONSTRAINT' : 'COLUMN', name: quoteIdent(cmd.name) },
          range: statementRange(file, stmt, m.index, m.index + m[0].length),
          fix: { title: 'Add IF EXISTS', edits: [statementEdit(file, stmt, at, at, 'IF EXISTS ')], isPreferred: true },
        });
      }
      for (const cmd of pending) {
        out.push({ messageId: 'drop', data: { what: cmd.subtype === 'AT_DropConstraint' ? 'CONSTRAINT' : 'COLUMN', name: quoteIdent(cmd.name) } });
      }
      return out;
    }
  },
});
