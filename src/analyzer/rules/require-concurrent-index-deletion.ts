import { defineRule } from '../rule.js';
import { qualifyList, stringList } from '../names.js';
import { concurrentlyFixTitle, listOf, offsetAfter, runnerHint } from './utils/group-b.js';

export default defineRule({
  id: 'require-concurrent-index-deletion',
  summary: 'Require DROP INDEX CONCURRENTLY for indexes of existing tables',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['DropStmt'],
  messages: {
    blocksReadsAndWrites: 'DROP INDEX takes an ACCESS EXCLUSIVE lock on {{index}} and on the table {{table}}: every read and write of {{table}} waits, and so does every query queued behind the DROP.',
    unknownTable: 'DROP INDEX takes an ACCESS EXCLUSIVE lock on {{index}} and on its table, which the schema model does not know: every read and write of that table waits, and so does every query queued behind the DROP.',
    partitionedIndex: 'DROP INDEX of the partitioned index {{index}} takes an ACCESS EXCLUSIVE lock on {{table}} and on each of its partitions: reads and writes of all of them wait. A partitioned index cannot be dropped CONCURRENTLY.',
  },
  help: {
    blocksReadsAndWrites: 'Use DROP INDEX CONCURRENTLY: it waits for running queries instead of blocking them and takes only SHARE UPDATE EXCLUSIVE on the table. It cannot run inside a transaction block ({{hint}}), and it drops one index per statement, without CASCADE.',
    unknownTable: 'Use DROP INDEX CONCURRENTLY: it waits for running queries instead of blocking them and takes only SHARE UPDATE EXCLUSIVE on the table. It cannot run inside a transaction block ({{hint}}), and it drops one index per statement, without CASCADE.',
    partitionedIndex: 'There is no concurrent form for a partitioned index: run the DROP alone, with a short lock_timeout (SET lock_timeout = \'2s\') and retries, at a quiet time. The drop itself is instant once the lock is granted.',
  },
  check(ctx) {
    if (ctx.kind !== 'DropStmt' || ctx.node.removeType !== 'OBJECT_INDEX' || ctx.node.concurrent) return;
    const objects: string[] = (ctx.node.objects ?? []).map((o: any) => qualifyList(o.List ? stringList(o.List.items) : stringList([o])));
    const range = ctx.rangeOf(/^drop\s+index\b/i) ?? ctx.stmt.range;
    const hint = runnerHint(ctx.file);
    // CONCURRENTLY takes one index and no CASCADE; only then is adding it a mechanical edit.
    const at = offsetAfter(ctx.stmt.text, /^drop\s+index\b/i);
    const fixable = objects.length === 1 && ctx.node.behavior !== 'DROP_CASCADE' && at > 0;
    const fix = fixable ? {
      title: concurrentlyFixTitle(ctx.stmt.inTransaction),
      edits: [ctx.edit(at, at, ' CONCURRENTLY')],
      isPreferred: false,
    } : undefined;

    const known: { index: string; table: string }[] = [];
    const unknown: string[] = [];
    for (const name of objects) {
      const idx = ctx.schema.get(name);
      if (!idx) { unknown.push(name); continue; }
      if (idx.createdInMigration || (idx.table && ctx.schema.get(idx.table)?.createdInMigration)) continue;
      if (idx.kind === 'partitioned index') {
        ctx.report('partitionedIndex', { index: name, table: idx.table ?? 'its table' }, { range });
        continue;
      }
      known.push({ index: name, table: idx.table ?? 'its table' });
    }
    if (known.length) {
      const tables = [...new Set(known.map((k) => k.table))];
      ctx.report('blocksReadsAndWrites', { index: listOf(known.map((k) => k.index)), table: listOf(tables), hint }, { range, fix });
    }
    if (unknown.length) {
      ctx.report('unknownTable', { index: listOf(unknown), hint }, { range, fix: known.length ? undefined : fix });
    }
  },
});
