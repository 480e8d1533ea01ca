import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import type { StatementInfo } from '../analyze.js';
import type { RelationInfo } from '../schema.js';
import { qualify, qualifyList, rangeVarName, stringList } from '../names.js';
import { statementRangeOf } from './utils/group-b.js';
import { statementsOfKind } from '../lookback.js';

interface Build {
  at: number;
  st: StatementInfo;
  table: string;
  /** The table existed before the migration (an index on a table created by it replaces nothing in use). */
  tableExisted: boolean;
  name?: string;
  keys: string[];
  concurrent: boolean;
}

/** The new index replaces the old one: same name, or same table with the same leading column or the same key set. */
function replaces(old: RelationInfo, table: string, b: Build): boolean {
  if (b.table !== table || !b.tableExisted) return false;
  if (b.name && b.name === old.name) return true;
  const ok = old.keyColumns ?? [];
  if (!ok.length || !b.keys.length) return false;
  if (ok[0] !== '(expr)' && ok[0] === b.keys[0]) return true;
  return ok.length === b.keys.length && !ok.includes('(expr)') && ok.every((k) => b.keys.includes(k));
}

function label(b: Build): string {
  return b.name ?? `a new index on ${b.table} (${b.keys.join(', ')})`;
}

export default defineRule({
  id: 'require-index-swap-order',
  summary: 'Require building a replacement index, and checking it is valid, before dropping the old one',
  category: 'robustness',
  defaultSeverity: 'error',
  messages: {
    indexGap: 'DROP INDEX {{old}} runs before the index that replaces it is built ({{replacement}}, line {{line}}): until that build finishes, queries on {{table}} that used {{old}} scan the table instead, and if the build fails or is interrupted {{table}} is left with no usable index on ({{columns}}) at all.',
    dropHeldDuringBuild: 'DROP INDEX {{old}} runs before the CREATE INDEX that replaces it ({{replacement}}, line {{line}}) in the same transaction: the ACCESS EXCLUSIVE lock the drop takes on {{table}} is held until commit, so reads and writes of {{table}} wait for the whole build.',
    unverifiedReplacement: 'DROP INDEX {{old}} follows CREATE INDEX CONCURRENTLY {{replacement}} (line {{line}}), but nothing in between checks that the new index is valid: a build that was interrupted, or that IF NOT EXISTS skipped because an earlier run left an invalid index, leaves {{table}} with no usable index on ({{columns}}) once {{old}} is gone.',
  },
  help: 'Build the new index first with CREATE INDEX CONCURRENTLY, check it with SELECT indisvalid FROM pg_index WHERE indexrelid = \'<new index>\'::regclass (a DO block that raises when it is false stops the migration), and only then DROP INDEX CONCURRENTLY {{old}} — ideally in a separate, later migration.',
  checkFile(ctx) {
    const { file } = ctx;
    // The index builds of the file, gathered when the first DROP INDEX of an existing index needs them.
    let builds: Build[] | undefined;
    const allBuilds = (): Build[] => {
      if (builds) return builds;
      builds = [];
      for (const st of statementsOfKind(file, ['IndexStmt'])) {
        const node = st.node.IndexStmt as Node;
        const table = rangeVarName(node.relation);
        if (!table) continue;
        builds.push({
          at: st.index, st, table,
          tableExisted: !(st.locks.find((l) => l.relation === table)?.createdInMigration ?? false),
          name: node.idxname ? qualify(node.relation.schemaname ?? 'public', node.idxname) : undefined,
          keys: (node.indexParams ?? []).map((p: Node) => p.IndexElem?.name ?? '(expr)'),
          concurrent: !!node.concurrent,
        });
      }
      return builds;
    };

    for (const st of statementsOfKind(file, ['DropStmt'])) {
      const node = st.node.DropStmt as Node;
      if (node.removeType !== 'OBJECT_INDEX') continue;
      for (const obj of node.objects ?? []) {
        const name = qualifyList(obj.List ? stringList(obj.List.items) : stringList([obj]));
        const old = file.schemaBefore.get(name);
        if (!old?.table || old.createdInMigration || (old.kind !== 'index' && old.kind !== 'partitioned index')) continue;
        // The index's table when the DROP runs (the lock model's implicit lock): it may have been renamed since. No such
        // lock means the index is already gone (dropped with its constraint or table): this DROP does nothing.
        const table = st.locks.find((l) => l.implicit && l.relation !== name && (l.relkind === 'table' || l.relkind === 'partitioned table' || l.relkind === 'materialized view'))?.relation;
        if (!table) continue;
        const matching = allBuilds().filter((b) => replaces(old, table, b));
        if (!matching.length) continue;
        const range = statementRangeOf(file, st, /^drop\s+index\b/i);
        const data = (b: Build) => ({
          old: name, table, replacement: label(b), line: b.st.range.start.line + 1,
          columns: (old.keyColumns ?? []).join(', '),
        });
        const later = matching.find((b) => b.at > st.index);
        if (later) {
          const sameTxn = st.transactionId !== -1 && st.transactionId === later.st.transactionId && !later.concurrent;
          ctx.report(sameTxn ? 'dropHeldDuringBuild' : 'indexGap', st.index, data(later), { range });
          continue;
        }
        const earlier = matching.filter((b) => b.at < st.index && b.concurrent).pop();
        if (!earlier) continue;
        let verified = false;
        for (let k = earlier.at + 1; k < st.index && !verified; k++) verified = /indisvalid/i.test(file.statements[k].text);
        if (!verified) ctx.report('unverifiedReplacement', st.index, data(earlier), { range });
      }
    }
  },
});
