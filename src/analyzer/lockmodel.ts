// The lock model: for one parsed statement, the table-level locks PostgreSQL takes on each relation, whether it
// rewrites or scans them, and whether it can run inside a transaction block. It follows PostgreSQL's own
// AlterTableGetLockLevel() (src/backend/commands/tablecmds.c) and the lock table of the "Explicit Locking" chapter,
// and is checked against real clusters by test/pg/lock-model.test.ts.
//
// Beyond the lock a command names, PostgreSQL locks the relations its work touches, and the model follows it:
// - the planner opens every index of every table it plans, in the mode of the table's range-table entry
//   (get_relation_info(): AccessShareLock for a read, RowShareLock under FOR UPDATE / FOR KEY SHARE,
//   RowExclusiveLock for the target of UPDATE / DELETE / MERGE), and expands partitions and inheritance children;
//   PostgreSQL 16+ opens the partitioned indexes of a partitioned table too (observed on 16, 17, 18; not on 13–15);
// - foreign keys run queries: validating one (ADD FOREIGN KEY, VALIDATE CONSTRAINT) plans a join of both tables
//   (RI_Initial_Check), inserting or updating a referencing row runs SELECT … FOR KEY SHARE on the referenced table,
//   deleting or updating a referenced row runs the ON DELETE / ON UPDATE action on each referencing table;
// - dropping a foreign key drops its triggers from the referenced table (AccessExclusiveLock), and so does anything
//   that drops or re-creates one (DROP COLUMN, ALTER COLUMN TYPE on either side, DROP TABLE);
// - nextval() / setval() / currval() lock their sequence (RowExclusiveLock), also through a column default.
import type { LockEffect, LockMode, RelKind } from './types.js';
import type { Node } from './parse.js';
import { parseStatementText } from './parse.js';
import { stronger } from './locks.js';
import { SchemaModel, typeOf, type ColumnInfo, type ConstraintInfo, type RelationInfo, collectRangeVars, isDefaultBound, schemaOf, domainHasConstraints, indexUsesColumn, keyMatches, indexesEquivalent } from './schema.js';
import { rangeVarName, stringList, qualifyList, qualify, isTempRangeVar } from './names.js';
import { volatility, sequenceCalls } from './expressions.js';

export type TransactionControl = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to' | 'prepare' | 'commit-prepared' | 'rollback-prepared';

export interface Effects {
  locks: LockEffect[];
  /** Relations whose storage is rewritten (new relfilenode): tables, the indexes rebuilt with them, sequences reset. */
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

const INDEX_KINDS = new Set<RelKind>(['index', 'partitioned index']);

class EffectsBuilder {
  readonly e: Effects = { locks: [], rewrites: [], scans: [], buildsIndexOn: [], nonTransactional: false, unknowns: [] };
  private readonly byRelation = new Map<string, LockEffect>();
  constructor(private readonly schema: SchemaModel) {}

  lock(relation: string | undefined, mode: LockMode, reason: string, implicit = false, kind?: RelKind): void {
    if (!relation) return;
    const existing = this.byRelation.get(relation);
    if (existing) {
      if (stronger(existing.mode, mode) !== existing.mode) { existing.mode = mode; existing.reason = reason; }
      existing.implicit &&= implicit;
      return;
    }
    const info = this.schema.get(relation);
    const l: LockEffect = {
      relation, mode, implicit, reason,
      relkind: info?.kind ?? kind ?? 'unknown',
      createdInMigration: info?.createdInMigration ?? false,
    };
    // Rules name the table whose lock queue an index lock joins without asking the schema again.
    if (info?.table && INDEX_KINDS.has(info.kind)) l.table = info.table;
    this.byRelation.set(relation, l);
    this.e.locks.push(l);
  }
  rewrite(rel: string | undefined): void { if (rel && !this.e.rewrites.includes(rel)) this.e.rewrites.push(rel); }
  scan(rel: string | undefined): void { if (rel && !this.e.scans.includes(rel)) this.e.scans.push(rel); }
  unknown(what: string): void { if (!this.e.unknowns.includes(what)) this.e.unknowns.push(what); }

  /** Locks every index of a table. */
  lockIndexes(table: string, mode: LockMode, reason: string): void {
    for (const idx of this.schema.indexesOf(table)) this.lock(idx.name, mode, reason, true);
  }
  /**
   * A rewritten table gets new storage for itself and every index (each index is rebuilt under AccessExclusiveLock).
   * A partitioned table has no storage of its own: only its partitions are rewritten.
   */
  rewriteWithIndexes(table: string, reason: string): void {
    const kind = this.schema.get(table)?.kind;
    if (kind === 'partitioned table' || kind === 'view') return;
    this.rewrite(table);
    for (const idx of this.schema.indexesOf(table)) {
      this.lock(idx.name, 'AccessExclusiveLock', reason, true);
      if (idx.kind === 'index') this.rewrite(idx.name);
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

function isPartitioned(ctx: ModelContext, rel: string | undefined): boolean {
  return !!rel && ctx.schema.get(rel)?.kind === 'partitioned table';
}

/** The tables with storage below (and including) `table`: itself, or its leaf partitions. */
function leaves(ctx: ModelContext, table: string): string[] {
  if (!isPartitioned(ctx, table)) return [table];
  return ctx.schema.descendants(table).filter((p) => !isPartitioned(ctx, p));
}

// ---- what queries lock -------------------------------------------------------------------------------------------

/**
 * What planning a query over `table` locks: the table in `mode` (its range-table entry's rellockmode) and, in the
 * same mode, every index get_relation_info() opens; partitions and inheritance children are expanded (unless ONLY)
 * and planned the same way. A partitioned table's own (partitioned) indexes are opened by PostgreSQL 18's planner,
 * not by 13–17's (13 and 15 observed without, 18 with). A view is expanded into the relations it reads. Partitions
 * that plan-time pruning would skip are still counted: the model does not evaluate partition bounds.
 */
function planRelation(table: string, mode: LockMode, b: EffectsBuilder, ctx: ModelContext, reason: string, inh = true, implicit = false, depth = 0): void {
  if (depth > 32) return;
  b.lock(table, mode, reason, implicit);
  const rel = ctx.schema.get(table);
  if (!rel) return;
  if (rel.kind === 'view') {
    for (const d of rel.dependsOn ?? []) if (d !== table) planRelation(d, mode, b, ctx, 'read through a view', true, true, depth + 1);
    return;
  }
  if (rel.kind === 'partitioned table') {
    if (ctx.pgVersion >= 16) b.lockIndexes(table, mode, 'the planner opens the partitioned indexes (PostgreSQL 16+)');
  } else {
    b.lockIndexes(table, mode, 'the planner opens every index of a table it plans');
  }
  if (inh) for (const p of rel.partitions) planRelation(p, mode, b, ctx, rel.kind === 'partitioned table' ? 'a partition the query plans' : 'an inheritance child the query plans', true, true, depth + 1);
}

function readsRelation(t: string, b: EffectsBuilder, ctx: ModelContext, reason: string): void {
  planRelation(t, 'AccessShareLock', b, ctx, reason);
}

/** Every RangeVar of a subtree, with its ONLY flag (inh false). */
function rangeVarNodes(node: unknown, out: Node[] = [], depth = 0): Node[] {
  if (!node || typeof node !== 'object' || depth > 200) return out;
  if (Array.isArray(node)) { for (const n of node) rangeVarNodes(n, out, depth + 1); return out; }
  const obj = node as Node;
  if (obj.RangeVar) out.push(obj.RangeVar);
  for (const v of Object.values(obj)) if (v && typeof v === 'object') rangeVarNodes(v, out, depth + 1);
  return out;
}

/** Plans every relation a query reads (the ones the schema knows; CTE names are skipped). */
function readsQuery(query: unknown, b: EffectsBuilder, ctx: ModelContext, reason: string, except?: string): void {
  for (const rv of rangeVarNodes(query)) {
    const t = rangeVarName(rv);
    if (!t || t === except || isTempRangeVar(rv) || !ctx.schema.has(t)) continue;
    planRelation(t, 'AccessShareLock', b, ctx, reason, !!rv.inh);
  }
}

/** nextval() / setval() / currval() on a named sequence: RowExclusiveLock on it (lock_and_open_sequence()). */
function lockSequenceCalls(expr: unknown, b: EffectsBuilder, reason = 'nextval() / setval() / currval() lock the sequence'): void {
  for (const s of sequenceCalls(expr)) b.lock(s, 'RowExclusiveLock', reason, false, 'sequence');
}

/** The default of each column not given a value draws from its sequence (identity, serial, nextval() default). */
function lockDefaultSequences(table: string, given: Set<string> | undefined, defaulted: Set<string>, b: EffectsBuilder, ctx: ModelContext): void {
  for (const col of ctx.schema.get(table)?.columns ?? []) {
    if (!col.sequence) continue;
    if ((given && !given.has(col.name)) || defaulted.has(col.name)) b.lock(col.sequence, 'RowExclusiveLock', `the default of ${col.name} calls nextval()`, true, 'sequence');
  }
}

/**
 * The check a new or changed referencing row triggers (RI_FKey_check): SELECT … FOR KEY SHARE on the referenced
 * table, which takes RowShareLock on it and, through the planner, on each of its indexes.
 */
function foreignKeyCheck(fk: ConstraintInfo, b: EffectsBuilder, ctx: ModelContext): void {
  if (!fk.references) return;
  planRelation(fk.references, 'RowShareLock', b, ctx, 'a foreign key check runs SELECT … FOR KEY SHARE on the referenced table', isPartitioned(ctx, fk.references), true);
}

/** The foreign keys of `table` whose columns are written (all of them when `cols` is undefined). */
function checkForeignKeys(table: string, cols: Set<string> | undefined, b: EffectsBuilder, ctx: ModelContext): void {
  for (const c of ctx.schema.get(table)?.constraints ?? []) {
    if (c.type !== 'foreign key') continue;
    if (cols && !c.columns.some((x) => cols.has(x))) continue;
    foreignKeyCheck(c, b, ctx);
  }
}

/**
 * Deleting a referenced row, or changing its key, fires each referencing foreign key's action: CASCADE / SET NULL /
 * SET DEFAULT run DELETE / UPDATE on the referencing table (RowExclusiveLock on it and its indexes), NO ACTION and
 * RESTRICT run SELECT … FOR KEY SHARE on it (RowShareLock on it and its indexes). Cascaded deletes fire further.
 */
function referentialActions(table: string, event: 'delete' | 'update', cols: Set<string> | undefined, b: EffectsBuilder, ctx: ModelContext, seen = new Set<string>()): void {
  const key = `${event} ${table}`;
  if (seen.has(key) || seen.size > 64) return;
  seen.add(key);
  const pk = ctx.schema.primaryKeyColumns(table);
  for (const { table: r, fk } of ctx.schema.foreignKeysTo(table)) {
    // A partition's copy of its parent's foreign key acts through the parent's query.
    const parent = ctx.schema.get(r)?.parent;
    if (parent && ctx.schema.get(parent)?.constraints.some((c) => c.name === fk.name && c.references === table)) continue;
    const refCols = fk.refColumns?.length ? fk.refColumns : pk;
    if (event === 'update' && cols && !refCols.some((c) => cols.has(c))) continue;
    const action = (event === 'delete' ? fk.onDelete : fk.onUpdate) ?? 'a';
    const inh = isPartitioned(ctx, r);
    if (action === 'c' || action === 'n' || action === 'd') {
      planRelation(r, 'RowExclusiveLock', b, ctx, `ON ${event.toUpperCase()} ${action === 'c' ? 'CASCADE' : action === 'n' ? 'SET NULL' : 'SET DEFAULT'} of ${fk.name} writes the referencing table`, inh, true);
      if (action === 'c' && event === 'delete') referentialActions(r, 'delete', undefined, b, ctx, seen);
      else referentialActions(r, 'update', new Set(fk.columns), b, ctx, seen);
    } else {
      planRelation(r, 'RowShareLock', b, ctx, `${fk.name} checks the referencing table for rows (SELECT … FOR KEY SHARE)`, inh, true);
    }
  }
}

/**
 * Validating a foreign key (RI_Initial_Check) plans one query joining the referencing table (each leaf partition
 * on its own) with the referenced one: AccessShareLock on both and on all their indexes.
 */
function validateForeignKey(tables: string[], ref: string | undefined, b: EffectsBuilder, ctx: ModelContext): void {
  for (const t of tables) for (const leaf of leaves(ctx, t)) planRelation(leaf, 'AccessShareLock', b, ctx, 'foreign key validation plans a query on the referencing table', false, true);
  if (ref) planRelation(ref, 'AccessShareLock', b, ctx, 'foreign key validation plans a query on the referenced table', isPartitioned(ctx, ref), true);
}

/** Dropping a foreign key drops its triggers on the referenced table: AccessExclusiveLock on it (RemoveConstraintById). */
function dropForeignKey(fk: ConstraintInfo, b: EffectsBuilder, why = 'dropping a foreign key drops its triggers on the referenced table'): void {
  if (fk.references) b.lock(fk.references, 'AccessExclusiveLock', why, true);
}

// ---- the statements --------------------------------------------------------------------------------------------

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
    if (objtype === 'OBJECT_SEQUENCE') return alterSequenceAsTable(node, target, b, ctx);
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
    b.lock(table, mode, reason);
    b.e.buildsIndexOn.push(table);
    b.scan(table);
    if (isPartitioned(ctx, table) && node.relation.inh) {
      // Each partition is indexed too; an equivalent index it already has is attached instead of built, and stays
      // locked in the statement's mode (DefineIndex()).
      const keyColumns = (node.indexParams ?? []).map((p: Node) => p.IndexElem?.name ?? '(expr)');
      const including = (node.indexIncludingParams ?? []).map((p: Node) => p.IndexElem?.name).filter(Boolean);
      const wanted = { keyColumns, includeColumns: including, unique: !!node.unique, partial: !!node.whereClause } as RelationInfo;
      for (const p of ctx.schema.descendants(table)) {
        b.lock(p, mode, reason + ' on a partition', true);
        if (isPartitioned(ctx, p)) continue;
        const match = ctx.schema.indexesOf(p).find((ci) => !ci.parent && indexesEquivalent(ci, wanted));
        if (match) b.lock(match.name, mode, 'the partition\'s equivalent index is attached instead of built', true);
        else b.scan(p);
      }
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
        case 'OBJECT_INDEX': dropIndex(qualifyList(parts), !!node.concurrent, !!node.missing_ok, b, ctx); break;
        case 'OBJECT_TRIGGER': case 'OBJECT_RULE': case 'OBJECT_POLICY': {
          const table = qualifyList(parts.slice(0, -1));
          ensureKnown(b, ctx, table);
          b.lock(table, 'AccessExclusiveLock', `DROP ${type.slice(7)}`);
          break;
        }
        case 'OBJECT_SCHEMA': {
          if (node.behavior === 'DROP_CASCADE') {
            const prefix = qualify(parts[0], 'x').slice(0, -1);
            for (const rel of ctx.schema.relationNames()) if (rel.startsWith(prefix)) b.lock(rel, 'AccessExclusiveLock', 'DROP SCHEMA … CASCADE', true);
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
    // Renaming an index takes ShareUpdateExclusiveLock on it since PostgreSQL 12 (RenameRelationInternal()).
    const indexRenameLock: LockMode = ctx.pgVersion >= 12 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock';
    switch (node.renameType) {
      case 'OBJECT_INDEX':
        b.lock(target, indexRenameLock, 'ALTER INDEX … RENAME');
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
        if (node.renameType === 'OBJECT_TABCONSTRAINT' && target) {
          // A constraint's index is renamed with it.
          const con = ctx.schema.get(target)?.constraints.find((c) => c.name === node.subname);
          if (con?.index) b.lock(con.index, indexRenameLock, 'the constraint\'s index is renamed with it', true);
        }
        break;
      default:
        break;
    }
  },

  AlterObjectSchemaStmt(node, b, ctx) {
    if (!['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE'].includes(node.objectType)) return;
    const rel = rangeVarName(node.relation);
    if (!rel || isTempRangeVar(node.relation)) return;
    ensureKnown(b, ctx, rel);
    b.lock(rel, 'AccessExclusiveLock', 'SET SCHEMA');
    // AlterSeqNamespaces(): the sequences owned by its columns move too, under the same lock (its indexes move
    // without one).
    for (const s of ctx.schema.get(rel)?.ownedSequences ?? []) b.lock(s, 'AccessExclusiveLock', 'an owned sequence moves with its table', true);
  },

  CreateStmt(node, b, ctx) {
    if (isTempRangeVar(node.relation)) return;
    for (const inh of node.inhRelations ?? []) {
      const parent = rangeVarName(inh.RangeVar);
      ensureKnown(b, ctx, parent);
      if (!parent) continue;
      if (node.partbound) {
        b.lock(parent, 'AccessExclusiveLock', 'CREATE TABLE … PARTITION OF: the parent');
        const def = ctx.schema.defaultPartition(parent);
        if (def && !isDefaultBound(node.partbound)) {
          b.lock(def.name, 'AccessExclusiveLock', 'the default partition is scanned for rows that belong to the new partition', true);
          b.scan(def.name);
        }
        // Each partitioned index gets the new partition's index attached (IndexSetParentIndex()).
        for (const idx of ctx.schema.indexesOf(parent)) {
          if (idx.kind === 'partitioned index') b.lock(idx.name, 'ShareUpdateExclusiveLock', 'the new partition\'s index is attached to the partitioned index', true);
        }
        // The parent's foreign keys are cloned onto the new partition.
        for (const c of ctx.schema.get(parent)?.constraints ?? []) {
          if (c.type === 'foreign key' && c.references) b.lock(c.references, 'ShareRowExclusiveLock', 'the parent\'s foreign key is cloned onto the new partition', true);
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
    // A row-level trigger on a partitioned table is cloned onto every partition.
    if (node.row && table && isPartitioned(ctx, table)) {
      for (const p of ctx.schema.descendants(table)) b.lock(p, 'ShareRowExclusiveLock', 'the row trigger is cloned onto each partition', true);
    }
    if (node.constrrel) b.lock(rangeVarName(node.constrrel), 'AccessShareLock', 'constraint trigger\'s referenced table');
  },

  TruncateStmt(node, b, ctx) {
    const truncated: string[] = [];
    for (const r of node.relations ?? []) {
      for (const t of withChildren(ctx, r.RangeVar)) {
        ensureKnown(b, ctx, t);
        b.lock(t, 'AccessExclusiveLock', 'TRUNCATE', t !== rangeVarName(r.RangeVar));
        truncated.push(t);
      }
    }
    if (node.behavior === 'DROP_CASCADE') {
      for (const t of [...truncated]) {
        for (const other of referencingClosure(ctx.schema, t)) {
          if (truncated.includes(other)) continue;
          b.lock(other, 'AccessExclusiveLock', 'TRUNCATE … CASCADE: a table that references it', true);
          truncated.push(other);
        }
      }
    }
    for (const t of truncated) {
      // A partitioned table has no storage: its partitions (truncated with it) get new storage, with every index.
      if (!isPartitioned(ctx, t)) b.rewriteWithIndexes(t, 'TRUNCATE gives every index new storage');
      if (node.restart_seqs) {
        for (const s of ctx.schema.get(t)?.ownedSequences ?? []) {
          b.lock(s, 'AccessExclusiveLock', 'RESTART IDENTITY resets the sequences its columns own', true);
          b.rewrite(s);
        }
      }
    }
  },

  VacuumStmt(node, b, ctx) {
    const options = (node.options ?? []).map((o: Node) => String(o.DefElem?.defname ?? '').toLowerCase());
    const full = options.includes('full') && !isFalse((node.options ?? []).find((o: Node) => String(o.DefElem?.defname).toLowerCase() === 'full')?.DefElem?.arg);
    // libpg_query leaves is_vacuumcmd out (false) for ANALYZE.
    const isVacuum = node.is_vacuumcmd === true;
    const analyze = !isVacuum || options.includes('analyze');
    if (isVacuum) b.e.nonTransactional = true;
    const mode: LockMode = full ? 'AccessExclusiveLock' : 'ShareUpdateExclusiveLock';
    const what = isVacuum ? (full ? 'VACUUM FULL' : 'VACUUM') : 'ANALYZE';
    for (const r of node.rels ?? []) {
      const rv = r.VacuumRelation?.relation;
      const top = rangeVarName(rv);
      if (!top) continue;
      ensureKnown(b, ctx, top);
      const topRel = ctx.schema.get(top);
      // VACUUM and ANALYZE process each partition of a partitioned table on its own (unless ONLY, 18+), and from
      // PostgreSQL 18 each inheritance child too; before 18, ANALYZE of an inheritance parent only samples its
      // children (AccessShareLock), as 18 still does under ONLY.
      const inh = !!rv?.inh;
      const recurse = (topRel?.kind === 'partitioned table' && (inh || ctx.pgVersion < 18)) || (topRel?.kind === 'table' && ctx.pgVersion >= 18 && inh);
      const targets = recurse ? [top, ...ctx.schema.descendants(top)] : [top];
      for (const t of targets) {
        b.lock(t, mode, what, t !== top);
        if (isPartitioned(ctx, t)) continue;
        if (full) { b.rewriteWithIndexes(t, 'VACUUM FULL rebuilds every index'); continue; }
        b.scan(t);
        // vac_open_indexes(): VACUUM opens every index with RowExclusiveLock, ANALYZE with AccessShareLock.
        if (isVacuum) b.lockIndexes(t, 'RowExclusiveLock', 'VACUUM cleans every index');
        if (analyze) b.lockIndexes(t, 'AccessShareLock', 'ANALYZE reads every index\'s statistics');
      }
      if (analyze && topRel?.kind === 'table') {
        for (const c of ctx.schema.descendants(top)) b.lock(c, 'AccessShareLock', 'ANALYZE of an inheritance parent samples its children', true);
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
    const tableMode: LockMode = concurrently ? 'ShareUpdateExclusiveLock' : 'ShareLock';
    // REINDEX builds a new index in place (new storage under AccessExclusiveLock); CONCURRENTLY builds a copy under
    // ShareUpdateExclusiveLock and swaps it in (new storage too; the old copy's final lock is taken once nobody
    // can use it any more).
    const reindex = (idx: string, table: string | undefined, implicit: boolean) => {
      b.lock(table, tableMode, concurrently ? 'REINDEX CONCURRENTLY: the index\'s table' : 'REINDEX: the index\'s table', true);
      b.lock(idx, concurrently ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', concurrently ? 'REINDEX CONCURRENTLY' : 'REINDEX', implicit);
      b.rewrite(idx);
    };
    if (kind === 'REINDEX_OBJECT_INDEX') {
      const idxName = rangeVarName(node.relation);
      const idx = ctx.schema.get(idxName ?? '');
      if (!idx) { b.unknown(`index ${idxName} is not in the schema model: the table it locks is unknown`); b.lock(idxName, concurrently ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', 'REINDEX INDEX', false, 'index'); return; }
      if (idx.kind === 'partitioned index') {
        // ReindexPartitions(): the partitioned index under AccessExclusiveLock and its table under ShareLock,
        // every partition (table and index) under ShareLock (find_all_inheritors()), then each partition's index
        // is rebuilt in a transaction of its own.
        b.lock(idx.table, 'ShareLock', 'REINDEX INDEX: the partitioned table', true);
        b.lock(idx.name, 'AccessExclusiveLock', 'REINDEX INDEX');
        for (const child of ctx.schema.descendants(idx.name)) {
          const ci = ctx.schema.get(child);
          if (ci?.kind === 'index') reindex(child, ci.table, true);
          else b.lock(child, 'ShareLock', 'a partitioned index below it', true);
        }
      } else reindex(idx.name, idx.table, false);
    } else if (kind === 'REINDEX_OBJECT_TABLE') {
      const t = rangeVarName(node.relation);
      if (!t) return;
      ensureKnown(b, ctx, t);
      b.lock(t, tableMode, 'REINDEX TABLE');
      for (const leaf of leaves(ctx, t)) {
        b.lock(leaf, tableMode, 'REINDEX TABLE: each partition', leaf !== t);
        for (const idx of ctx.schema.indexesOf(leaf)) reindex(idx.name, leaf, true);
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
      // The diff is applied with INSERT / UPDATE / DELETE through every index.
      if (mv) b.lockIndexes(mv, 'RowExclusiveLock', 'REFRESH … CONCURRENTLY writes the changes through every index');
    } else {
      b.lock(mv, 'AccessExclusiveLock', 'REFRESH MATERIALIZED VIEW');
      if (mv && !node.skipData) b.rewriteWithIndexes(mv, 'REFRESH MATERIALIZED VIEW rebuilds its indexes');
      else if (mv) b.rewriteWithIndexes(mv, 'REFRESH … WITH NO DATA empties it');
    }
    for (const dep of ctx.schema.get(mv ?? '')?.dependsOn ?? []) {
      if (!node.skipData && ctx.schema.has(dep)) readsRelation(dep, b, ctx, 'the materialized view\'s query reads it');
    }
  },

  LockStmt(node, b, ctx) {
    const modes: LockMode[] = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
    const mode = modes[(node.mode ?? 8) - 1] ?? 'AccessExclusiveLock';
    for (const r of node.relations ?? []) {
      for (const t of withChildren(ctx, r.RangeVar)) {
        ensureKnown(b, ctx, t);
        b.lock(t, mode, 'LOCK TABLE', t !== rangeVarName(r.RangeVar));
        lockViewRelations(t, mode, b, ctx, 0);
      }
    }
  },

  ViewStmt(node, b, ctx) {
    const view = rangeVarName(node.view);
    if (node.replace && view && ctx.schema.has(view)) b.lock(view, 'AccessExclusiveLock', 'CREATE OR REPLACE VIEW');
    for (const dep of collectRangeVars(node.query)) if (ctx.schema.has(dep)) b.lock(dep, 'AccessShareLock', 'read by the view definition');
  },

  CreateTableAsStmt(node, b, ctx) {
    if (node.into?.skipData) {
      for (const dep of collectRangeVars(node.query)) if (ctx.schema.has(dep)) b.lock(dep, 'AccessShareLock', 'read by the definition');
      return;
    }
    readsQuery(node.query, b, ctx, 'read to fill the new relation');
    lockSequenceCalls(node.query, b);
  },

  CreateSeqStmt(node, b) {
    // OWNED BY opens the owning table (process_owned_by()).
    const owner = ownedByTable(node.options);
    if (owner) b.lock(owner, 'AccessShareLock', 'OWNED BY: the owning table');
  },

  AlterSeqStmt(node, b, ctx) {
    const seq = rangeVarName(node.sequence);
    ensureKnown(b, ctx, seq);
    b.lock(seq, 'ShareRowExclusiveLock', 'ALTER SEQUENCE');
    if (sequenceOptionsRewrite(node.options)) b.rewrite(seq);
    const owner = ownedByTable(node.options);
    if (owner) b.lock(owner, 'AccessShareLock', 'OWNED BY: the owning table');
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

  GrantStmt(node, b, ctx) {
    // PostgreSQL 18 locks each relation named in GRANT / REVOKE … ON [TABLE | SEQUENCE] with AccessShareLock
    // (13 and 15 observed without; ALL TABLES IN SCHEMA locks nothing).
    if (ctx.pgVersion < 18 || node.targtype !== 'ACL_TARGET_OBJECT') return;
    if (node.objtype !== 'OBJECT_TABLE' && node.objtype !== 'OBJECT_SEQUENCE') return;
    for (const o of node.objects ?? []) {
      const t = rangeVarName(o.RangeVar);
      if (t && !isTempRangeVar(o.RangeVar)) b.lock(t, 'AccessShareLock', node.is_grant ? 'GRANT' : 'REVOKE');
    }
  },

  CreateFunctionStmt(node, b, ctx) {
    // With check_function_bodies on (the default), the body of a LANGUAGE sql function is parsed and analysed when
    // it is created: AccessShareLock on every relation it names (no planning, so no index locks).
    const lang = (node.options ?? []).find((o: Node) => o.DefElem?.defname === 'language')?.DefElem?.arg?.String?.sval;
    let body: unknown = node.sql_body;
    if (!body && String(lang ?? '').toLowerCase() === 'sql') {
      const as = (node.options ?? []).find((o: Node) => o.DefElem?.defname === 'as')?.DefElem?.arg;
      const src = as?.List?.items?.[0]?.String?.sval ?? as?.String?.sval;
      if (typeof src === 'string') {
        const parsed = parseStatementText(src);
        if (parsed.ok) body = parsed.stmts.map((s) => s.stmt);
      }
    }
    if (!body) return;
    for (const rel of collectRangeVars(body)) if (ctx.schema.has(rel)) b.lock(rel, 'AccessShareLock', 'the SQL function body is checked when the function is created');
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
    // ADD CONSTRAINT (unless NOT VALID), VALIDATE CONSTRAINT and SET NOT NULL check every column of the domain:
    // ShareLock on each table that has one (get_rels_with_domain()).
    const st = node.subtype;
    if (st !== 'C' && st !== 'V' && st !== 'O') return;
    if (st === 'C' && node.def?.Constraint?.skip_validation) return;
    const domain = qualifyList(stringList(node.typeName));
    for (const rel of ctx.schema.relationNames()) {
      const info = ctx.schema.get(rel);
      if (info?.kind !== 'table' && info?.kind !== 'partitioned table' && info?.kind !== 'materialized view') continue;
      if (info.columns.some((c) => qualify(c.typeSchema ?? 'public', c.type) === domain)) {
        b.lock(rel, 'ShareLock', 'a column of this domain is checked', true);
        if (info.kind !== 'partitioned table') b.scan(rel);
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

  InsertStmt(node, b, ctx) {
    const t = rangeVarName(node.relation);
    if (!t || isTempRangeVar(node.relation)) return;
    ensureKnown(b, ctx, t);
    targetRelation(t, 'INSERT', b, ctx);
    const { given, defaulted } = insertColumns(node.cols, node.selectStmt, ctx.schema.get(t));
    writesRow(t, given, defaulted, b, ctx);
    if (node.onConflictClause?.action === 'ONCONFLICT_UPDATE') {
      const set = new Set<string>(targetColumns(node.onConflictClause.targetList));
      checkForeignKeys(t, set, b, ctx);
      referentialActions(t, 'update', set, b, ctx);
      lockDefaultSequences(t, undefined, defaultedTargets(node.onConflictClause.targetList), b, ctx);
    }
    readsQuery([node.selectStmt, node.withClause, node.onConflictClause, node.returningList], b, ctx, 'read by the INSERT', t);
    lockSequenceCalls(node, b);
  },
  UpdateStmt(node, b, ctx) {
    const t = rangeVarName(node.relation);
    if (!t || isTempRangeVar(node.relation)) return;
    ensureKnown(b, ctx, t);
    targetRelation(t, 'UPDATE', b, ctx, !!node.relation.inh);
    const set = new Set<string>(targetColumns(node.targetList));
    checkForeignKeys(t, set, b, ctx);
    referentialActions(t, 'update', set, b, ctx);
    lockDefaultSequences(t, undefined, defaultedTargets(node.targetList), b, ctx);
    readsQuery([node.fromClause, node.whereClause, node.targetList, node.withClause, node.returningList], b, ctx, 'read by the UPDATE', t);
    lockSequenceCalls(node, b);
    if (!node.whereClause) b.scan(t);
  },
  DeleteStmt(node, b, ctx) {
    const t = rangeVarName(node.relation);
    if (!t || isTempRangeVar(node.relation)) return;
    ensureKnown(b, ctx, t);
    targetRelation(t, 'DELETE', b, ctx, !!node.relation.inh);
    referentialActions(t, 'delete', undefined, b, ctx);
    readsQuery([node.usingClause, node.whereClause, node.withClause, node.returningList], b, ctx, 'read by the DELETE', t);
    lockSequenceCalls(node, b);
    if (!node.whereClause) b.scan(t);
  },
  MergeStmt(node, b, ctx) {
    const t = rangeVarName(node.relation);
    if (!t || isTempRangeVar(node.relation)) return;
    ensureKnown(b, ctx, t);
    targetRelation(t, 'MERGE', b, ctx, !!node.relation.inh);
    const rel = ctx.schema.get(t);
    for (const w of node.mergeWhenClauses ?? []) {
      const clause = w.MergeWhenClause;
      if (!clause) continue;
      if (clause.commandType === 'CMD_INSERT') {
        const { given, defaulted } = insertColumns(clause.targetList, { SelectStmt: { valuesLists: clause.values ? [{ List: { items: clause.values } }] : undefined } }, rel);
        writesRow(t, given, defaulted, b, ctx);
      } else if (clause.commandType === 'CMD_UPDATE') {
        const set = new Set<string>(targetColumns(clause.targetList));
        checkForeignKeys(t, set, b, ctx);
        referentialActions(t, 'update', set, b, ctx);
        lockDefaultSequences(t, undefined, defaultedTargets(clause.targetList), b, ctx);
      } else if (clause.commandType === 'CMD_DELETE') {
        referentialActions(t, 'delete', undefined, b, ctx);
      }
    }
    readsQuery([node.sourceRelation, node.withClause, node.mergeWhenClauses, node.joinCondition], b, ctx, 'read by the MERGE', t);
    lockSequenceCalls(node, b);
  },
  SelectStmt(node, b, ctx) {
    // FOR UPDATE / SHARE: RowShareLock on the locked relations (all of them when no OF list is given).
    const locked = new Set<string>();
    let lockAll = false;
    for (const lc of node.lockingClause ?? []) {
      const rels = lc.LockingClause?.lockedRels ?? [];
      if (!rels.length) lockAll = true;
      for (const r of rels) { const n = rangeVarName(r.RangeVar); if (n) locked.add(n); }
    }
    for (const rv of rangeVarNodes(node)) {
      const t = rangeVarName(rv);
      if (!t || isTempRangeVar(rv) || !ctx.schema.has(t)) continue;
      const forUpdate = lockAll || locked.has(t) || (!!rv.alias?.aliasname && locked.has(qualify('public', rv.alias.aliasname)));
      planRelation(t, forUpdate ? 'RowShareLock' : 'AccessShareLock', b, ctx, forUpdate ? 'SELECT … FOR UPDATE/SHARE' : 'SELECT', !!rv.inh);
    }
    lockSequenceCalls(node, b);
  },
  CopyStmt(node, b, ctx) {
    const t = rangeVarName(node.relation);
    if (!t) { if (node.query) readsQuery(node.query, b, ctx, 'COPY (query) TO'); return; }
    ensureKnown(b, ctx, t);
    if (node.is_from) {
      targetRelation(t, 'COPY FROM', b, ctx);
      const cols = stringList(node.attlist);
      writesRow(t, cols.length ? new Set(cols) : undefined, new Set(), b, ctx);
    } else b.lock(t, 'AccessShareLock', 'COPY TO');
  },
};

// ---- DML helpers -------------------------------------------------------------------------------------------------

/**
 * The target of INSERT / UPDATE / DELETE / MERGE / COPY FROM: RowExclusiveLock on it and on every index.
 * UPDATE / DELETE / MERGE plan the target (the planner keeps its RowExclusiveLock on each index). INSERT and COPY
 * open the indexes in the executor (ExecOpenIndices()), and PostgreSQL releases those index locks when the
 * statement ends; the model keeps them (they conflict with nothing the table's own lock does not), and, not
 * knowing which partition each row is routed to, counts every partition.
 */
function targetRelation(t: string, what: string, b: EffectsBuilder, ctx: ModelContext, inh = true): void {
  if (what === 'INSERT' || what === 'COPY FROM') {
    b.lock(t, 'RowExclusiveLock', what);
    if (!isPartitioned(ctx, t)) b.lockIndexes(t, 'RowExclusiveLock', `${what} inserts into every index`);
    if (isPartitioned(ctx, t)) {
      for (const p of ctx.schema.descendants(t)) {
        b.lock(p, 'RowExclusiveLock', `${what}: a partition rows may be routed to`, true);
        if (!isPartitioned(ctx, p)) b.lockIndexes(p, 'RowExclusiveLock', `${what} inserts into every index`);
      }
    }
    return;
  }
  planRelation(t, 'RowExclusiveLock', b, ctx, what, inh);
}

/** The columns an INSERT gives values to (undefined: all of them), and those given DEFAULT explicitly. */
function insertColumns(cols: Node[] | undefined, select: Node | undefined, rel: RelationInfo | undefined): { given: Set<string> | undefined; defaulted: Set<string> } {
  const defaulted = new Set<string>();
  const names: string[] = (cols ?? []).map((c: Node) => c.ResTarget?.name).filter(Boolean);
  const rows: Node[][] = (select?.SelectStmt?.valuesLists ?? []).map((l: Node) => l.List?.items ?? []);
  if (!select) return { given: new Set(), defaulted }; // DEFAULT VALUES
  let given: Set<string> | undefined;
  if (names.length) given = new Set(names);
  else if (rel) {
    let n: number | undefined;
    if (rows.length) n = rows[0].length;
    else {
      const tl: Node[] = select.SelectStmt?.targetList ?? [];
      if (tl.length && !tl.some((r) => r.ResTarget?.val?.ColumnRef?.fields?.some((f: Node) => f.A_Star))) n = tl.length;
    }
    const order = rel.columns.filter((c) => !c.generated).map((c) => c.name);
    given = n === undefined ? undefined : new Set(order.slice(0, n));
  }
  const order = names.length ? names : rel?.columns.filter((c) => !c.generated).map((c) => c.name) ?? [];
  for (const row of rows) row.forEach((v, i) => { if (v?.SetToDefault && order[i]) defaulted.add(order[i]); });
  return { given, defaulted };
}

/** A new row: foreign keys on the given columns are checked, defaults of the others may call nextval(). */
function writesRow(t: string, given: Set<string> | undefined, defaulted: Set<string>, b: EffectsBuilder, ctx: ModelContext): void {
  const rel = ctx.schema.get(t);
  if (!rel) return;
  // A key left NULL passes without a query (RI_FKey_check()); one with a value, given or from a default, is looked up.
  const filled = (col: string) => !given || given.has(col) || defaulted.has(col) || !!rel.columns.find((x) => x.name === col)?.hasDefault;
  for (const c of rel.constraints) if (c.type === 'foreign key' && c.columns.some(filled)) foreignKeyCheck(c, b, ctx);
  lockDefaultSequences(t, given, defaulted, b, ctx);
}

function targetColumns(list: Node[] | undefined): string[] {
  return (list ?? []).map((r: Node) => r.ResTarget?.name).filter(Boolean);
}

function defaultedTargets(list: Node[] | undefined): Set<string> {
  return new Set((list ?? []).filter((r: Node) => r.ResTarget?.val?.SetToDefault).map((r: Node) => r.ResTarget.name));
}

/** LOCK TABLE on a view locks the relations its query reads, recursively, in the same mode (PostgreSQL 11+). */
function lockViewRelations(t: string, mode: LockMode, b: EffectsBuilder, ctx: ModelContext, depth: number): void {
  const rel = ctx.schema.get(t);
  if (rel?.kind !== 'view' || depth > 32) return;
  for (const d of rel.dependsOn ?? []) {
    if (d === t) continue;
    for (const x of [d, ...ctx.schema.descendants(d)]) {
      b.lock(x, mode, 'LOCK TABLE on a view locks the relations it reads', true);
      lockViewRelations(x, mode, b, ctx, depth + 1);
    }
  }
}

// ---- sequences ---------------------------------------------------------------------------------------------------

function ownedByTable(options: Node[] | undefined): string | undefined {
  for (const o of options ?? []) {
    if (o.DefElem?.defname !== 'owned_by') continue;
    const parts = stringList(o.DefElem.arg?.List?.items ?? o.DefElem.arg);
    if (parts.length >= 2 && parts[0] !== 'none') return qualifyList(parts.slice(0, -1));
  }
  return undefined;
}

/** Options of ALTER SEQUENCE that change its data page (init_params(): need_seq_rewrite): new storage. */
const SEQUENCE_REWRITE_OPTIONS = new Set(['as', 'increment', 'minvalue', 'maxvalue', 'start', 'restart', 'cache', 'cycle']);
function sequenceOptionsRewrite(options: Node[] | undefined): boolean {
  return (options ?? []).some((o: Node) => SEQUENCE_REWRITE_OPTIONS.has(String(o.DefElem?.defname ?? '')));
}

/** ALTER SEQUENCE … OWNER TO / SET SCHEMA / RENAME arrive as ALTER TABLE commands on the sequence. */
function alterSequenceAsTable(node: Node, seq: string, b: EffectsBuilder, _ctx: ModelContext): void {
  for (const c of node.cmds ?? []) {
    const cmd = c.AlterTableCmd;
    if (!cmd) continue;
    if (cmd.subtype === 'AT_SetLogged' || cmd.subtype === 'AT_SetUnLogged') { b.lock(seq, 'AccessExclusiveLock', 'ALTER SEQUENCE … SET LOGGED/UNLOGGED'); b.rewrite(seq); }
    else b.lock(seq, 'AccessExclusiveLock', 'ALTER SEQUENCE');
  }
}

// ---- DDL helpers -------------------------------------------------------------------------------------------------

/** Every table that references `table` through foreign keys, transitively (what TRUNCATE … CASCADE empties). */
function referencingClosure(schema: SchemaModel, table: string): string[] {
  const seen = new Set<string>([table]);
  const queue = [table];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const r of schema.referencedBy(cur)) if (!seen.has(r)) { seen.add(r); queue.push(r); }
  }
  seen.delete(table);
  return [...seen];
}

function isFalse(arg: Node | undefined): boolean {
  if (!arg) return false;
  const v = arg?.Boolean?.boolval ?? arg?.String?.sval ?? arg?.A_Const?.sval?.sval ?? arg?.Integer?.ival;
  if (arg?.Boolean) return !arg.Boolean.boolval;
  return v === false || v === 'false' || v === 'off' || v === 0 || v === '0';
}

function dropRelation(name: string, b: EffectsBuilder, ctx: ModelContext, missingOk: boolean, type: string, cascade = false): void {
  const rel = ctx.schema.get(name);
  if (!rel) {
    if (!missingOk) b.unknown(`${name} is not in the schema model: what else it locks is unknown`);
    b.lock(name, 'AccessExclusiveLock', `DROP ${type.slice(7).toLowerCase()}`);
    return;
  }
  b.lock(name, 'AccessExclusiveLock', `DROP ${rel.kind.toUpperCase()}`);
  // Dropping a partition changes its parent's partition descriptor (AccessExclusiveLock on the parent) and, unless
  // it is the default partition, the default partition's implicit constraint (heap_drop_with_catalog()).
  if (rel.parent && ctx.schema.get(rel.parent)?.kind === 'partitioned table') {
    b.lock(rel.parent, 'AccessExclusiveLock', 'dropping a partition detaches it from its parent', true);
    const def = ctx.schema.defaultPartition(rel.parent);
    if (def && def.name !== name) b.lock(def.name, 'AccessExclusiveLock', 'the default partition\'s constraint changes', true);
  }
  const victims = [name, ...ctx.schema.descendants(name)];
  // CASCADE drops the views and materialized views that read a dropped relation (and theirs, recursively).
  if (cascade) {
    const views = ctx.schema.relationNames().map((r) => ctx.schema.get(r)).filter((r): r is RelationInfo => r?.kind === 'view' || r?.kind === 'materialized view');
    for (let i = 0; i < victims.length; i++) {
      for (const v of views) if (!victims.includes(v.name) && v.dependsOn?.includes(victims[i])) { victims.push(v.name); b.lock(v.name, 'AccessExclusiveLock', 'DROP … CASCADE drops a view that reads it', true); }
    }
  }
  for (const v of victims) {
    if (v !== name) b.lock(v, 'AccessExclusiveLock', 'a partition is dropped with its table', true);
    for (const idx of ctx.schema.indexesOf(v)) b.lock(idx.name, 'AccessExclusiveLock', 'an index is dropped with its table', true);
    for (const s of ctx.schema.get(v)?.ownedSequences ?? []) b.lock(s, 'AccessExclusiveLock', 'an owned sequence is dropped with its table', true);
    if (cascade) {
      for (const other of ctx.schema.referencedBy(v)) {
        if (!victims.includes(other)) b.lock(other, 'AccessExclusiveLock', 'DROP … CASCADE drops the foreign keys of tables that reference it', true);
      }
    }
    // Dropping a table drops its foreign keys, and with them the triggers on the referenced tables.
    for (const c of ctx.schema.get(v)?.constraints ?? []) {
      if (c.type === 'foreign key' && c.references && !victims.includes(c.references)) dropForeignKey(c, b, 'its foreign key\'s triggers are dropped from the referenced table');
    }
  }
}

function dropIndex(idxName: string, concurrent: boolean, missingOk: boolean, b: EffectsBuilder, ctx: ModelContext): void {
  const idx = ctx.schema.get(idxName);
  if (concurrent) b.e.nonTransactional = true;
  if (!idx) {
    if (!missingOk) b.unknown(`index ${idxName} is not in the schema model: the table it locks is unknown`);
    b.lock(idxName, concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', 'DROP INDEX', false, 'index');
    return;
  }
  if (concurrent) {
    // index_drop(concurrent): ShareUpdateExclusiveLock on the table and the index while the index is disabled in
    // steps, waiting out its users; the final AccessExclusiveLock is taken on an index nobody can use any more
    // (not live), so it blocks nobody and is not counted.
    b.lock(idx.table, 'ShareUpdateExclusiveLock', 'DROP INDEX CONCURRENTLY: the index\'s table', true);
    b.lock(idxName, 'ShareUpdateExclusiveLock', 'DROP INDEX CONCURRENTLY');
    return;
  }
  b.lock(idx.table, 'AccessExclusiveLock', 'DROP INDEX: the index\'s table', true);
  b.lock(idxName, 'AccessExclusiveLock', 'DROP INDEX');
  // A partitioned index is dropped with the indexes attached to it, each with its partition.
  for (const child of ctx.schema.descendants(idxName)) {
    const ci = ctx.schema.get(child);
    b.lock(ci?.table, 'AccessExclusiveLock', 'DROP INDEX on a partitioned table: each partition', true);
    b.lock(child, 'AccessExclusiveLock', 'a partition\'s index is dropped with it', true);
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
        if (!sameTablespace(idx, cmd.name) && idx?.kind !== 'partitioned index') b.rewrite(index);
        break;
      case 'AT_SetRelOptions': case 'AT_ResetRelOptions':
        b.lock(index, relOptionsLock(cmd.def), 'ALTER INDEX … SET (…)');
        break;
      case 'AT_AttachPartition': {
        // ATExecAttachPartitionIdx(): the partitioned index under ShareUpdateExclusiveLock, both tables under
        // AccessShareLock, the attached index under AccessExclusiveLock.
        const child = rangeVarName(cmd.def?.PartitionCmd?.name);
        const childIdx = ctx.schema.get(child ?? '');
        b.lock(index, 'ShareUpdateExclusiveLock', 'ALTER INDEX … ATTACH PARTITION');
        b.lock(idx?.table, 'AccessShareLock', 'ALTER INDEX … ATTACH PARTITION: the partitioned table', true);
        b.lock(childIdx?.table, 'AccessShareLock', 'the partition\'s table', true);
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

/**
 * Whether SET TABLESPACE leaves a relation where it is: PostgreSQL does nothing when the target is the current
 * tablespace (the database's default counting as pg_default, which the model assumes it is).
 */
function sameTablespace(rel: RelationInfo | undefined, target: string | undefined): boolean {
  if (!rel || rel.tablespace === undefined) return false;
  const t = !target || target === 'pg_default' ? '' : target;
  return rel.tablespace === t;
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
      if (a.rewrites) {
        for (const t of all) if (isHeap(schema, t)) b.rewriteWithIndexes(t, 'ADD COLUMN rewrites the table and rebuilds every index');
        // The default is evaluated for every existing row: nextval() in it locks its sequence.
        const dflt = (def.constraints ?? []).find((c: Node) => c.Constraint?.contype === 'CONSTR_DEFAULT')?.Constraint;
        if (dflt) lockSequenceCalls(dflt.raw_expr, b, 'the new column\'s default is evaluated for every row');
      }
      if (a.scans && !a.rewrites) for (const t of all) b.scan(t);
      if (a.buildsIndex) { b.e.buildsIndexOn.push(target); for (const t of all) b.scan(t); }
      for (const ref of a.references) {
        b.lock(ref, 'ShareRowExclusiveLock', 'ADD COLUMN … REFERENCES: the referenced table');
        // A new column is NULL in every row unless it has a default: only then is the foreign key validated.
        if (a.hasDefault) validateForeignKey(all.filter((t) => !isPartitioned(ctx, t)), ref, b, ctx);
      }
      break;
    }
    case 'AT_DropColumn': {
      lockAll('AccessExclusiveLock', 'DROP COLUMN');
      const col: string = cmd.name;
      if (cmd.missing_ok && !schema.column(target, col)) break;
      // The sequence the column owns (identity, serial) is dropped with it.
      const seq = schema.column(target, col)?.sequence;
      if (seq && schema.get(seq)?.ownedBy === target) b.lock(seq, 'AccessExclusiveLock', 'the sequence the column owns is dropped with it', true);
      for (const t of [target, ...schema.descendants(target)]) {
        for (const idx of schema.indexesOf(t)) if (indexUsesColumn(idx, col)) b.lock(idx.name, 'AccessExclusiveLock', 'an index on the dropped column is dropped', true);
        for (const c of schema.get(t)?.constraints ?? []) if (c.type === 'foreign key' && c.columns.includes(col)) dropForeignKey(c, b, 'the dropped column\'s foreign key is dropped, with its triggers on the referenced table');
      }
      if (cmd.behavior === 'DROP_CASCADE') {
        // Foreign keys of other tables that reference the column are dropped with it.
        const pk = schema.primaryKeyColumns(target);
        for (const { table: r, fk } of schema.foreignKeysTo(target)) {
          if (r !== target && (fk.refColumns?.length ? fk.refColumns : pk).includes(col)) b.lock(r, 'AccessExclusiveLock', 'CASCADE drops the foreign key of a table that references the column', true);
        }
      }
      break;
    }
    case 'AT_AlterColumnType': {
      lockAll('AccessExclusiveLock', 'ALTER COLUMN TYPE');
      const def = cmd.def?.ColumnDef;
      const col = schema.column(target, cmd.name);
      const verdict = typeChangeRewrites(col, def, ctx.pgVersion);
      if (verdict === 'unknown') b.unknown(`the current type of ${target}.${cmd.name} is unknown: assuming the table is rewritten`);
      // ALTER COLUMN TYPE always recurses to partitions and inheritance children.
      const tables = [target, ...schema.descendants(target)];
      for (const t of tables) {
        if (t !== target) b.lock(t, 'AccessExclusiveLock', 'ALTER COLUMN TYPE (partition)', true);
        if (verdict !== 'no' && isHeap(schema, t)) { b.rewriteWithIndexes(t, 'ALTER COLUMN TYPE rewrites the table and rebuilds every index'); continue; }
        // Without a rewrite, each index using the column is still dropped and re-created (AccessExclusiveLock); it
        // keeps its storage only when it is a plain index whose operator class fits the new type (TryReuseIndex()).
        for (const idx of schema.indexesOf(t)) {
          if (!indexUsesColumn(idx, cmd.name)) continue;
          b.lock(idx.name, 'AccessExclusiveLock', 'an index on the changed column is rebuilt', true);
          if (idx.kind === 'index' && (verdict !== 'no' || !indexReusable(idx, col, def))) b.rewrite(idx.name);
        }
      }
      // Foreign keys on the column, from either side, are dropped and re-created: AccessExclusiveLock on the other
      // table; after a rewrite the re-created key is validated again (a query over both tables).
      for (const t of tables) {
        for (const c of schema.get(t)?.constraints ?? []) {
          if (c.type !== 'foreign key' || !c.columns.includes(cmd.name)) continue;
          dropForeignKey(c, b, 'the foreign key on the changed column is re-created');
          if (verdict !== 'no' && c.validated) validateForeignKey([t], c.references, b, ctx);
        }
      }
      const pk = schema.primaryKeyColumns(target);
      for (const { table: r, fk } of schema.foreignKeysTo(target)) {
        if (tables.includes(r) || !(fk.refColumns?.length ? fk.refColumns : pk).includes(cmd.name)) continue;
        b.lock(r, 'AccessExclusiveLock', 'the foreign key referencing the changed column is re-created', true);
        if (verdict !== 'no' && fk.validated) validateForeignKey([r], undefined, b, ctx);
      }
      break;
    }
    case 'AT_SetNotNull': {
      lockAll('AccessExclusiveLock', 'SET NOT NULL');
      for (const t of all) {
        const col = schema.column(t, cmd.name);
        const proven = ctx.pgVersion >= 12 && schema.get(t)?.constraints.some((c) => c.type === 'check' && c.validated && c.provesNotNull === cmd.name);
        if (!col?.notNull && !proven && !isPartitioned(ctx, t)) b.scan(t);
      }
      break;
    }
    case 'AT_DropNotNull': lockAll('AccessExclusiveLock', 'DROP NOT NULL'); break;
    case 'AT_ColumnDefault': case 'AT_CookedColumnDefault': lockAll('AccessExclusiveLock', cmd.def ? 'SET DEFAULT' : 'DROP DEFAULT'); break;
    case 'AT_SetStatistics': lockAll('ShareUpdateExclusiveLock', 'SET STATISTICS'); break;
    case 'AT_SetOptions': case 'AT_ResetOptions': lockAll('ShareUpdateExclusiveLock', 'ALTER COLUMN … SET (…)'); break;
    case 'AT_SetStorage': lockAll('AccessExclusiveLock', 'SET STORAGE'); break;
    case 'AT_SetCompression': lockAll('AccessExclusiveLock', 'SET COMPRESSION'); break;
    case 'AT_ClusterOn': {
      b.lock(target, 'ShareUpdateExclusiveLock', 'CLUSTER ON');
      // check_index_is_clusterable() opens the index in the command's lock mode.
      b.lock(qualify(schemaOf(target), cmd.name), 'ShareUpdateExclusiveLock', 'CLUSTER ON: the index', true);
      break;
    }
    case 'AT_DropCluster': b.lock(target, 'ShareUpdateExclusiveLock', 'SET WITHOUT CLUSTER'); break;
    case 'AT_SetRelOptions': case 'AT_ResetRelOptions': b.lock(target, relOptionsLock(cmd.def), 'SET (storage parameters)'); break;
    case 'AT_ValidateConstraint': {
      lockAll('ShareUpdateExclusiveLock', 'VALIDATE CONSTRAINT');
      const con = schema.get(target)?.constraints.find((c) => c.name === cmd.name);
      if (!con) b.unknown(`constraint ${cmd.name} is not in the schema model`);
      if (con?.type === 'foreign key' && con.references) {
        b.lock(con.references, 'RowShareLock', 'VALIDATE of a foreign key reads the referenced table');
        if (!con.validated) { validateForeignKey(all, con.references, b, ctx); b.scan(con.references); }
      }
      if (!con?.validated) for (const t of all) if (!isPartitioned(ctx, t)) b.scan(t);
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
      if (!con && !cmd.missing_ok) b.unknown(`constraint ${cmd.name} is not in the schema model`);
      if (con?.type === 'foreign key') dropForeignKey(con, b);
      if (con?.index) {
        b.lock(con.index, 'AccessExclusiveLock', 'the constraint\'s index is dropped', true);
        for (const child of schema.descendants(con.index)) {
          const ci = schema.get(child);
          b.lock(ci?.table, 'AccessExclusiveLock', 'the partition\'s copy of the constraint is dropped', true);
          b.lock(child, 'AccessExclusiveLock', 'the partition\'s index is dropped', true);
        }
        // Foreign keys of other tables that depend on a dropped unique / primary key are dropped with CASCADE.
        if (cmd.behavior === 'DROP_CASCADE') {
          const pk = schema.primaryKeyColumns(target);
          for (const { table: r, fk } of schema.foreignKeysTo(target)) {
            if (r !== target && keyMatches(fk, con, pk)) b.lock(r, 'AccessExclusiveLock', 'CASCADE drops the foreign key that depends on this key', true);
          }
        }
      }
      break;
    }
    case 'AT_AlterConstraint': b.lock(target, 'AccessExclusiveLock', 'ALTER CONSTRAINT'); break;
    case 'AT_EnableTrig': case 'AT_EnableAlwaysTrig': case 'AT_EnableReplicaTrig': case 'AT_EnableTrigAll': case 'AT_EnableTrigUser':
    case 'AT_DisableTrig': case 'AT_DisableTrigAll': case 'AT_DisableTrigUser':
      lockAll('ShareRowExclusiveLock', st.startsWith('AT_Enable') ? 'ENABLE TRIGGER' : 'DISABLE TRIGGER');
      break;
    case 'AT_EnableRule': case 'AT_EnableAlwaysRule': case 'AT_EnableReplicaRule': case 'AT_DisableRule':
      b.lock(target, 'AccessExclusiveLock', 'ENABLE/DISABLE RULE'); break;
    case 'AT_ChangeOwner': {
      // OWNER TO never recurses to partitions, but ATExecChangeOwner() carries every index and every sequence the
      // table owns along, each under the same lock.
      b.lock(target, 'AccessExclusiveLock', 'OWNER TO');
      b.lockIndexes(target, 'AccessExclusiveLock', 'OWNER TO changes the owner of every index');
      for (const s of schema.get(target)?.ownedSequences ?? []) b.lock(s, 'AccessExclusiveLock', 'OWNER TO changes the owner of the sequences its columns own', true);
      break;
    }
    case 'AT_SetTableSpace': {
      b.lock(target, 'AccessExclusiveLock', 'SET TABLESPACE');
      if (isHeap(schema, target) && !sameTablespace(schema.get(target), cmd.name)) b.rewrite(target);
      break;
    }
    case 'AT_SetAccessMethod': {
      b.lock(target, 'AccessExclusiveLock', 'SET ACCESS METHOD');
      // Setting the access method a table already has does nothing (ATPrepSetAccessMethod()).
      const rel = schema.get(target);
      const to = cmd.name ?? schema.defaultAccessMethod;
      if (isHeap(schema, target) && !(rel?.accessMethod && rel.accessMethod === to)) b.rewriteWithIndexes(target, 'SET ACCESS METHOD rewrites the table and rebuilds every index');
      break;
    }
    case 'AT_SetLogged': case 'AT_SetUnLogged':
      b.lock(target, 'AccessExclusiveLock', st === 'AT_SetLogged' ? 'SET LOGGED' : 'SET UNLOGGED');
      b.rewriteWithIndexes(target, 'SET LOGGED/UNLOGGED rewrites the table and its indexes');
      break;
    case 'AT_AddInherit': {
      b.lock(target, 'AccessExclusiveLock', 'INHERIT');
      b.lock(rangeVarName(cmd.def?.RangeVar ?? cmd.def), 'ShareUpdateExclusiveLock', 'INHERIT: the new parent');
      break;
    }
    case 'AT_DropInherit': {
      // ATExecDropInherit() opens the parent with AccessShareLock.
      b.lock(target, 'AccessExclusiveLock', 'NO INHERIT');
      b.lock(rangeVarName(cmd.def?.RangeVar ?? cmd.def), 'AccessShareLock', 'NO INHERIT: the parent');
      break;
    }
    case 'AT_ReplicaIdentity': {
      b.lock(target, 'AccessExclusiveLock', 'REPLICA IDENTITY');
      const ri = cmd.def?.ReplicaIdentityStmt;
      if (ri?.identity_type === 'i' && ri.name) b.lock(qualify(schemaOf(target), ri.name), 'ShareLock', 'REPLICA IDENTITY USING INDEX: the index', true);
      break;
    }
    case 'AT_EnableRowSecurity': case 'AT_DisableRowSecurity': case 'AT_ForceRowSecurity': case 'AT_NoForceRowSecurity':
      b.lock(target, 'AccessExclusiveLock', 'ROW LEVEL SECURITY'); break;
    case 'AT_AddIdentity': lockAll('AccessExclusiveLock', 'ADD GENERATED AS IDENTITY'); break;
    case 'AT_SetIdentity': case 'AT_DropIdentity': {
      lockAll('AccessExclusiveLock', st === 'AT_SetIdentity' ? 'ALTER COLUMN … SET (identity)' : 'DROP IDENTITY');
      const col = schema.column(target, cmd.name);
      const seq = col?.identity ? col.sequence : undefined;
      if (!seq) { if (col && !col.identity) b.unknown(`${target}.${cmd.name} is not an identity column in the schema model`); break; }
      if (st === 'AT_DropIdentity') { b.lock(seq, 'AccessExclusiveLock', 'DROP IDENTITY drops the identity sequence', true); break; }
      // SET GENERATED / sequence options run ALTER SEQUENCE on the identity sequence: ShareRowExclusiveLock, and
      // new storage when an option changes its data (RESTART, INCREMENT …).
      b.lock(seq, 'ShareRowExclusiveLock', 'the identity sequence is altered', true);
      if (sequenceOptionsRewrite(cmd.def?.List?.items)) b.rewrite(seq);
      break;
    }
    case 'AT_SetExpression': lockAll('AccessExclusiveLock', 'SET EXPRESSION'); for (const t of all) if (isHeap(schema, t)) b.rewriteWithIndexes(t, 'SET EXPRESSION rewrites the table'); break;
    case 'AT_DropExpression': lockAll('AccessExclusiveLock', 'DROP EXPRESSION'); break;
    case 'AT_AttachPartition': attachPartition(cmd, target, b, ctx); break;
    case 'AT_DetachPartition': {
      const child = rangeVarName(cmd.def?.PartitionCmd?.name);
      const concurrent = !!cmd.def?.PartitionCmd?.concurrent;
      if (concurrent) {
        // Two transactions: ShareUpdateExclusiveLock on both, then (after waiting out the users of the parent)
        // AccessExclusiveLock on the partition to finish.
        b.e.nonTransactional = true;
        b.lock(target, 'ShareUpdateExclusiveLock', 'DETACH PARTITION CONCURRENTLY: the parent');
        b.lock(child, 'AccessExclusiveLock', 'DETACH PARTITION CONCURRENTLY: the partition (second transaction)');
      } else {
        b.lock(target, 'AccessExclusiveLock', 'DETACH PARTITION: the parent');
        // PostgreSQL 13 detaches the partition under ShareUpdateExclusiveLock; 14+ under AccessExclusiveLock.
        b.lock(child, ctx.pgVersion >= 14 ? 'AccessExclusiveLock' : 'ShareUpdateExclusiveLock', 'DETACH PARTITION: the partition');
        // The default partition is locked because its implicit constraint changes, even when it is the one
        // detached (so on 13 too that one ends up under AccessExclusiveLock).
        const def = ctx.schema.defaultPartition(target);
        if (def) b.lock(def.name, 'AccessExclusiveLock', 'the default partition\'s constraint changes', true);
      }
      // Each of the partition's indexes attached to a partitioned index is detached from it (AccessExclusiveLock).
      for (const idx of schema.indexesOf(child ?? '')) {
        if (idx.parent) b.lock(idx.name, 'AccessExclusiveLock', 'the partition\'s index is detached from the partitioned index', true);
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

function attachPartition(cmd: Node, target: string, b: EffectsBuilder, ctx: ModelContext): void {
  const schema = ctx.schema;
  const child = rangeVarName(cmd.def?.PartitionCmd?.name);
  b.lock(target, ctx.pgVersion >= 12 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', 'ATTACH PARTITION: the parent');
  b.lock(child, 'AccessExclusiveLock', 'ATTACH PARTITION: the new partition');
  ensureKnown(b, ctx, child);
  // The partition is scanned to prove its rows fit the bound, unless a validated CHECK proves it.
  b.scan(child);
  for (const p of schema.descendants(child ?? '')) { b.lock(p, 'AccessExclusiveLock', 'a sub-partition of the attached table', true); b.scan(p); }
  const def = schema.defaultPartition(target);
  if (def && !isDefaultBound(cmd.def.PartitionCmd.bound)) {
    b.lock(def.name, 'AccessExclusiveLock', 'the default partition is scanned for rows of the new bound', true);
    b.scan(def.name);
  }
  // Each partitioned index of the parent gets an index of the new partition attached (IndexSetParentIndex() takes
  // ShareUpdateExclusiveLock on the partitioned index); a matching index is reused, otherwise one is built.
  for (const pidx of schema.indexesOf(target)) {
    if (pidx.kind !== 'partitioned index') continue;
    b.lock(pidx.name, 'ShareUpdateExclusiveLock', 'an index of the new partition is attached to the partitioned index', true);
    const match = schema.indexesOf(child ?? '').some((ci) => !ci.parent && indexesEquivalent(ci, pidx));
    if (!match && child) b.e.buildsIndexOn.push(child);
  }
  // The parent's foreign keys are cloned onto the partition (and validated against its rows).
  for (const c of schema.get(target)?.constraints ?? []) {
    if (c.type !== 'foreign key' || !c.references) continue;
    b.lock(c.references, 'ShareRowExclusiveLock', 'the parent\'s foreign key is cloned onto the new partition', true);
    if (child && !schema.get(child)?.constraints.some((x) => x.type === 'foreign key' && x.references === c.references && sameList(x.columns, c.columns))) {
      validateForeignKey([child], c.references, b, ctx);
    }
  }
}

function sameList(a?: string[], b?: string[]): boolean {
  return !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);
}

function isHeap(schema: SchemaModel, rel: string): boolean {
  const k = schema.get(rel)?.kind;
  return k === undefined || k === 'table' || k === 'materialized view' || k === 'unknown';
}

function addConstraint(con: Node, target: string, all: string[], b: EffectsBuilder, ctx: ModelContext): void {
  const lockAll = (mode: LockMode, reason: string) => { for (const t of all) b.lock(t, mode, t === target ? reason : `${reason} (partition)`, t !== target); };
  const notValid = !!con.skip_validation;
  const heaps = all.filter((t) => !isPartitioned(ctx, t));
  switch (con.contype) {
    case 'CONSTR_FOREIGN': {
      const ref = rangeVarName(con.pktable);
      lockAll('ShareRowExclusiveLock', notValid ? 'ADD FOREIGN KEY … NOT VALID' : 'ADD FOREIGN KEY');
      b.lock(ref, 'ShareRowExclusiveLock', 'ADD FOREIGN KEY: triggers are added to the referenced table');
      ensureKnown(b, ctx, ref);
      if (!notValid) {
        for (const t of heaps) b.scan(t);
        validateForeignKey(all, ref, b, ctx);
      }
      break;
    }
    case 'CONSTR_CHECK':
      lockAll('AccessExclusiveLock', notValid ? 'ADD CHECK … NOT VALID' : 'ADD CHECK');
      if (!notValid) for (const t of heaps) b.scan(t);
      break;
    case 'CONSTR_PRIMARY': case 'CONSTR_UNIQUE': case 'CONSTR_EXCLUSION': {
      const what = con.contype === 'CONSTR_PRIMARY' ? 'ADD PRIMARY KEY' : con.contype === 'CONSTR_UNIQUE' ? 'ADD UNIQUE' : 'ADD EXCLUDE';
      if (con.indexname) {
        lockAll('AccessExclusiveLock', `${what} USING INDEX`);
        const idx = qualify(schemaOf(target), con.indexname);
        // The index is renamed to the constraint's name (RenameRelationInternal(): ShareUpdateExclusiveLock on an
        // index since PostgreSQL 12); kept under its name, it is only opened (AccessShareLock).
        const renamed = !!con.conname && con.conname !== con.indexname;
        b.lock(idx, renamed ? (ctx.pgVersion >= 12 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock') : 'AccessShareLock', renamed ? 'the index is renamed to the constraint' : 'the index becomes the constraint\'s', true);
        // A primary key on nullable columns must still check every row for NULLs.
        if (con.contype === 'CONSTR_PRIMARY') {
          const cols = ctx.schema.get(idx)?.keyColumns ?? [];
          const proven = (c: string) => ctx.pgVersion >= 12 && (ctx.schema.get(target)?.constraints.some((k) => k.type === 'check' && k.validated && k.provesNotNull === c) ?? false);
          if (cols.some((c) => !ctx.schema.column(target, c)?.notNull && !proven(c))) for (const t of heaps) b.scan(t);
        }
        break;
      }
      lockAll('AccessExclusiveLock', what);
      b.e.buildsIndexOn.push(target);
      for (const t of heaps) b.scan(t);
      break;
    }
    case 'CONSTR_NOTNULL':
      lockAll('AccessExclusiveLock', 'ADD … NOT NULL');
      if (!notValid) for (const t of heaps) b.scan(t);
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
  /** The column's type is a domain with constraints (each row's new value is checked, by a rewrite). */
  domainWithConstraints: boolean;
}

/**
 * What ADD COLUMN does to existing rows (PostgreSQL 11+: a non-volatile default is stored in the catalog). A column
 * whose type is a domain with constraints (CHECK or NOT NULL) rewrites the table: ATExecAddColumn() evaluates the
 * (possibly NULL) default for every row so that the domain's constraints are checked (DomainHasConstraints()).
 */
export function addColumnAnalysis(def: Node, ctx: { pgVersion: number; schema?: SchemaModel }): AddColumnAnalysis {
  const cons: Node[] = (def.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
  const t = typeOf(def.typeName);
  const serial = /^(small|big)?serial[248]?$/.test(t.name);
  const dflt = cons.find((c) => c.contype === 'CONSTR_DEFAULT');
  const gen = cons.find((c) => c.contype === 'CONSTR_GENERATED');
  const identity = cons.some((c) => c.contype === 'CONSTR_IDENTITY');
  const notNull = cons.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY') || !!def.is_not_null;
  const v = dflt ? volatility(dflt.raw_expr) : undefined;
  // PostgreSQL 18 makes generated columns VIRTUAL unless STORED is written; libpg_query marks it in generated_kind.
  const generated = gen ? (gen.generated_kind === 'v' || gen.generated_kind === 'ATTRIBUTE_GENERATED_VIRTUAL' ? 'virtual' : 'stored') : undefined;
  const domain = !t.isArray && ctx.schema ? ctx.schema.getType(qualify(t.schema && t.schema !== 'pg_catalog' ? t.schema : 'public', t.name)) : undefined;
  const domainWithConstraints = domainHasConstraints(domain);
  let rewrites = false;
  if (serial || identity) rewrites = true;
  else if (generated === 'stored') rewrites = true;
  else if (dflt && (ctx.pgVersion < 11 || v === 'volatile' || v === 'unknown')) rewrites = true;
  else if (domainWithConstraints && !generated) rewrites = true;
  const buildsIndex = cons.some((c) => c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE');
  const references = cons.filter((c) => c.contype === 'CONSTR_FOREIGN').map((c) => rangeVarName(c.pktable)).filter((x): x is string => !!x);
  // NOT NULL without a default, a CHECK, or a domain type: the new column's value is checked for every row.
  // A new column without a default is NULL in every row: a foreign key on it has nothing to check.
  const scans = !rewrites && ((notNull && !dflt) || cons.some((c) => c.contype === 'CONSTR_CHECK') || (references.length > 0 && !!dflt));
  return { rewrites, scans, buildsIndex, references, defaultVolatility: v, generated, identity, serial, notNull, hasDefault: !!dflt || serial || identity, domainWithConstraints };
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
  // timestamp → timestamptz keeps the bytes only when the session's TimeZone is UTC (PostgreSQL 12+), which the
  // model cannot know: it answers 'yes'.
  return 'yes';
}
const BINARY_COERCIBLE = new Set([
  'varchar->text', 'text->varchar', 'cidr->inet', 'xml->text', 'varbit->bit', 'bit->varbit', 'json->text',
]);
function sameMods(a: number[], b: number[]): boolean { return a.length === b.length && a.every((x, i) => x === b[i]); }

/**
 * The operator class family an index on a column of this type gets by default: varchar has none of its own and uses
 * text's, so a varchar ↔ text change keeps it; any other change of type changes it.
 */
function opclassFamily(t: string): string {
  return t === 'varchar' || t === 'text' ? 'text' : t === 'cidr' ? 'inet' : t;
}

/**
 * Whether an index rebuilt by ALTER COLUMN TYPE (without a table rewrite) keeps its storage: CheckIndexCompatible()
 * refuses expression and partial indexes outright, and otherwise needs the same operator class and collation.
 */
function indexReusable(idx: RelationInfo, col: ColumnInfo | undefined, def: Node | undefined): boolean {
  if (!col || !def?.typeName) return false;
  if (idx.partial || idx.exprColumns?.length || idx.keyColumns?.includes('(expr)')) return false;
  if (def.collClause) return false;
  const to = typeOf(def.typeName).name;
  return opclassFamily(col.type) === opclassFamily(to) && col.isArray === typeOf(def.typeName).isArray;
}
