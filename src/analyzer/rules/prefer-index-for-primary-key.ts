import { defineRule, type RuleContext } from '../rule.js';
import { qualify } from '../names.js';
import { schemaOf } from '../schema.js';
import { alterTable, clauseRange, columnConstraints, ident, isNewRelation, isNoOpAddColumn, usingIndexFix } from './utils/group-a.js';

const PARTITIONED_HELP = 'A partitioned table has no concurrent path and no USING INDEX: on each partition, CREATE UNIQUE INDEX CONCURRENTLY and ALTER TABLE <partition> ADD PRIMARY KEY USING INDEX; then ADD PRIMARY KEY on {{table}} attaches the partitions\' keys instead of building new indexes.';

/** Key columns that PostgreSQL must check for NULLs: not NOT NULL and (12+) not proven by a validated CHECK. */
function nullable(ctx: RuleContext<any>, table: string, columns: string[]): string[] {
  const rel = ctx.schema.get(table);
  return columns.filter((c) => {
    if (ctx.schema.column(table, c)?.notNull) return false;
    return !(ctx.pgVersion >= 12 && rel?.constraints.some((k) => k.type === 'check' && k.validated && k.provesNotNull === c));
  });
}

export default defineRule({
  id: 'prefer-index-for-primary-key',
  summary: 'Prefer CREATE UNIQUE INDEX CONCURRENTLY and ADD PRIMARY KEY USING INDEX over building the key in ALTER TABLE',
  category: 'locking',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    buildsIndex: '{{clause}} builds the primary key\'s index on {{table}} while holding ACCESS EXCLUSIVE{{nulls}}: reads and writes on it wait for the whole build (a full scan and sort).',
    nullableColumns: 'ADD PRIMARY KEY USING INDEX {{index}} makes {{columns}} NOT NULL: it scans {{table}} under ACCESS EXCLUSIVE, so reads and writes on it wait until every row is checked.',
  },
  help: {
    buildsIndex: 'Build the index first without blocking: CREATE UNIQUE INDEX CONCURRENTLY {{index}} ON {{table}} ({{columns}}), outside a transaction block; check that it is valid; then ALTER TABLE {{table}} ADD CONSTRAINT {{index}} PRIMARY KEY USING INDEX {{index}}. Make the key columns NOT NULL beforehand (CHECK … IS NOT NULL NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL), or that step scans the table.',
    nullableColumns: 'Prove the columns non-null first: ADD CONSTRAINT … CHECK ({{first}} IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on). With that CHECK validated, PostgreSQL 12+ skips the scan.',
  },
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    const partitioned = ctx.schema.get(at.table)?.kind === 'partitioned table';
    const help = partitioned ? PARTITIONED_HELP : undefined;
    const relname = at.node.relation?.relname ?? 'table';
    for (const cmd of at.cmds) {
      if (cmd.subtype === 'AT_AddConstraint') {
        const con = cmd.def?.Constraint;
        if (con?.contype !== 'CONSTR_PRIMARY') continue;
        if (con.indexname) {
          // USING INDEX: no build, but nullable key columns are checked for NULLs under ACCESS EXCLUSIVE. An index
          // unknown to the schema model cannot be judged: this is the recommended path, so stay quiet.
          const idx = ctx.schema.get(qualify(schemaOf(at.table), con.indexname));
          if (!idx?.keyColumns?.length) continue;
          const cols = nullable(ctx, at.table, idx.keyColumns);
          if (!cols.length) continue;
          ctx.report('nullableColumns', { index: ident(con.indexname), table: at.table, columns: cols.map(ident).join(', '), first: ident(cols[0]) }, {
            range: clauseRange(ctx, con.location),
          });
          continue;
        }
        const keys: string[] = (con.keys ?? []).map((k: any) => k?.String?.sval).filter(Boolean);
        const index = con.conname ?? `${relname}_pkey`;
        ctx.report('buildsIndex', {
          clause: con.conname ? `ADD CONSTRAINT ${ident(con.conname)} PRIMARY KEY` : 'ADD PRIMARY KEY',
          nulls: nullable(ctx, at.table, keys).length ? ' (and checks every row for NULLs)' : '',
          table: at.table, index: ident(index), columns: keys.map(ident).join(', '),
        }, { range: clauseRange(ctx, con.location), help, fix: partitioned ? undefined : usingIndexFix(ctx, at, con) });
      } else if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef && !isNoOpAddColumn(ctx, at.table, cmd)) {
        const def = cmd.def.ColumnDef;
        const con = columnConstraints(def).find((c) => c.contype === 'CONSTR_PRIMARY');
        if (!con) continue;
        ctx.report('buildsIndex', {
          clause: `ADD COLUMN ${ident(def.colname)} … PRIMARY KEY`, nulls: '',
          table: at.table, index: ident(con.conname ?? `${relname}_pkey`), columns: ident(def.colname),
        }, { range: clauseRange(ctx, con.location), help: help ?? 'Add the column without PRIMARY KEY (and fill it), then CREATE UNIQUE INDEX CONCURRENTLY {{index}} ON {{table}} ({{columns}}) outside a transaction block, and ALTER TABLE {{table}} ADD CONSTRAINT {{index}} PRIMARY KEY USING INDEX {{index}}.' });
      }
    }
  },
});
