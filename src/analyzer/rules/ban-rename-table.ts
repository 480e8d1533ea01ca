import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import { qualify, rangeVarName } from '../names.js';
import { schemaOf } from '../schema.js';
import { statementRangeOf } from './utils/group-b.js';
import { statementsOfKind } from '../lookback.js';
import type { FileInfo } from '../analyze.js';

export default defineRule({
  id: 'ban-rename-table',
  summary: 'Ban renaming a table that running application versions still use',
  category: 'compatibility',
  defaultSeverity: 'error',
  messages: {
    breaksClients: 'ALTER TABLE {{table}} RENAME TO {{newName}}: every running application version that still queries {{table}} fails from the moment the migration commits. The ACCESS EXCLUSIVE lock it takes blocks reads and writes of {{table}} only briefly.',
  },
  help: 'Rename in steps: rename the table and, in the same transaction, CREATE VIEW {{table}} AS SELECT * FROM {{newName}} (a simple view is updatable, so old code keeps reading and writing), deploy code that uses the new name, then drop the view. Or expand/contract: create the new table, write to both, backfill, switch reads, drop the old one.',
  // A file-level check, so that the compatibility view created later in the same transaction can be seen.
  checkFile(ctx) {
    const { file } = ctx;
    // Views created inside a transaction, by transaction id: index of the statement and the view's name (gathered
    // when a rename needs them).
    let views: Map<number, { at: number; name: string | undefined }[]> | undefined;
    for (const st of statementsOfKind(file, ['RenameStmt'])) {
      const node = st.node.RenameStmt as Node;
      if (node.renameType !== 'OBJECT_TABLE') continue;
      const table = rangeVarName(node.relation);
      if (!table) continue;
      if (st.locks.find((l) => l.relation === table)?.createdInMigration) continue;
      if (st.transactionId !== -1) {
        views ??= viewsByTransaction(file);
        if (views.get(st.transactionId)?.some((v) => v.at > st.index && v.name === table)) continue;
      }
      const newName = qualify(schemaOf(table), String(node.newname));
      ctx.report('breaksClients', st.index, { table, newName }, { range: statementRangeOf(file, st, /\brename\s+to\b/i) });
    }
  },
});

function viewsByTransaction(file: FileInfo): Map<number, { at: number; name: string | undefined }[]> {
  const views = new Map<number, { at: number; name: string | undefined }[]>();
  for (const o of statementsOfKind(file, ['ViewStmt'])) {
    if (o.transactionId === -1) continue;
    const list = views.get(o.transactionId) ?? [];
    list.push({ at: o.index, name: rangeVarName((o.node.ViewStmt as Node).view) });
    views.set(o.transactionId, list);
  }
  return views;
}
