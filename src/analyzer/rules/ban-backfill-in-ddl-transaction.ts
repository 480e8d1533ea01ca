import { defineRule } from '../rule.js';
import type { StatementInfo } from '../analyze.js';
import type { LockEffect } from '../types.js';
import type { Node } from '../parse.js';
import { rangeVarName } from '../names.js';
import { strength } from '../locks.js';
import { innerNode, lineOf, sqlModeName, statementLabel } from './utils/group-c.js';
import { statementsOfKind, transactionStatementsOf } from '../lookback.js';

// Incident 04: one long transaction keeps the xmin horizon where it started, so vacuum cannot remove any row that
// died since, in any table. A backfill inside the DDL transaction also keeps the DDL's lock and every changed row's
// lock for its whole run.
const NOT_DDL = new Set([
  'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'SelectStmt', 'CopyStmt', 'TransactionStmt', 'VariableSetStmt',
  'VariableShowStmt', 'DoStmt', 'CallStmt', 'ExplainStmt', 'LockStmt', 'NotifyStmt', 'ListenStmt', 'DiscardStmt',
]);

/** The statements that can backfill. */
const BACKFILL_KINDS = ['UpdateStmt', 'DeleteStmt', 'MergeStmt', 'InsertStmt'];

/** The existing table a statement backfills: UPDATE, DELETE, MERGE, or INSERT … SELECT … FROM. */
function backfillTarget(stmt: StatementInfo): LockEffect | undefined {
  const kind = stmt.kind;
  if (kind !== 'UpdateStmt' && kind !== 'DeleteStmt' && kind !== 'MergeStmt' && kind !== 'InsertStmt') return undefined;
  const n = innerNode(stmt);
  switch (kind) {
    case 'UpdateStmt': case 'DeleteStmt': case 'MergeStmt': break;
    case 'InsertStmt': {
      const sel: Node | undefined = n.selectStmt?.SelectStmt;
      if (!sel || sel.valuesLists) return undefined;
      if (!sel.fromClause?.length && (!sel.op || sel.op === 'SETOP_NONE')) return undefined;
      break;
    }
    default: return undefined;
  }
  const target = rangeVarName(n.relation);
  const lock = stmt.locks.find((l) => l.relation === target);
  return lock && !lock.createdInMigration ? lock : undefined;
}

/** The statement's DDL lock on a relation that existed before the migration (SHARE UPDATE EXCLUSIVE or stronger). */
function ddlLock(stmt: StatementInfo): LockEffect | undefined {
  if (NOT_DDL.has(stmt.kind)) return undefined;
  const locks = stmt.locks.filter((l) => !l.createdInMigration && strength(l.mode) >= strength('ShareUpdateExclusiveLock'));
  return locks.find((l) => !l.implicit) ?? locks[0];
}

export default defineRule({
  id: 'ban-backfill-in-ddl-transaction',
  summary: 'Ban backfills of existing tables inside a transaction that also changes the schema',
  category: 'transactions',
  defaultSeverity: 'warning',
  messages: {
    backfillInDdlTransaction:
      '{{what}} on {{table}} runs in the same transaction as {{ddl}} on {{ddlTable}} (line {{line}}): until COMMIT the transaction keeps {{mode}} on {{ddlTable}} and the lock of every row it changed, and its snapshot holds back the xmin horizon, so vacuum cannot remove dead rows anywhere in the database for the whole backfill.',
    wholeTableWrite:
      '{{what}} without WHERE {{verb}} every row of {{table}} in one transaction: it holds every row\'s lock until it commits, leaves a dead version of each row behind, and holds back the xmin horizon (vacuum cannot clean up anywhere) for as long as it runs.',
  },
  help: {
    backfillInDdlTransaction:
      'Commit the schema change first, then backfill outside the DDL transaction in batches (e.g. UPDATE … WHERE id BETWEEN x AND x + 9999, one transaction per batch, pausing between batches). Rails: disable_ddl_transaction! and in_batches; Django: a separate migration with atomic = False; Alembic: op.get_context().autocommit_block().',
    wholeTableWrite:
      'Backfill in batches of a few thousand rows by primary-key range, each in its own transaction, outside the migration\'s DDL transaction. To empty a table, TRUNCATE it (ACCESS EXCLUSIVE, but instant and without dead rows).',
  },
  checkFile(ctx) {
    const { file } = ctx;
    // The first DDL statement of each transaction with a backfill (before or after it), looked up once.
    const ddlOf = new Map<number, { stmt: StatementInfo; lock: LockEffect } | null>();
    for (const stmt of statementsOfKind(file, BACKFILL_KINDS)) {
      const target = backfillTarget(stmt);
      if (!target) continue;
      let ddl: { stmt: StatementInfo; lock: LockEffect } | null | undefined = null;
      if (stmt.transactionId >= 0) {
        ddl = ddlOf.get(stmt.transactionId);
        if (ddl === undefined) {
          ddl = null;
          for (const other of transactionStatementsOf(file, stmt)) {
            const lock = ddlLock(other);
            if (lock) { ddl = { stmt: other, lock }; break; }
          }
          ddlOf.set(stmt.transactionId, ddl);
        }
      }
      if (ddl) {
        ctx.report('backfillInDdlTransaction', stmt.index, {
          what: statementLabel(stmt), table: target.relation, ddl: statementLabel(ddl.stmt), ddlTable: ddl.lock.relation,
          line: lineOf(ddl.stmt), mode: sqlModeName(ddl.lock.mode),
        }, { severity: 'error' });
      } else if ((stmt.kind === 'UpdateStmt' || stmt.kind === 'DeleteStmt') && !innerNode(stmt).whereClause) {
        ctx.report('wholeTableWrite', stmt.index, {
          what: statementLabel(stmt), table: target.relation, verb: stmt.kind === 'UpdateStmt' ? 'changes' : 'deletes',
        });
      }
    }
  },
});
