import { defineRule } from '../rule.js';
import type { StatementInfo } from '../analyze.js';
import type { TextEdit } from '../types.js';

// A file that ends inside BEGIN leaves the session in an open transaction: the runner reports success, then the
// connection closes and PostgreSQL rolls everything back (squawk's ban-uncommitted-transaction).
export default defineRule({
  id: 'ban-uncommitted-transaction',
  summary: 'Ban migrations that end inside a transaction opened with BEGIN',
  category: 'transactions',
  defaultSeverity: 'error',
  messages: {
    uncommittedTransaction:
      'The transaction opened by this BEGIN is never committed: the migration appears to succeed, but when the session ends PostgreSQL rolls back everything after BEGIN, and until then the transaction keeps its locks.',
  },
  help: 'Add COMMIT; at the end of the file (or remove BEGIN and let the runner manage the transaction).',
  checkFile(ctx) {
    const { file } = ctx;
    if (!file.endsInTransaction) return;
    let open: StatementInfo | undefined;
    for (const stmt of file.statements) {
      const tc = stmt.effects.transaction;
      if (tc === 'begin') open ??= stmt;
      else if (tc === 'commit' || tc === 'rollback' || tc === 'prepare') open = undefined;
    }
    if (!open) return;
    // Inside a runner that wraps the file in its own transaction, the BEGIN is a no-op and the runner commits
    // (ban-transaction-nesting reports the BEGIN).
    if (file.implicitTransaction === 'file' && open.implicitTransaction) return;
    const last = file.statements[file.statements.length - 1];
    const text = file.text;
    const end = text.length;
    const append = text.endsWith('\n') ? 'COMMIT;\n' : '\nCOMMIT;';
    const edits: TextEdit[] = [];
    // An unterminated last statement gets its semicolon right after its text (a trailing comment may follow).
    const textEnd = last.start + last.text.length;
    const terminated = text.slice(textEnd, last.end).replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() === ';';
    if (!terminated) {
      if (textEnd === end) edits.push({ range: file.lines.range(end, end), newText: ';' + append });
      else edits.push({ range: file.lines.range(textEnd, textEnd), newText: ';' }, { range: file.lines.range(end, end), newText: append });
    } else {
      edits.push({ range: file.lines.range(end, end), newText: append });
    }
    ctx.report('uncommittedTransaction', open.index, undefined, {
      fix: { title: 'Add COMMIT at the end of the file', edits, isPreferred: true },
    });
  },
});
