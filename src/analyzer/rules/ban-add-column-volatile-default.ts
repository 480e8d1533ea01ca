import { defineRule } from '../rule.js';
import type { Node } from '../parse.js';
import { addColumnAnalysis } from '../lockmodel.js';
import { calledFunctions, volatility } from '../expressions.js';
import { alterTable, clauseRange, columnConstraints, ident, isNewRelation, isNoOpAddColumn } from './utils/group-a.js';

/** The first function called in `expr` whose volatility the analyzer does not know (a user or extension function). */
function unknownFunction(expr: Node | undefined): string | undefined {
  for (const name of calledFunctions(expr)) {
    if (volatility({ FuncCall: { funcname: [{ String: { sval: name } }] } }) === 'unknown') return name;
  }
  return undefined;
}

/** The first volatile built-in called in `expr`. */
function volatileFunction(expr: Node | undefined): string | undefined {
  return calledFunctions(expr).find((name) => volatility({ FuncCall: { funcname: [{ String: { sval: name } }] } }) === 'volatile');
}

export default defineRule({
  id: 'ban-add-column-volatile-default',
  summary: 'Ban ADD COLUMN with a volatile default, which rewrites the table',
  category: 'rewrite',
  defaultSeverity: 'error',
  kinds: ['AlterTableStmt'],
  messages: {
    volatileDefault: 'ADD COLUMN {{column}} with a default that calls the volatile {{fn}}: PostgreSQL computes it for every existing row and rewrites {{table}} under ACCESS EXCLUSIVE; reads and writes on it wait for the whole rewrite, and every index is rebuilt.',
    unknownVolatility: 'ADD COLUMN {{column}} has a default that calls {{fn}}, whose volatility pg-preflight cannot know: if it is VOLATILE, PostgreSQL rewrites {{table}} under ACCESS EXCLUSIVE (reads and writes wait for the whole rewrite, every index is rebuilt); a STABLE or IMMUTABLE default is stored once, without a rewrite.',
    defaultBeforePg11: 'ADD COLUMN {{column}} with a DEFAULT rewrites {{table}} under ACCESS EXCLUSIVE on PostgreSQL {{version}} (before 11 every non-null default is written into each row): reads and writes wait for the whole rewrite, and every index is rebuilt.',
  },
  help: {
    volatileDefault: 'Add the column without the default (or with a constant one), then ALTER COLUMN {{column}} SET DEFAULT … so new rows get it, and backfill existing rows in batches outside the DDL transaction. SET DEFAULT does not touch existing rows.',
    unknownVolatility: 'Check the function\'s volatility (SELECT provolatile FROM pg_proc WHERE proname = …). If it is volatile, add the column without the default, ALTER COLUMN {{column}} SET DEFAULT …, and backfill existing rows in batches.',
    defaultBeforePg11: 'Add the column without a default, ALTER COLUMN {{column}} SET DEFAULT … for new rows, and backfill existing rows in batches; or upgrade to PostgreSQL 11+, where a constant default is metadata-only.',
  },
  check(ctx) {
    const at = alterTable(ctx);
    if (!at || isNewRelation(ctx, at.table)) return;
    for (const cmd of at.cmds) {
      if (cmd.subtype !== 'AT_AddColumn' || !cmd.def?.ColumnDef || isNoOpAddColumn(ctx, at.table, cmd)) continue;
      const def = cmd.def.ColumnDef;
      const dflt = columnConstraints(def).find((c) => c.contype === 'CONSTR_DEFAULT');
      // DEFAULT NULL is no default at all: PostgreSQL does not store it.
      if (!dflt || dflt.raw_expr?.A_Const?.isnull) continue;
      const a = addColumnAnalysis(def, ctx);
      // Serial, identity and generated columns have their own rules.
      if (a.serial || a.identity || a.generated) continue;
      const data = { column: ident(def.colname), table: at.table, version: ctx.pgVersion };
      const range = clauseRange(ctx, dflt.location);
      if (a.defaultVolatility === 'volatile') {
        ctx.report('volatileDefault', { ...data, fn: `${volatileFunction(dflt.raw_expr) ?? 'function'}()` }, { range });
      } else if (a.defaultVolatility === 'unknown') {
        const fn = unknownFunction(dflt.raw_expr);
        ctx.report('unknownVolatility', { ...data, fn: fn ? `${fn}()` : 'an expression' }, { range });
      } else if (ctx.pgVersion < 11) {
        ctx.report('defaultBeforePg11', data, { range });
      }
    }
  },
});
