// The lock model: for one parsed statement, the table-level locks PostgreSQL takes on each relation, whether it
// rewrites or scans them, and whether it can run inside a transaction block. It follows PostgreSQL's own
// AlterTableGetLockLevel() (src/backend/commands/tablecmds.c) and the lock table of the "Explicit Locking" chapter,
// and is checked against real clusters by test/pg/lock-model.test.ts.
import type { LockEffect, LockMode, RelKind } from './types.js';
import type { Node } from './parse.js';
import { stronger } from './locks.js';
import { SchemaModel, typeOf, type ColumnInfo, collectRangeVars, isDefaultBound, schemaOf } from './schema.js';
import { rangeVarName, stringList, qualifyList, qualify, isTempRangeVar } from './names.js';
import { volatility } from './expressions.js';

export type TransactionControl = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to' | 'prepare' | 'commit-prepared' | 'rollback-prepared';

export interface Effects {
  locks: LockEffect[];
  /** Relations whose storage is rewritten (new relfilenode): tables and the indexes rebuilt with them. */
  rewrites: string[];
  /** Tables read in full while the lock is held (validation, index build). */
  scans: string[];
  /** Relations whose indexes are built by this statement. */
  buildsIndexOn: string[];
  /** The statement cannot run inside a transaction block. */
  nonTransactional: boolean;
  transaction?: TransactionControl;
  setting?: { name: string; value: string | null; local: boolean };
  /** What the model could not know (a table absent from the schema, a user function). */
  unknowns: string[];
}

export interface ModelContext {
  pgVersion: number;
  schema: SchemaModel;
}

class EffectsBuilder {
  readonly e: Effects = { locks: [], rewrites: [], scans: [], buildsIndexOn: [], nonTransactional: false, unknowns: [] };
  constructor(private readonly schema: SchemaModel) {}

  lock(relation: string | undefined, mode: LockMode, reason: string, implicit = false, kind?: RelKind): void {
    if (!relation) return;
    const info = this.schema.get(relation);
    const existing = this.e.locks.find((l) => l.relation === relation);
    if (existing) {
      if (stronger(existing.mode, mode) !== existing.mode) { existing.mode = mode; existing.reason = reason; }
      existing.implicit &&= implicit;
      return;
    }
    this.e.locks.push({
      relation, mode, implicit, reason,
      relkind: info?.kind ?? kind ?? 'unknown',
      createdInMigration: info?.createdInMigration ?? false,
    });
  }
  rewrite(rel: string | undefined): void { if (rel && !this.e.rewrites.includes(rel)) this.e.rewrites.push(rel); }
  scan(rel: string | undefined): void { if (rel && !this.e.scans.includes(rel)) this.e.scans.push(rel); }
  unknown(what: string): void { if (!this.e.unknowns.includes(what)) this.e.unknowns.push(what); }

  /** Locks every index of a table (DML opens them all; the planner reads them all). */
  lockIndexes(table: string, mode: LockMode, reason: string): void {
    for (const idx of this.schema.indexesOf(table)) this.lock(idx.name, mode, reason, true);
  }
  /** A rewritten table gets new storage for itself and every index. */
  rewriteWithIndexes(table: string, reason: string): void {
    this.rewrite(table);
    for (const idx of this.schema.indexesOf(table)) {
      this.lock(idx.name, 'AccessExclusiveLock', reason, true);
      this.rewrite(idx.name);
    }
  }
}

/** The effects of one statement. `stmt` is a libpg_query RawStmt's `stmt` ({ AlterTableStmt: {…} }). */
export function statementEffects(stmt: Node, ctx: ModelContext): Effects {
  const b = new EffectsBuilder(ctx.schema);
  const [kind, node] = Object.entries(stmt)[0] ?? [];
  if (!node) return b.e;
  const handler = HANDLERS[kind];
  if (handler) handler(node, b, ctx);
  return b.e;
}

export function statementKind(stmt: Node): string {
  return Object.keys(stmt)[0] ?? 'Unknown';
}

type Handler = (node: Node, b: EffectsBuilder, ctx: ModelContext) => void;

function ensureKnown(b: EffectsBuilder, ctx: ModelContext, rel: string | undefined): void {
  if (rel && !ctx.schema.has(rel)) b.unknown(`${rel} is not in the schema model: its indexes, partitions and columns are unknown`);
}

/** A relation and, unless ONLY was written, its partitions / inheritance children (libpg_query omits `inh` for ONLY). */
function withChildren(ctx: ModelContext, rv: Node): string[] {
  const name = rangeVarName(rv);
  if (!name) return [];
  return !rv.inh ? [name] : [name, ...ctx.schema.descendants(name)];
}

const HANDLERS: Record<string, Handler> = {
  TransactionStmt(node, b) {
    const map: Record<string, TransactionControl> = {
      TRANS_STMT_BEGIN: 'begin', TRANS_STMT_START: 'begin', TRANS_STMT_COMMIT: 'commit', TRANS_STMT_ROLLBACK: 'rollback',
      TRANS_STMT_SAVEPOINT: 'savepoint', TRANS_STMT_RELEASE: 'release', TRANS_STMT_ROLLBACK_TO: 'rollback-to',
      TRANS_STMT_PREPARE: 'prepare', TRANS_STMT_COMMIT_PREPARED: 'commit-prepared', TRANS_STMT_ROLLBACK_PREPARED: 'rollback-prepared',
    };
    b.e.transaction = map[node.kind];
    if (node.kind === 'TRANS_STMT_COMMIT_PREPARED' || node.kind === 'TRANS_STMT_ROLLBACK_PREPARED') b.e.nonTransactional = true;
  },

  VariableSetStmt(node, b) {
    if (node.kind === 'VAR_SET_VALUE') {
      const arg = node.args?.[0]?.A_Const;
      const value = arg ? String(arg.sval?.sval ?? arg.ival?.ival ?? arg.fval?.fval ?? (arg.ival ? 0 : '')) : '';
      b.e.setting = { name: String(node.name).toLowerCase(), value, local: !!node.is_local };
    } else if (node.kind === 'VAR_SET_DEFAULT' || node.kind === 'VAR_RESET') {
      b.e.setting = { name: String(node.name).toLowerCase(), value: null, local: !!node.is_local };
    } else if (node.kind === 'VAR_RESET_ALL') {
      b.e.setting = { name: 'all', value: null, local: false };
    }
  },

  AlterTableStmt(node, b, ctx) {
    const target = rangeVarName(node.relation);
    if (!target || isTempRangeVar(node.relation)) return;
    ensureKnown(b, ctx, target);
    const objtype: string = node.objtype;
    if (objtype === 'OBJECT_INDEX') return alterIndex(node, target, b, ctx);
    const isView = objtype === 'OBJECT_VIEW' || objtype === 'OBJECT_MATVIEW';
    const recurse = !!node.relation.inh;
    for (const c of node.cmds ?? []) {
      const cmd = c.AlterTableCmd;
      if (!cmd) continue;
      alterTableCmd(cmd, target, recurse, b, ctx, isView);
    }
  },

  IndexStmt(node, b, ctx) {
    const table = rangeVarName(node.relation);
    if (!table || isTempRangeVar(node.relation)) return;
    ensureKnown(b, ctx, table);
    const mode: LockMode = node.concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock';
    if (node.concurrent) b.e.nonTransactional = true;
    const reason = node.concurrent ? 'CREATE INDEX CONCURRENTLY' : 'CREATE INDEX';
    const schemaName = node.relation.schemaname ?? 'public';
    if (node.if_not_exists && node.idxname && ctx.schema.has(qualify(schemaName, node.idxname))) {
      // PostgreSQL takes the table lock, then finds the index and skips the build.
      b.lock(table, mode, reason + ' IF NOT EXISTS (already exists: skipped)');
      return;
    }
    const rel = ctx.schema.get(table);
    b.lock(table, mode, reason);
    b.e.buildsIndexOn.push(table);
    b.scan(table);
    if (rel?.kind === 'partitioned table' && node.relation.inh) {
      for (const p of ctx.schema.descendants(table)) { b.lock(p, mode, reason + ' on a partition', true); b.scan(p); }
    }
  },

  DropStmt(node, b, ctx) {
    const type: string = node.removeType;
    for (const obj of node.objects ?? []) {
      const parts = obj.List ? stringList(obj.List.items) : stringList([obj]);
      switch (type) {
        case 'OBJECT_TABLE': case 'OBJECT_VIEW': case 'OBJECT_MATVIEW': case 'OBJECT_SEQUENCE': case 'OBJECT_FOREIGN_TABLE':
          dropRelation(qualifyList(parts), b, ctx, node.missing_ok, type, node.behavior === 'DROP_CASCADE');
          break;
        case 'OBJECT_INDEX': {
          const idxName = qualifyList(parts);
          const idx = ctx.schema.get(idxName);
          if (node.concurrent) b.e.nonTransactional = true;
          if (!idx) { if (!node.missing_ok) b.unknown(`index ${idxName} is not in the schema model: the table it locks is unknown`); b.lock(idxName, node.concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', 'DROP INDEX', false, 'index'); break; }
          if (node.concurrent) {
            b.e.nonTransactional = true;
            b.lock(idx.table, 'ShareUpdateExclusiveLock', 'DROP INDEX CONCURRENTLY: the index\'s table', true);
            b.lock(idxName, 'AccessExclusiveLock', 'DROP INDEX CONCURRENTLY (after waiting for users)');
          } else {
            b.lock(idx.table, 'AccessExclusiveLock', 'DROP INDEX: the index\'s table', true);
            b.lock(idxName, 'AccessExclusiveLock', 'DROP INDEX');
            if (idx.kind === 'partitioned index') {
              for (const p of ctx.schema.descendants(idx.table ?? '')) {
                b.lock(p, 'AccessExclusiveLock', 'DROP INDEX on a partitioned table: each partition', true);
                for (const pi of ctx.schema.indexesOf(p)) if (sameKeys(pi.keyColumns, idx.keyColumns)) b.lock(pi.name, 'AccessExclusiveLock', 'partition\'s index', true);
              }
            }
          }
          break;
        }
        case 'OBJECT_TRIGGER': case 'OBJECT_RULE': case 'OBJECT_POLICY': {
          const table = qualifyList(parts.slice(0, -1));
          ensureKnown(b, ctx, table);
          b.lock(table, 'AccessExclusiveLock', `DROP ${type.slice(7)}`);
          break;
        }
        case 'OBJECT_SCHEMA': {
          if (node.behavior === 'DROP_CASCADE') {
            const schema = parts[0];
            for (const rel of ctx.schema.relationNames()) {
              if (rel.startsWith(qualify(schema, 'x').slice(0, -1))) b.lock(rel, 'AccessExclusiveLock', 'DROP SCHEMA … CASCADE', true);
            }
          }
          break;
        }
        default:
          break;
      }
    }
  },

  RenameStmt(node, b, ctx) {
    const target = rangeVarName(node.relation);
    switch (node.renameType) {
      case 'OBJECT_INDEX':
        // ALTER INDEX … RENAME takes SHARE UPDATE EXCLUSIVE on the index since PostgreSQL 12.
        b.lock(target, ctx.pgVersion >= 12 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', 'ALTER INDEX … RENAME');
        break;
      case 'OBJECT_TABLE': case 'OBJECT_VIEW': case 'OBJECT_MATVIEW': case 'OBJECT_SEQUENCE': case 'OBJECT_FOREIGN_TABLE':
        ensureKnown(b, ctx, target);
        b.lock(target, 'AccessExclusiveLock', 'RENAME');
        break;
      case 'OBJECT_COLUMN': case 'OBJECT_TABCONSTRAINT': case 'OBJECT_TRIGGER': case 'OBJECT_POLICY': case 'OBJECT_RULE':
        ensureKnown(b, ctx, target);
        if (node.renameType === 'OBJECT_COLUMN' && node.relation?.inh && target) {
          for (const t of [target, ...ctx.schema.descendants(target)]) b.lock(t, 'AccessExclusiveLock', 'RENAME COLUMN', t !== target);
        } else {
          b.lock(target, 'AccessExclusiveLock', `RENAME ${String(node.renameType).slice(7).toLowerCase()}`);
        }
        break;
      default:
        break;
    }
  },

  CreateStmt(node, b, ctx) {
    if (isTempRangeVar(node.relation)) return;
    for (const inh of node.inhRelations ?? []) {
      const parent = rangeVarName(inh.RangeVar);
      ensureKnown(b, ctx, parent);
      if (node.partbound) {
        b.lock(parent, 'AccessExclusiveLock', 'CREATE TABLE … PARTITION OF: the parent');
        const def = ctx.schema.get(parent ?? '')?.partitions.map((p) => ctx.schema.get(p)).find((p) => p?.isDefaultPartition);
        if (def && !isDefaultBound(node.partbound)) {
          b.lock(def.name, 'AccessExclusiveLock', 'the default partition is scanned for rows that belong to the new partition', true);
          b.scan(def.name);
        }
      } else {
        b.lock(parent, 'ShareUpdateExclusiveLock', 'CREATE TABLE … INHERITS: the parent');
      }
    }
    for (const elt of node.tableElts ?? []) {
      if (elt.TableLikeClause) b.lock(rangeVarName(elt.TableLikeClause.relation), 'AccessShareLock', 'CREATE TABLE … LIKE');
      const fks: Node[] = [];
      if (elt.Constraint?.contype === 'CONSTR_FOREIGN') fks.push(elt.Constraint);
      for (const c of elt.ColumnDef?.constraints ?? []) if (c.Constraint?.contype === 'CONSTR_FOREIGN') fks.push(c.Constraint);
      for (const fk of fks) {
        const ref = rangeVarName(fk.pktable);
        b.lock(ref, 'ShareRowExclusiveLock', 'foreign key from a new table: triggers are added to the referenced table');
      }
    }
  },

  CreateTrigStmt(node, b, ctx) {
    const table = rangeVarName(node.relation);
    ensureKnown(b, ctx, table);
    const exists = !!table && (ctx.schema.get(table)?.triggers.includes(node.trigname) ?? false);
    b.lock(table, 'ShareRowExclusiveLock', node.replace ? (exists ? 'CREATE OR REPLACE TRIGGER (replacing)' : 'CREATE OR REPLACE TRIGGER') : 'CREATE TRIGGER');
    if (node.constrrel) b.lock(rangeVarName(node.constrrel), 'AccessShareLock', 'constraint trigger\'s referenced table');
  },

  TruncateStmt(node, b, ctx) {
    for (const r of node.relations ?? []) {
      for (const t of withChildren(ctx, r.RangeVar)) {
        ensureKnown(b, ctx, t);
        b.lock(t, 'AccessExclusiveLock', 'TRUNCATE', t !== rangeVarName(r.RangeVar));
        b.rewriteWithIndexes(t, 'TRUNCATE gives every index new storage');
        if (node.behavior === 'DROP_CASCADE') {
          for (const other of referencingClosure(ctx.schema, t)) {
            b.lock(other, 'AccessExclusiveLock', 'TRUNCATE … CASCADE: a table that references it', true);
            b.rewriteWithIndexes(other, 'TRUNCATE … CASCADE');
          }
        }
      }
    }
  },

  VacuumStmt(node, b, ctx) {
    const options = (node.options ?? []).map((o: Node) => String(o.DefElem?.defname ?? '').toLowerCase());
    const full = options.includes('full');
    const isVacuum = node.is_vacuumcmd !== false;
    if (isVacuum) b.e.nonTransactional = true;
    const mode: LockMode = full ? 'AccessExclusiveLock' : 'ShareUpdateExclusiveLock';
    const what = isVacuum ? (full ? 'VACUUM FULL' : 'VACUUM') : 'ANALYZE';
    for (const r of node.rels ?? []) {
      const rv = r.VacuumRelation?.relation;
      for (const t of withChildren(ctx, rv)) {
        ensureKnown(b, ctx, t);
        b.lock(t, mode, what, t !== rangeVarName(rv));
        if (full) b.rewriteWithIndexes(t, 'VACUUM FULL rebuilds every index');
        else b.scan(t);
      }
    }
  },

  ClusterStmt(node, b, ctx) {
    const t = rangeVarName(node.relation);
    if (!t) return;
    ensureKnown(b, ctx, t);
    b.lock(t, 'AccessExclusiveLock', 'CLUSTER');
    b.rewriteWithIndexes(t, 'CLUSTER rebuilds every index');
  },

  ReindexStmt(node, b, ctx) {
    const concurrently = (node.params ?? []).some((p: Node) => String(p.DefElem?.defname).toLowerCase() === 'concurrently' && !isFalse(p.DefElem?.arg)) || !!node.concurrent;
    if (concurrently) b.e.nonTransactional = true;
    const kind: string = node.kind;
    // REINDEX of a partitioned table or index processes each partition in its own transaction (14+).
    const target = ctx.schema.get(rangeVarName(node.relation) ?? '');
    if (ctx.pgVersion >= 14 && (target?.kind === 'partitioned table' || target?.kind === 'partitioned index')) b.e.nonTransactional = true;
    if (kind === 'REINDEX_OBJECT_INDEX') {
      const idxName = rangeVarName(node.relation);
      const idx = ctx.schema.get(idxName ?? '');
      if (!idx) b.unknown(`index ${idxName} is not in the schema model: the table it locks is unknown`);
      b.lock(idx?.table, concurrently ? 'ShareUpdateExclusiveLock' : 'ShareLock', 'REINDEX INDEX: the index\'s table', true);
      b.lock(idxName, concurrently ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', 'REINDEX INDEX');
      if (!concurrently) b.rewrite(idxName);
    } else if (kind === 'REINDEX_OBJECT_TABLE') {
      const t = rangeVarName(node.relation);
      ensureKnown(b, ctx, t);
      b.lock(t, concurrently ? 'ShareUpdateExclusiveLock' : 'ShareLock', 'REINDEX TABLE');
      for (const idx of ctx.schema.indexesOf(t ?? '')) {
        b.lock(idx.name, concurrently ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', 'REINDEX TABLE: each index', true);
        if (!concurrently) b.rewrite(idx.name);
      }
    } else {
      b.e.nonTransactional = true; // REINDEX SCHEMA / DATABASE / SYSTEM
    }
  },

  RefreshMatViewStmt(node, b, ctx) {
    const mv = rangeVarName(node.relation);
    ensureKnown(b, ctx, mv);
    if (node.concurrent) {
      b.lock(mv, 'ExclusiveLock', 'REFRESH MATERIALIZED VIEW CONCURRENTLY');
    } else {
      b.lock(mv, 'AccessExclusiveLock', 'REFRESH MATERIALIZED VIEW');
      if (mv) b.rewriteWithIndexes(mv, 'REFRESH MATERIALIZED VIEW rebuilds its indexes');
    }
    for (const dep of ctx.schema.get(mv ?? '')?.dependsOn ?? []) {
      if (!node.skipData) readsRelation(dep, b, ctx, 'the materialized view\'s query reads it');
    }
  },

  LockStmt(node, b, ctx) {
    const modes: LockMode[] = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
    const mode = modes[(node.mode ?? 8) - 1] ?? 'AccessExclusiveLock';
    for (const r of node.relations ?? []) {
      for (const t of withChildren(ctx, r.RangeVar)) { ensureKnown(b, ctx, t); b.lock(t, mode, 'LOCK TABLE', t !== rangeVarName(r.RangeVar)); }
    }
  },

  ViewStmt(node, b, ctx) {
    const view = rangeVarName(node.view);
    if (node.replace && view && ctx.schema.has(view)) b.lock(view, 'AccessExclusiveLock', 'CREATE OR REPLACE VIEW');
    for (const dep of collectRangeVars(node.query)) if (ctx.schema.has(dep)) b.lock(dep, 'AccessShareLock', 'read by the view definition');
  },

  CreateTableAsStmt(node, b, ctx) {
    for (const dep of collectRangeVars(node.query)) {
      if (!ctx.schema.has(dep)) continue;
      if (node.into?.skipData) b.lock(dep, 'AccessShareLock', 'read by the definition');
      else readsRelation(dep, b, ctx, 'read to fill the new relation');
    }
  },

  AlterSeqStmt(node, b, ctx) {
    const seq = rangeVarName(node.sequence);
    ensureKnown(b, ctx, seq);
    b.lock(seq, 'ShareRowExclusiveLock', 'ALTER SEQUENCE');
  },

  CreateStatsStmt(node, b, ctx) {
    for (const r of node.relations ?? []) { const t = rangeVarName(r.RangeVar); ensureKnown(b, ctx, t); b.lock(t, 'ShareUpdateExclusiveLock', 'CREATE STATISTICS'); }
  },

  CommentStmt(node, b) {
    const objtype: string = node.objtype;
    if (objtype === 'OBJECT_COLUMN') {
      const parts = stringList(node.object?.List?.items);
      b.lock(qualifyList(parts.slice(0, -1)), 'ShareUpdateExclusiveLock', 'COMMENT ON COLUMN');
    } else if (['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE'].includes(objtype)) {
      const parts = stringList(node.object?.List?.items);
      b.lock(qualifyList(parts), 'ShareUpdateExclusiveLock', 'COMMENT ON');
    }
  },

  CreatePolicyStmt(node, b, ctx) {
    const t = rangeVarName(node.table); ensureKnown(b, ctx, t); b.lock(t, 'AccessExclusiveLock', 'CREATE POLICY');
  },
  AlterPolicyStmt(node, b, ctx) {
    const t = rangeVarName(node.table); ensureKnown(b, ctx, t); b.lock(t, 'AccessExclusiveLock', 'ALTER POLICY');
  },
  RuleStmt(node, b, ctx) {
    const t = rangeVarName(node.relation); ensureKnown(b, ctx, t); b.lock(t, 'AccessExclusiveLock', 'CREATE RULE');
  },

  AlterDomainStmt(node, b, ctx) {
    if (node.subtype !== 'C' && node.subtype !== 'V' && node.subtype !== 'N') return;
    // Adding or validating a domain constraint checks every column of that domain under SHARE lock.
    const domain = qualifyList(stringList(node.typeName));
    const mode: LockMode = 'ShareLock';
    if (node.subtype === 'C' && node.def?.Constraint?.skip_validation) return;
    for (const rel of ctx.schema.relationNames()) {
      const info = ctx.schema.get(rel);
      if (info?.kind !== 'table' && info?.kind !== 'partitioned table') continue;
      if (info.columns.some((c) => qualify(c.type.includes('.') ? c.type.split('.')[0] : 'public', c.type.split('.').pop()!) === domain || c.type === domain.split('.').pop())) {
        b.lock(rel, mode, 'a column of this domain is checked', true);
        b.scan(rel);
      }
    }
  },

  AlterEnumStmt(node, b, ctx) {
    // ALTER TYPE … ADD VALUE could not run in a transaction block before PostgreSQL 12.
    if (!node.oldVal && ctx.pgVersion < 12) b.e.nonTransactional = true;
  },

  CreatedbStmt(_n, b) { b.e.nonTransactional = true; },
  DropdbStmt(_n, b) { b.e.nonTransactional = true; },
  AlterSystemStmt(_n, b) { b.e.nonTransactional = true; },
  CreateTableSpaceStmt(_n, b) { b.e.nonTransactional = true; },
  DropTableSpaceStmt(_n, b) { b.e.nonTransactional = true; },
  CreateSubscriptionStmt(_n, b) { b.e.nonTransactional = true; },

  InsertStmt(node, b, ctx) { dml(node.relation, 'INSERT', node, b, ctx); },
  UpdateStmt(node, b, ctx) { dml(node.relation, 'UPDATE', node, b, ctx); },
  DeleteStmt(node, b, ctx) { dml(node.relation, 'DELETE', node, b, ctx); },
  MergeStmt(node, b, ctx) { dml(node.relation, 'MERGE', node, b, ctx); },
  SelectStmt(node, b, ctx) {
    const forUpdate = (node.lockingClause ?? []).length > 0;
    for (const t of collectRangeVars(node)) {
      if (!ctx.schema.has(t)) continue;
      if (forUpdate) { b.lock(t, 'RowShareLock', 'SELECT … FOR UPDATE/SHARE'); b.lockIndexes(t, 'RowShareLock', 'planner'); }
      else readsRelation(t, b, ctx, 'SELECT');
    }
  },
  CopyStmt(node, b, ctx) {
    const t = rangeVarName(node.relation);
    if (!t) return;
    ensureKnown(b, ctx, t);
    if (node.is_from) { b.lock(t, 'RowExclusiveLock', 'COPY FROM'); b.lockIndexes(t, 'RowExclusiveLock', 'index maintenance'); }
    else b.lock(t, 'AccessShareLock', 'COPY TO');
  },
};

function readsRelation(t: string, b: EffectsBuilder, ctx: ModelContext, reason: string): void {
  b.lock(t, 'AccessShareLock', reason);
  const rel = ctx.schema.get(t);
  if (rel?.kind === 'view') { for (const d of rel.dependsOn ?? []) readsRelation(d, b, ctx, 'read through a view'); return; }
  b.lockIndexes(t, 'AccessShareLock', 'the planner opens every index');
  if (rel?.kind === 'partitioned table') for (const p of ctx.schema.descendants(t)) { b.lock(p, 'AccessShareLock', 'a partition', true); b.lockIndexes(p, 'AccessShareLock', 'the planner opens every index'); }
}

function dml(rv: Node, what: string, node: Node, b: EffectsBuilder, ctx: ModelContext): void {
  const t = rangeVarName(rv);
  if (!t || isTempRangeVar(rv)) return;
  ensureKnown(b, ctx, t);
  b.lock(t, 'RowExclusiveLock', what);
  b.lockIndexes(t, 'RowExclusiveLock', `${what} maintains every index`);
  if (ctx.schema.get(t)?.kind === 'partitioned table') {
    for (const p of ctx.schema.descendants(t)) { b.lock(p, 'RowExclusiveLock', `${what} on a partition`, true); b.lockIndexes(p, 'RowExclusiveLock', 'index maintenance'); }
  }
  const others = collectRangeVars([node.fromClause, node.usingClause, node.whereClause, node.selectStmt, node.withClause, node.sourceRelation, node.targetList]);
  for (const o of others) if (o !== t && ctx.schema.has(o)) readsRelation(o, b, ctx, `read by the ${what}`);
  if (what === 'UPDATE' || what === 'DELETE' || what === 'MERGE') {
    if (!node.whereClause) b.scan(t);
  }
}

function referencingTables(schema: SchemaModel, table: string): string[] {
  return schema.relationNames().filter((r) => r !== table && (schema.get(r)?.constraints.some((c) => c.type === 'foreign key' && c.references === table) ?? false));
}

/** Every table that references `table` through foreign keys, transitively (what TRUNCATE … CASCADE empties). */
function referencingClosure(schema: SchemaModel, table: string): string[] {
  const seen = new Set<string>([table]);
  const queue = [table];
  const all = schema.relationNames();
  while (queue.length) {
    const cur = queue.shift()!;
    for (const r of all) {
      if (seen.has(r)) continue;
      if (schema.get(r)?.constraints.some((c) => c.type === 'foreign key' && c.references === cur)) { seen.add(r); queue.push(r); }
    }
  }
  seen.delete(table);
  return [...seen];
}

function isFalse(arg: Node | undefined): boolean {
  const v = arg?.Boolean?.boolval ?? arg?.String?.sval ?? arg?.A_Const?.sval?.sval ?? arg?.Integer?.ival;
  if (arg?.Boolean) return !arg.Boolean.boolval;
  return v === false || v === 'false' || v === 'off' || v === 0 || v === '0';
}

function sameKeys(a?: string[], b?: string[]): boolean {
  return !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);
}

function dropRelation(name: string, b: EffectsBuilder, ctx: ModelContext, missingOk: boolean, type: string, cascade = false): void {
  const rel = ctx.schema.get(name);
  if (!rel) {
    if (!missingOk) b.unknown(`${name} is not in the schema model: what else it locks is unknown`);
    b.lock(name, 'AccessExclusiveLock', `DROP ${type.slice(7).toLowerCase()}`);
    return;
  }
  b.lock(name, 'AccessExclusiveLock', `DROP ${rel.kind.toUpperCase()}`);
  const victims = [name, ...ctx.schema.descendants(name)];
  for (const v of victims) {
    if (v !== name) b.lock(v, 'AccessExclusiveLock', 'a partition is dropped with its table', true);
    for (const idx of ctx.schema.indexesOf(v)) b.lock(idx.name, 'AccessExclusiveLock', 'an index is dropped with its table', true);
    for (const s of ctx.schema.get(v)?.ownedSequences ?? []) b.lock(s, 'AccessExclusiveLock', 'an owned sequence is dropped with its table', true);
    if (cascade) {
      for (const other of referencingTables(ctx.schema, v)) {
        if (!victims.includes(other)) b.lock(other, 'AccessExclusiveLock', 'DROP … CASCADE drops the foreign keys of tables that reference it', true);
      }
    }
    // Dropping a table drops its foreign keys, and with them the triggers on the referenced tables.
    for (const c of ctx.schema.get(v)?.constraints ?? []) {
      if (c.type === 'foreign key' && c.references && !victims.includes(c.references)) {
        b.lock(c.references, 'AccessExclusiveLock', 'its foreign key\'s triggers are dropped from the referenced table', true);
      }
    }
  }
}

function alterIndex(node: Node, index: string, b: EffectsBuilder, ctx: ModelContext): void {
  const idx = ctx.schema.get(index);
  for (const c of node.cmds ?? []) {
    const cmd = c.AlterTableCmd;
    if (!cmd) continue;
    switch (cmd.subtype) {
      case 'AT_SetTableSpace':
        b.lock(index, 'AccessExclusiveLock', 'ALTER INDEX … SET TABLESPACE');
        b.rewrite(index);
        break;
      case 'AT_SetRelOptions': case 'AT_ResetRelOptions':
        b.lock(index, relOptionsLock(cmd.def), 'ALTER INDEX … SET (…)');
        break;
      case 'AT_AttachPartition': {
        const child = rangeVarName(cmd.def?.PartitionCmd?.name);
        const childIdx = ctx.schema.get(child ?? '');
        b.lock(idx?.table, 'ShareUpdateExclusiveLock', 'ALTER INDEX … ATTACH PARTITION: the parent table', true);
        b.lock(index, 'AccessExclusiveLock', 'ALTER INDEX … ATTACH PARTITION');
        b.lock(childIdx?.table, 'ShareUpdateExclusiveLock', 'the partition\'s table', true);
        b.lock(child, 'AccessExclusiveLock', 'the attached index');
        break;
      }
      case 'AT_SetStatistics':
        b.lock(index, 'ShareUpdateExclusiveLock', 'ALTER INDEX … SET STATISTICS');
        break;
      default:
        b.lock(index, 'AccessExclusiveLock', 'ALTER INDEX');
    }
  }
}

/** AlterTableGetRelOptionsLockLevel(): every storage parameter today needs SHARE UPDATE EXCLUSIVE. */
function relOptionsLock(_def: Node): LockMode {
  return 'ShareUpdateExclusiveLock';
}

function alterTableCmd(cmd: Node, target: string, recurse: boolean, b: EffectsBuilder, ctx: ModelContext, isView: boolean): void {
  const schema = ctx.schema;
  const children = recurse ? schema.descendants(target) : [];
  const all = [target, ...children];
  const lockAll = (mode: LockMode, reason: string) => { for (const t of all) b.lock(t, mode, t === target ? reason : `${reason} (partition)`, t !== target); };
  const st: string = cmd.subtype;
  switch (st) {
    case 'AT_AddColumn': {
      lockAll('AccessExclusiveLock', 'ADD COLUMN');
      const def = cmd.def?.ColumnDef;
      if (!def || isView) break;
      if (cmd.missing_ok && schema.column(target, def.colname)) break;
      const a = addColumnAnalysis(def, ctx);
      if (a.rewrites) for (const t of all) if (isHeap(schema, t)) b.rewriteWithIndexes(t, 'ADD COLUMN rewrites the table and rebuilds every index');
      if (a.scans && !a.rewrites) for (const t of all) b.scan(t);
      if (a.buildsIndex) { b.e.buildsIndexOn.push(target); for (const t of all) b.scan(t); }
      for (const ref of a.references) { b.lock(ref, 'ShareRowExclusiveLock', 'ADD COLUMN … REFERENCES: the referenced table'); }
      break;
    }
    case 'AT_DropColumn': {
      lockAll('AccessExclusiveLock', 'DROP COLUMN');
      for (const t of all) for (const idx of schema.indexesOf(t)) if (idx.keyColumns?.includes(cmd.name)) b.lock(idx.name, 'AccessExclusiveLock', 'an index on the dropped column is dropped', true);
      break;
    }
    case 'AT_AlterColumnType': {
      lockAll('AccessExclusiveLock', 'ALTER COLUMN TYPE');
      const def = cmd.def?.ColumnDef;
      const col = schema.column(target, cmd.name);
      const verdict = typeChangeRewrites(col, def, ctx.pgVersion);
      if (verdict === 'unknown') b.unknown(`the current type of ${target}.${cmd.name} is unknown: assuming the table is rewritten`);
      if (verdict !== 'no') {
        for (const t of all) if (isHeap(schema, t)) b.rewriteWithIndexes(t, 'ALTER COLUMN TYPE rewrites the table and rebuilds every index');
      } else {
        // No rewrite, but indexes on the column are rebuilt unless their operator class still fits.
        for (const t of all) for (const idx of schema.indexesOf(t)) if (idx.keyColumns?.includes(cmd.name) && !indexReusable(col, def)) { b.lock(idx.name, 'AccessExclusiveLock', 'index on the changed column is rebuilt', true); b.rewrite(idx.name); }
      }
      break;
    }
    case 'AT_SetNotNull': {
      lockAll('AccessExclusiveLock', 'SET NOT NULL');
      for (const t of all) {
        const col = schema.column(t, cmd.name);
        const proven = ctx.pgVersion >= 12 && schema.get(t)?.constraints.some((c) => c.type === 'check' && c.validated && c.provesNotNull === cmd.name);
        if (!col?.notNull && !proven) b.scan(t);
      }
      break;
    }
    case 'AT_DropNotNull': lockAll('AccessExclusiveLock', 'DROP NOT NULL'); break;
    case 'AT_ColumnDefault': case 'AT_CookedColumnDefault': lockAll('AccessExclusiveLock', cmd.def ? 'SET DEFAULT' : 'DROP DEFAULT'); break;
    case 'AT_SetStatistics': lockAll('ShareUpdateExclusiveLock', 'SET STATISTICS'); break;
    case 'AT_SetOptions': case 'AT_ResetOptions': lockAll('ShareUpdateExclusiveLock', 'ALTER COLUMN … SET (…)'); break;
    case 'AT_SetStorage': lockAll('AccessExclusiveLock', 'SET STORAGE'); break;
    case 'AT_SetCompression': lockAll('AccessExclusiveLock', 'SET COMPRESSION'); break;
    case 'AT_ClusterOn': case 'AT_DropCluster': b.lock(target, 'ShareUpdateExclusiveLock', st === 'AT_ClusterOn' ? 'CLUSTER ON' : 'SET WITHOUT CLUSTER'); break;
    case 'AT_SetRelOptions': case 'AT_ResetRelOptions': b.lock(target, relOptionsLock(cmd.def), 'SET (storage parameters)'); break;
    case 'AT_ValidateConstraint': {
      lockAll('ShareUpdateExclusiveLock', 'VALIDATE CONSTRAINT');
      const con = schema.get(target)?.constraints.find((c) => c.name === cmd.name);
      if (!con) b.unknown(`constraint ${cmd.name} is not in the schema model`);
      if (con?.type === 'foreign key' && con.references) {
        b.lock(con.references, 'RowShareLock', 'VALIDATE of a foreign key reads the referenced table');
        b.scan(con.references);
      }
      if (!con?.validated) for (const t of all) b.scan(t);
      break;
    }
    case 'AT_AddConstraint': {
      const con = cmd.def?.Constraint;
      if (!con) break;
      addConstraint(con, target, all, b, ctx);
      break;
    }
    case 'AT_DropConstraint': {
      lockAll('AccessExclusiveLock', 'DROP CONSTRAINT');
      const con = schema.get(target)?.constraints.find((c) => c.name === cmd.name);
      if (con?.type === 'foreign key' && con.references) b.lock(con.references, 'AccessExclusiveLock', 'dropping a foreign key drops its triggers on the referenced table', true);
      if (con?.index) b.lock(con.index, 'AccessExclusiveLock', 'the constraint\'s index is dropped', true);
      // Foreign keys of other tables that depend on a dropped unique/primary key are dropped with CASCADE.
      break;
    }
    case 'AT_AlterConstraint': b.lock(target, 'AccessExclusiveLock', 'ALTER CONSTRAINT'); break;
    case 'AT_EnableTrig': case 'AT_EnableAlwaysTrig': case 'AT_EnableReplicaTrig': case 'AT_EnableTrigAll': case 'AT_EnableTrigUser':
    case 'AT_DisableTrig': case 'AT_DisableTrigAll': case 'AT_DisableTrigUser':
      lockAll('ShareRowExclusiveLock', st.startsWith('AT_Enable') ? 'ENABLE TRIGGER' : 'DISABLE TRIGGER');
      break;
    case 'AT_EnableRule': case 'AT_EnableAlwaysRule': case 'AT_EnableReplicaRule': case 'AT_DisableRule':
      b.lock(target, 'AccessExclusiveLock', 'ENABLE/DISABLE RULE'); break;
    case 'AT_ChangeOwner': lockAll('AccessExclusiveLock', 'OWNER TO'); break;
    case 'AT_SetTableSpace': case 'AT_SetAccessMethod':
      b.lock(target, 'AccessExclusiveLock', st === 'AT_SetTableSpace' ? 'SET TABLESPACE' : 'SET ACCESS METHOD');
      if (isHeap(schema, target)) b.rewrite(target);
      break;
    case 'AT_SetLogged': case 'AT_SetUnLogged':
      b.lock(target, 'AccessExclusiveLock', st === 'AT_SetLogged' ? 'SET LOGGED' : 'SET UNLOGGED');
      b.rewriteWithIndexes(target, 'SET LOGGED/UNLOGGED rewrites the table and its indexes');
      break;
    case 'AT_AddInherit': case 'AT_DropInherit': {
      b.lock(target, 'AccessExclusiveLock', st === 'AT_AddInherit' ? 'INHERIT' : 'NO INHERIT');
      const parent = rangeVarName(cmd.def?.RangeVar ?? cmd.def);
      b.lock(parent, 'ShareUpdateExclusiveLock', 'the parent of INHERIT / NO INHERIT');
      break;
    }
    case 'AT_ReplicaIdentity': b.lock(target, 'AccessExclusiveLock', 'REPLICA IDENTITY'); break;
    case 'AT_EnableRowSecurity': case 'AT_DisableRowSecurity': case 'AT_ForceRowSecurity': case 'AT_NoForceRowSecurity':
      b.lock(target, 'AccessExclusiveLock', 'ROW LEVEL SECURITY'); break;
    case 'AT_AddIdentity': case 'AT_SetIdentity': case 'AT_DropIdentity': lockAll('AccessExclusiveLock', 'IDENTITY'); break;
    case 'AT_SetExpression': lockAll('AccessExclusiveLock', 'SET EXPRESSION'); for (const t of all) if (isHeap(schema, t)) b.rewriteWithIndexes(t, 'SET EXPRESSION rewrites the table'); break;
    case 'AT_DropExpression': lockAll('AccessExclusiveLock', 'DROP EXPRESSION'); break;
    case 'AT_AttachPartition': {
      const child = rangeVarName(cmd.def?.PartitionCmd?.name);
      b.lock(target, ctx.pgVersion >= 12 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', 'ATTACH PARTITION: the parent');
      b.lock(child, 'AccessExclusiveLock', 'ATTACH PARTITION: the new partition');
      ensureKnown(b, ctx, child);
      // The partition is scanned to prove its rows fit the bound, unless a validated CHECK proves it.
      b.scan(child);
      for (const p of schema.descendants(child ?? '')) { b.lock(p, 'AccessExclusiveLock', 'a sub-partition of the attached table', true); b.scan(p); }
      const def = schema.get(target)?.partitions.map((p) => schema.get(p)).find((p) => p?.isDefaultPartition);
      if (def && !isDefaultBound(cmd.def.PartitionCmd.bound)) {
        b.lock(def.name, 'AccessExclusiveLock', 'the default partition is scanned for rows of the new bound', true);
        b.scan(def.name);
      }
      // Partitioned indexes of the parent are attached to (or built on) the new partition.
      for (const pidx of schema.indexesOf(target)) {
        const match = schema.indexesOf(child ?? '').find((ci) => sameKeys(ci.keyColumns, pidx.keyColumns));
        b.lock(pidx.name, 'AccessShareLock', 'the parent\'s partitioned index', true);
        if (match) b.lock(match.name, 'AccessShareLock', 'the partition\'s matching index', true);
        else { b.e.buildsIndexOn.push(child ?? ''); }
      }
      break;
    }
    case 'AT_DetachPartition': {
      const child = rangeVarName(cmd.def?.PartitionCmd?.name);
      const concurrent = !!cmd.def?.PartitionCmd?.concurrent;
      if (concurrent) {
        b.e.nonTransactional = true;
        b.lock(target, 'ShareUpdateExclusiveLock', 'DETACH PARTITION CONCURRENTLY: the parent');
        b.lock(child, 'ShareUpdateExclusiveLock', 'DETACH PARTITION CONCURRENTLY: the partition');
      } else {
        b.lock(target, 'AccessExclusiveLock', 'DETACH PARTITION: the parent');
        b.lock(child, 'AccessExclusiveLock', 'DETACH PARTITION: the partition');
        const def = schema.get(target)?.partitions.map((p) => schema.get(p)).find((p) => p?.isDefaultPartition && p.name !== child);
        if (def) b.lock(def.name, 'AccessExclusiveLock', 'the default partition\'s constraint changes', true);
      }
      break;
    }
    case 'AT_DetachPartitionFinalize':
      b.lock(target, 'ShareUpdateExclusiveLock', 'DETACH PARTITION … FINALIZE');
      break;
    case 'AT_AddIndex': case 'AT_AddIndexConstraint': lockAll('AccessExclusiveLock', 'ADD CONSTRAINT … USING INDEX'); break;
    case 'AT_GenericOptions': case 'AT_AlterColumnGenericOptions': case 'AT_AddOf': case 'AT_DropOf': case 'AT_ReplaceRelOptions':
    default:
      lockAll('AccessExclusiveLock', 'ALTER TABLE');
  }
}

function isHeap(schema: SchemaModel, rel: string): boolean {
  const k = schema.get(rel)?.kind;
  return k === undefined || k === 'table' || k === 'materialized view' || k === 'unknown';
}

function addConstraint(con: Node, target: string, all: string[], b: EffectsBuilder, ctx: ModelContext): void {
  const lockAll = (mode: LockMode, reason: string) => { for (const t of all) b.lock(t, mode, t === target ? reason : `${reason} (partition)`, t !== target); };
  const notValid = !!con.skip_validation;
  switch (con.contype) {
    case 'CONSTR_FOREIGN': {
      const ref = rangeVarName(con.pktable);
      lockAll('ShareRowExclusiveLock', notValid ? 'ADD FOREIGN KEY … NOT VALID' : 'ADD FOREIGN KEY');
      b.lock(ref, 'ShareRowExclusiveLock', 'ADD FOREIGN KEY: triggers are added to the referenced table');
      ensureKnown(b, ctx, ref);
      if (!notValid) {
        for (const t of all) b.scan(t);
        for (const pk of ctx.schema.indexesOf(ref ?? '')) if (pk.unique && sameKeys(pk.keyColumns, stringList(con.pk_attrs).length ? stringList(con.pk_attrs) : pk.keyColumns)) {
          b.lock(pk.name, 'AccessShareLock', 'the referenced key\'s index', true);
          break;
        }
      }
      break;
    }
    case 'CONSTR_CHECK':
      lockAll('AccessExclusiveLock', notValid ? 'ADD CHECK … NOT VALID' : 'ADD CHECK');
      if (!notValid) for (const t of all) b.scan(t);
      break;
    case 'CONSTR_PRIMARY': case 'CONSTR_UNIQUE': case 'CONSTR_EXCLUSION': {
      const what = con.contype === 'CONSTR_PRIMARY' ? 'ADD PRIMARY KEY' : con.contype === 'CONSTR_UNIQUE' ? 'ADD UNIQUE' : 'ADD EXCLUDE';
      if (con.indexname) {
        lockAll('AccessExclusiveLock', `${what} USING INDEX`);
        const idx = qualify(schemaOf(target), con.indexname);
        b.lock(idx, 'AccessExclusiveLock', 'the index is renamed to the constraint', true);
        // A primary key on nullable columns must still check every row for NULLs.
        if (con.contype === 'CONSTR_PRIMARY') {
          const cols = ctx.schema.get(idx)?.keyColumns ?? [];
          const proven = (c: string) => ctx.pgVersion >= 12 && (ctx.schema.get(target)?.constraints.some((k) => k.type === 'check' && k.validated && k.provesNotNull === c) ?? false);
          if (cols.some((c) => !ctx.schema.column(target, c)?.notNull && !proven(c))) for (const t of all) b.scan(t);
        }
        break;
      }
      lockAll('AccessExclusiveLock', what);
      b.e.buildsIndexOn.push(target);
      for (const t of all) b.scan(t);
      break;
    }
    case 'CONSTR_NOTNULL':
      lockAll('AccessExclusiveLock', 'ADD … NOT NULL');
      if (!notValid) for (const t of all) b.scan(t);
      break;
    default:
      lockAll('AccessExclusiveLock', 'ADD CONSTRAINT');
  }
}

export interface AddColumnAnalysis {
  rewrites: boolean;
  scans: boolean;
  buildsIndex: boolean;
  references: string[];
  defaultVolatility?: ReturnType<typeof volatility>;
  generated?: 'stored' | 'virtual';
  identity: boolean;
  serial: boolean;
  notNull: boolean;
  hasDefault: boolean;
}

/** What ADD COLUMN does to existing rows (PostgreSQL 11+: a non-volatile default is stored in the catalog). */
export function addColumnAnalysis(def: Node, ctx: { pgVersion: number }): AddColumnAnalysis {
  const cons: Node[] = (def.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
  const t = typeOf(def.typeName);
  const serial = /^(small|big)?serial[248]?$/.test(t.name);
  const dflt = cons.find((c) => c.contype === 'CONSTR_DEFAULT');
  const gen = cons.find((c) => c.contype === 'CONSTR_GENERATED');
  const identity = cons.some((c) => c.contype === 'CONSTR_IDENTITY');
  const notNull = cons.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY') || !!def.is_not_null;
  const v = dflt ? volatility(dflt.raw_expr) : undefined;
  // PostgreSQL 18 makes generated columns VIRTUAL unless STORED is written; libpg_query marks it in generated_kind.
  const generated = gen ? (gen.generated_kind === 'v' || gen.generated_kind === 'ATTRIBUTE_GENERATED_VIRTUAL' || (gen.generated_kind === undefined && ctx.pgVersion >= 18 && gen.generated_when !== 'a' && false) ? 'virtual' : 'stored') : undefined;
  let rewrites = false;
  if (serial || identity) rewrites = true;
  else if (generated === 'stored') rewrites = true;
  else if (dflt && (ctx.pgVersion < 11 || v === 'volatile' || v === 'unknown')) rewrites = true;
  const buildsIndex = cons.some((c) => c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE');
  const references = cons.filter((c) => c.contype === 'CONSTR_FOREIGN').map((c) => rangeVarName(c.pktable)).filter((x): x is string => !!x);
  // NOT NULL without a default, a CHECK, or a domain type: the new column's value is checked for every row.
  // A new column without a default is NULL in every row: a foreign key on it has nothing to check.
  const scans = !rewrites && ((notNull && !dflt) || cons.some((c) => c.contype === 'CONSTR_CHECK') || (references.length > 0 && !!dflt));
  return { rewrites, scans, buildsIndex, references, defaultVolatility: v, generated, identity, serial, notNull, hasDefault: !!dflt || serial || identity };
}

/** Whether ALTER COLUMN TYPE rewrites: 'no' for binary-coercible changes PostgreSQL recognises. */
export function typeChangeRewrites(col: ColumnInfo | undefined, def: Node | undefined, _pgVersion: number): 'yes' | 'no' | 'unknown' {
  if (!def?.typeName) return 'unknown';
  const to = typeOf(def.typeName);
  const using = def.raw_default;
  if (using) {
    const f = stringList(using.ColumnRef?.fields);
    if (!(f.length === 1 && col && f[0] === col.name)) return 'yes';
  }
  if (!col) return 'unknown';
  if (col.isArray !== to.isArray) return 'yes';
  const from = col.type;
  if (from === to.name) {
    if (from === 'varchar' || from === 'bpchar' || from === 'varbit' || from === 'bit') {
      if (from === 'bpchar' || from === 'bit') return sameMods(col.typmods, to.typmods) ? 'no' : 'yes';
      if (to.typmods.length === 0) return 'no';
      if (col.typmods.length === 0) return 'yes';
      return to.typmods[0] >= col.typmods[0] ? 'no' : 'yes';
    }
    if (from === 'numeric') {
      if (to.typmods.length === 0) return 'no';
      if (col.typmods.length === 0) return 'yes';
      const [p1, s1 = 0] = col.typmods; const [p2, s2 = 0] = to.typmods;
      return s1 === s2 && p2 >= p1 ? 'no' : 'yes';
    }
    if (from === 'timestamp' || from === 'timestamptz' || from === 'time' || from === 'timetz' || from === 'interval') {
      if (to.typmods.length === 0) return 'no';
      if (col.typmods.length === 0) return 'yes';
      return to.typmods[0] >= col.typmods[0] ? 'no' : 'yes';
    }
    return sameMods(col.typmods, to.typmods) ? 'no' : 'yes';
  }
  // Binary-coercible pairs (pg_cast castmethod 'b') that keep the stored bytes.
  const pair = `${from}->${to.name}`;
  if (BINARY_COERCIBLE.has(pair)) {
    if (to.name === 'varchar' && to.typmods.length > 0) return 'yes'; // text → varchar(n) must check lengths
    return 'no';
  }
  return 'yes';
}
const BINARY_COERCIBLE = new Set([
  'varchar->text', 'text->varchar', 'cidr->inet', 'xml->text', 'varbit->bit', 'bit->varbit', 'json->text',
]);
function sameMods(a: number[], b: number[]): boolean { return a.length === b.length && a.every((x, i) => x === b[i]); }

function indexReusable(col: ColumnInfo | undefined, def: Node | undefined): boolean {
  if (!col || !def?.typeName) return false;
  const to = typeOf(def.typeName).name;
  // varchar and text share the text_ops operator class, and a typmod change keeps the index.
  const family = (t: string) => (t === 'varchar' || t === 'text' || t === 'bpchar' ? 'text' : t);
  return family(col.type) === family(to) && (col.type !== 'bpchar' || to === 'bpchar');
}
