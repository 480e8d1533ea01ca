// What the analyzer knows of the database before and during a migration: relations, their columns, indexes,
// constraints, partitions and triggers. It is built from a schema dump, the earlier migrations of the folder and the
// earlier statements of the file, by applying each statement in order (`applyStatement`).
//
// A model can be layered over a parent (copy-on-write per relation), so the editor keeps one base model for the
// workspace and each keystroke's analysis works on a cheap overlay.
import type { RelKind } from './types.js';
import type { Node } from './parse.js';
import { qualify, rangeVarName, stringList, qualifyList, DEFAULT_SCHEMA, isTempRangeVar } from './names.js';

export interface ColumnInfo {
  name: string;
  /** Normalised type name as PostgreSQL stores it (int4, int8, varchar, text, timestamp, numeric …). */
  type: string;
  /** Type modifiers (varchar length, numeric precision/scale). */
  typmods: number[];
  isArray: boolean;
  notNull: boolean;
  hasDefault: boolean;
}

export type ConstraintType = 'check' | 'foreign key' | 'unique' | 'primary key' | 'exclusion' | 'not null';
export interface ConstraintInfo {
  name: string;
  type: ConstraintType;
  validated: boolean;
  columns: string[];
  /** For CHECK (col IS NOT NULL): the column it proves non-null. */
  provesNotNull?: string;
  /** For foreign keys: the referenced table. */
  references?: string;
  /** The index enforcing a unique / primary key / exclusion constraint. */
  index?: string;
}

export interface RelationInfo {
  name: string; // qualified
  kind: RelKind;
  columns: ColumnInfo[];
  constraints: ConstraintInfo[];
  /** Qualified names of the indexes on this relation. */
  indexes: string[];
  triggers: string[];
  /** Partitions (or inheritance children) of a partitioned table. */
  partitions: string[];
  parent?: string;
  /** True for a DEFAULT partition. */
  isDefaultPartition?: boolean;
  /** For an index: the table it belongs to, its key columns ('(expr)' for expressions), uniqueness and validity. */
  table?: string;
  keyColumns?: string[];
  unique?: boolean;
  primary?: boolean;
  partial?: boolean;
  /** False when an index may be invalid (built CONCURRENTLY: validity is only known at run time). */
  knownValid?: boolean;
  builtConcurrently?: boolean;
  /** For a view / materialized view: the relations it reads. */
  dependsOn?: string[];
  /** Sequences owned by a column (serial / identity). */
  ownedSequences?: string[];
  /** True when created by the migration being analysed (not by the schema dump or an earlier migration). */
  createdInMigration: boolean;
  unlogged?: boolean;
  temporary?: boolean;
}

export interface SchemaTracker { reads: Set<string>; writes: Set<string>; global: boolean }

export interface TypeInfo { name: string; kind: 'enum' | 'domain' | 'composite' | 'other'; values?: string[]; hasCheck?: boolean; createdInMigration: boolean }

export class SchemaModel {
  private readonly rels = new Map<string, RelationInfo | null>();
  private readonly types = new Map<string, TypeInfo | null>();
  /** Set while applying the migration under analysis, so new objects are marked as created by it. */
  inMigration = false;
  /**
   * When set, every relation and type name read or written through this layer is recorded: the editor's incremental
   * analysis (incremental.ts) reuses a statement's results only when nothing it read has changed.
   */
  tracker: SchemaTracker | undefined;

  constructor(private readonly parent?: SchemaModel) {}

  /** A cheap copy-on-write child: changes to it never reach this model. */
  overlay(): SchemaModel {
    const child = new SchemaModel(this);
    child.inMigration = this.inMigration;
    return child;
  }

  get(name: string): RelationInfo | undefined {
    this.tracker?.reads.add(name);
    const local = this.rels.get(name);
    if (local !== undefined) return local ?? undefined;
    return this.parent?.get(name);
  }

  has(name: string): boolean { return this.get(name) !== undefined; }

  /**
   * Folds a child overlay's changes into this model, as objects that already exist (createdInMigration = false):
   * after one migration file is analysed, its result becomes the starting schema of the next.
   */
  absorb(child: SchemaModel): void {
    for (const [k, v] of child.rels) this.rels.set(k, v ? { ...v, createdInMigration: false } : null);
    for (const [k, v] of child.types) this.setType(k, v ? { ...v, createdInMigration: false } : null);
  }

  private setType(name: string, info: TypeInfo | null): void {
    this.tracker?.writes.add('type ' + name);
    this.types.set(name, info);
  }

  /** Number of relations this layer itself defines (for diagnostics and benchmarks). */
  get localSize(): number { return this.rels.size; }

  /** The relation, writable in this layer. */
  private mut(name: string): RelationInfo | undefined {
    this.tracker?.writes.add(name);
    const local = this.rels.get(name);
    if (local) return local;
    if (local === null) return undefined;
    const inherited = this.parent?.get(name);
    if (!inherited) return undefined;
    const copy: RelationInfo = {
      ...inherited,
      columns: inherited.columns.map((c) => ({ ...c })),
      constraints: inherited.constraints.map((c) => ({ ...c })),
      indexes: [...inherited.indexes],
      triggers: [...inherited.triggers],
      partitions: [...inherited.partitions],
    };
    this.rels.set(name, copy);
    return copy;
  }

  private put(info: RelationInfo): void { this.tracker?.writes.add(info.name); this.rels.set(info.name, info); }
  private remove(name: string): void {
    this.tracker?.writes.add(name);
    const rel = this.get(name);
    if (!rel) return;
    this.rels.set(name, null);
    if (rel.table) { const t = this.mut(rel.table); if (t) t.indexes = t.indexes.filter((i) => i !== name); }
    if (rel.parent) { const p = this.mut(rel.parent); if (p) p.partitions = p.partitions.filter((x) => x !== name); }
    for (const idx of rel.indexes) { this.tracker?.writes.add(idx); this.rels.set(idx, null); }
  }

  relationNames(): string[] {
    if (this.tracker) this.tracker.global = true;
    const names = new Set<string>(this.parent?.relationNames() ?? []);
    for (const [k, v] of this.rels) { if (v) names.add(k); else names.delete(k); }
    return [...names];
  }

  getType(name: string): TypeInfo | undefined {
    this.tracker?.reads.add('type ' + name);
    const local = this.types.get(name);
    if (local !== undefined) return local ?? undefined;
    return this.parent?.getType(name);
  }

  column(table: string, column: string): ColumnInfo | undefined {
    return this.get(table)?.columns.find((c) => c.name === column);
  }

  /** Every partition below a partitioned table, recursively. */
  descendants(name: string): string[] {
    const out: string[] = [];
    const walk = (n: string, depth: number) => {
      if (depth > 32) return;
      for (const p of this.get(n)?.partitions ?? []) { out.push(p); walk(p, depth + 1); }
    };
    walk(name, 0);
    return out;
  }

  /** Resolves an index name; unqualified names are looked up in public. */
  indexesOf(table: string): RelationInfo[] {
    return (this.get(table)?.indexes ?? []).map((i) => this.get(i)).filter((x): x is RelationInfo => !!x);
  }

  // ---- applying statements ------------------------------------------------------------------------------------

  /** Updates the model with the effect of one parsed statement. Unknown statements are ignored. */
  applyStatement(stmt: Node): void {
    const [kind, node] = Object.entries(stmt)[0] ?? [];
    if (!node) return;
    switch (kind) {
      case 'CreateStmt': return this.applyCreateTable(node);
      case 'AlterTableStmt': return this.applyAlterTable(node);
      case 'IndexStmt': return this.applyCreateIndex(node);
      case 'DropStmt': return this.applyDrop(node);
      case 'RenameStmt': return this.applyRename(node);
      case 'ViewStmt': {
        const name = rangeVarName(node.view);
        if (name && !isTempRangeVar(node.view)) this.put(this.newRel(name, 'view', { dependsOn: collectRangeVars(node.query) }));
        return;
      }
      case 'CreateTableAsStmt': {
        const name = rangeVarName(node.into?.rel);
        if (!name || isTempRangeVar(node.into?.rel)) return;
        const kind2: RelKind = node.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
        this.put(this.newRel(name, kind2, { dependsOn: collectRangeVars(node.query) }));
        return;
      }
      case 'CreateSeqStmt': {
        const name = rangeVarName(node.sequence);
        if (name) this.put(this.newRel(name, 'sequence'));
        this.applySequenceOwner(name, node.options);
        return;
      }
      case 'AlterSeqStmt':
        this.applySequenceOwner(rangeVarName(node.sequence), node.options);
        return;
      case 'CreateTrigStmt': {
        const table = rangeVarName(node.relation);
        const t = table ? this.mut(table) : undefined;
        if (t && !t.triggers.includes(node.trigname)) t.triggers.push(node.trigname);
        return;
      }
      case 'CreateEnumStmt': {
        const name = qualifyList(stringList(node.typeName));
        this.setType(name, { name, kind: 'enum', values: stringList(node.vals), createdInMigration: this.inMigration });
        return;
      }
      case 'CreateDomainStmt': {
        const name = qualifyList(stringList(node.domainname));
        const hasCheck = (node.constraints ?? []).some((c: Node) => c.Constraint?.contype === 'CONSTR_CHECK');
        this.setType(name, { name, kind: 'domain', hasCheck, createdInMigration: this.inMigration });
        return;
      }
      case 'CompositeTypeStmt': {
        const name = rangeVarName(node.typevar);
        if (name) this.setType(name, { name, kind: 'composite', createdInMigration: this.inMigration });
        return;
      }
      case 'AlterEnumStmt': {
        const name = qualifyList(stringList(node.typeName));
        const t = this.getType(name);
        if (t && node.newVal && !node.oldVal) this.setType(name, { ...t, values: [...(t.values ?? []), node.newVal] });
        return;
      }
      default:
        return;
    }
  }

  /** `OWNED BY table.column`: the sequence is dropped with the table (as pg_dump writes serial columns). */
  private applySequenceOwner(seq: string | undefined, options: Node[] | undefined): void {
    if (!seq) return;
    for (const o of options ?? []) {
      if (o.DefElem?.defname !== 'owned_by') continue;
      const parts = stringList(o.DefElem.arg?.List?.items ?? o.DefElem.arg);
      if (parts.length < 2 || parts[0] === 'none') continue;
      const t = this.mut(qualifyList(parts.slice(0, -1)));
      if (t && !(t.ownedSequences ?? []).includes(seq)) t.ownedSequences = [...(t.ownedSequences ?? []), seq];
    }
  }

  private newRel(name: string, kind: RelKind, extra: Partial<RelationInfo> = {}): RelationInfo {
    return {
      name, kind, columns: [], constraints: [], indexes: [], triggers: [], partitions: [],
      createdInMigration: this.inMigration, ...extra,
    };
  }

  private applyCreateTable(node: Node): void {
    const name = rangeVarName(node.relation);
    if (!name) return;
    if (node.if_not_exists && this.has(name)) return;
    const rel = this.newRel(name, node.partspec ? 'partitioned table' : 'table', {
      unlogged: node.relation?.relpersistence === 'u',
      temporary: isTempRangeVar(node.relation),
      // A temporary table only ever exists in the session that runs the migration.
      ...(isTempRangeVar(node.relation) ? { createdInMigration: true } : {}),
    });
    this.put(rel);
    const parentName = node.inhRelations?.length ? rangeVarName(node.inhRelations[0].RangeVar) : undefined;
    if (parentName) {
      rel.parent = parentName;
      rel.isDefaultPartition = isDefaultBound(node.partbound);
      const parent = this.mut(parentName);
      if (parent) {
        parent.partitions.push(name);
        if (node.partbound) {
          rel.columns = parent.columns.map((c) => ({ ...c }));
          rel.constraints.push(...parent.constraints.filter((c) => c.type === 'check' || c.type === 'not null').map((c) => ({ ...c })));
          // A partition gets a copy of each partitioned index of its parent.
          for (const idx of this.indexesOf(parentName)) {
            this.addIndex(qualify(schemaOf(name), `${relName(name)}_${idx.keyColumns?.join('_') ?? 'idx'}_idx`), name, idx.keyColumns ?? [], !!idx.unique, false, !!idx.partial);
          }
        }
      }
    }
    for (const elt of node.tableElts ?? []) {
      if (elt.ColumnDef) this.addColumn(rel, elt.ColumnDef, name);
      else if (elt.Constraint) this.addConstraint(name, elt.Constraint);
      else if (elt.TableLikeClause) {
        const src = this.get(rangeVarName(elt.TableLikeClause.relation) ?? '');
        if (src) rel.columns.push(...src.columns.map((c) => ({ ...c })));
      }
    }
  }

  private addColumn(rel: RelationInfo, def: Node, table: string): void {
    const t = typeOf(def.typeName);
    const constraints: Node[] = (def.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
    const col: ColumnInfo = {
      name: def.colname,
      type: t.name, typmods: t.typmods, isArray: t.isArray,
      notNull: !!def.is_not_null || constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_IDENTITY'),
      hasDefault: constraints.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED') || /serial$/.test(t.name),
    };
    rel.columns = rel.columns.filter((c) => c.name !== col.name);
    rel.columns.push(col);
    if (constraints.some((c) => c.contype === 'CONSTR_IDENTITY')) {
      const seq = qualify(schemaOf(table), `${relName(table)}_${col.name}_seq`);
      this.put(this.newRel(seq, 'sequence'));
      rel.ownedSequences = [...(rel.ownedSequences ?? []), seq];
    }
    if (/serial$/.test(t.name)) {
      col.type = t.name === 'bigserial' || t.name === 'serial8' ? 'int8' : t.name === 'smallserial' || t.name === 'serial2' ? 'int2' : 'int4';
      col.notNull = true;
      const seq = qualify(schemaOf(table), `${relName(table)}_${col.name}_seq`);
      this.put(this.newRel(seq, 'sequence'));
      rel.ownedSequences = [...(rel.ownedSequences ?? []), seq];
    }
    for (const c of constraints) {
      if (['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_FOREIGN', 'CONSTR_CHECK', 'CONSTR_EXCLUSION'].includes(c.contype)) {
        this.addConstraint(table, { ...c, keys: c.keys ?? [{ String: { sval: col.name } }], fk_attrs: c.fk_attrs ?? [{ String: { sval: col.name } }] });
      }
    }
  }

  private addConstraint(table: string, c: Node): void {
    const rel = this.mut(table);
    if (!rel) return;
    const keys = stringList(c.keys);
    const tname = relName(table);
    switch (c.contype) {
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE': {
        const primary = c.contype === 'CONSTR_PRIMARY';
        let index: string;
        if (c.indexname) {
          // ADD CONSTRAINT … USING INDEX: the index is renamed to the constraint's name.
          const old = qualify(schemaOf(table), c.indexname);
          index = qualify(schemaOf(table), c.conname ?? c.indexname);
          const idx = this.get(old);
          if (idx && old !== index) this.renameRelation(old, index);
          const cur = this.mut(index);
          if (cur) { cur.unique = true; cur.primary = primary; }
          const cols = this.get(index)?.keyColumns ?? keys;
          rel.constraints.push({ name: c.conname ?? c.indexname, type: primary ? 'primary key' : 'unique', validated: true, columns: cols, index });
          if (primary) for (const col of rel.columns) if (cols.includes(col.name)) col.notNull = true;
          return;
        }
        const conname = c.conname ?? (primary ? `${tname}_pkey` : `${tname}_${keys.join('_')}_key`);
        index = qualify(schemaOf(table), conname);
        this.addIndex(index, table, keys, true, primary, false);
        rel.constraints.push({ name: conname, type: primary ? 'primary key' : 'unique', validated: true, columns: keys, index });
        if (primary) for (const col of rel.columns) if (keys.includes(col.name)) col.notNull = true;
        return;
      }
      case 'CONSTR_EXCLUSION': {
        const conname = c.conname ?? `${tname}_excl`;
        const index = qualify(schemaOf(table), conname);
        this.addIndex(index, table, [], false, false, false);
        rel.constraints.push({ name: conname, type: 'exclusion', validated: true, columns: [], index });
        return;
      }
      case 'CONSTR_FOREIGN': {
        const cols = stringList(c.fk_attrs);
        rel.constraints.push({
          name: c.conname ?? `${tname}_${cols.join('_')}_fkey`, type: 'foreign key', validated: !c.skip_validation,
          columns: cols, references: rangeVarName(c.pktable),
        });
        return;
      }
      case 'CONSTR_CHECK': {
        rel.constraints.push({
          name: c.conname ?? `${tname}_check`, type: 'check', validated: !c.skip_validation, columns: [],
          provesNotNull: isNotNullCheck(c.raw_expr),
        });
        return;
      }
      case 'CONSTR_NOTNULL': {
        // PostgreSQL 18: NOT NULL … NOT VALID records the constraint without making the column NOT NULL yet.
        if (c.skip_validation) {
          rel.constraints.push({ name: c.conname ?? `${tname}_${keys.join('_')}_not_null`, type: 'not null', validated: false, columns: keys });
          return;
        }
        for (const k of keys) { const col = rel.columns.find((x) => x.name === k); if (col) col.notNull = true; }
        return;
      }
      default:
        return;
    }
  }

  addIndex(name: string, table: string, keyColumns: string[], unique: boolean, primary: boolean, partial: boolean, extra: Partial<RelationInfo> = {}): void {
    const t = this.mut(table);
    const kind: RelKind = t?.kind === 'partitioned table' ? 'partitioned index' : 'index';
    this.put(this.newRel(name, kind, { table, keyColumns, unique, primary, partial, knownValid: true, ...extra }));
    if (t && !t.indexes.includes(name)) t.indexes.push(name);
  }

  private applyCreateIndex(node: Node): void {
    const table = rangeVarName(node.relation);
    if (!table) return;
    const keyColumns = (node.indexParams ?? []).map((p: Node) => p.IndexElem?.name ?? '(expr)');
    const schema = node.relation.schemaname ?? DEFAULT_SCHEMA;
    const idxName = node.idxname ? qualify(schema, node.idxname) : qualify(schema, `${node.relation.relname}_${keyColumns.filter((k: string) => k !== '(expr)').join('_') || 'expr'}_idx`);
    if (node.if_not_exists && this.has(idxName)) return;
    const concurrent = !!node.concurrent;
    this.addIndex(idxName, table, keyColumns, !!node.unique, !!node.primary, !!node.whereClause, {
      knownValid: !concurrent, builtConcurrently: concurrent,
    });
    if (!node.relation.inh) return; // ON ONLY: partitions are not indexed
    const rel = this.get(table);
    if (rel?.kind === 'partitioned table') {
      for (const part of this.descendants(table)) {
        const p = this.get(part);
        if (!p || p.kind === 'partitioned table') continue;
        this.addIndex(qualify(schemaOf(part), `${relName(part)}_${keyColumns.join('_')}_idx`), part, keyColumns, !!node.unique, false, !!node.whereClause);
      }
    }
  }

  private applyDrop(node: Node): void {
    const type: string = node.removeType;
    for (const obj of node.objects ?? []) {
      const parts = obj.List ? stringList(obj.List.items) : stringList([obj]);
      if (type === 'OBJECT_TRIGGER') {
        const trig = parts[parts.length - 1];
        const t = this.mut(qualifyList(parts.slice(0, -1)));
        if (t) t.triggers = t.triggers.filter((x) => x !== trig);
        continue;
      }
      if (type === 'OBJECT_TYPE' || type === 'OBJECT_DOMAIN') {
        const tn = obj.TypeName ? qualifyList(stringList(obj.TypeName.names)) : qualifyList(parts);
        this.setType(tn, null);
        continue;
      }
      if (['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE'].includes(type)) {
        const name = qualifyList(parts);
        const rel = this.get(name);
        if (!rel) continue;
        for (const p of this.descendants(name)) this.remove(p);
        for (const s of rel.ownedSequences ?? []) this.remove(s);
        // Dropping an index drops the constraint it enforces.
        if (rel.table) {
          const t = this.mut(rel.table);
          if (t) t.constraints = t.constraints.filter((c) => c.index !== name);
        }
        this.remove(name);
      }
    }
  }

  private applyRename(node: Node): void {
    const target = rangeVarName(node.relation);
    switch (node.renameType) {
      case 'OBJECT_TABLE': case 'OBJECT_INDEX': case 'OBJECT_VIEW': case 'OBJECT_MATVIEW': case 'OBJECT_SEQUENCE': case 'OBJECT_FOREIGN_TABLE':
        if (target) this.renameRelation(target, qualify(schemaOf(target), node.newname));
        return;
      case 'OBJECT_COLUMN': {
        const t = target ? this.mut(target) : undefined;
        const col = t?.columns.find((c) => c.name === node.subname);
        if (col) col.name = node.newname;
        return;
      }
      case 'OBJECT_TABCONSTRAINT': {
        const t = target ? this.mut(target) : undefined;
        const con = t?.constraints.find((c) => c.name === node.subname);
        if (con) con.name = node.newname;
        return;
      }
      default:
        return;
    }
  }

  private renameRelation(from: string, to: string): void {
    const rel = this.get(from);
    if (!rel || from === to) return;
    const copy = { ...this.mut(from)!, name: to };
    this.tracker?.writes.add(to);
    this.rels.set(from, null);
    this.rels.set(to, copy);
    if (rel.table) { const t = this.mut(rel.table); if (t) t.indexes = t.indexes.map((i) => (i === from ? to : i)); }
    if (rel.parent) { const p = this.mut(rel.parent); if (p) p.partitions = p.partitions.map((x) => (x === from ? to : x)); }
    for (const idx of rel.indexes) { const i = this.mut(idx); if (i) i.table = to; }
    for (const part of rel.partitions) { const p = this.mut(part); if (p) p.parent = to; }
  }

  private applyAlterTable(node: Node): void {
    const table = rangeVarName(node.relation);
    if (!table) return;
    if (node.objtype === 'OBJECT_INDEX') {
      for (const c of node.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        if (cmd?.subtype === 'AT_AttachPartition') {
          const child = this.mut(rangeVarName(cmd.def?.PartitionCmd?.name) ?? '');
          if (child) child.parent = table;
        }
      }
      return;
    }
    for (const c of node.cmds ?? []) {
      const cmd = c.AlterTableCmd;
      if (!cmd) continue;
      const rel = this.mut(table);
      if (!rel) return;
      switch (cmd.subtype) {
        case 'AT_AddColumn':
          if (cmd.def?.ColumnDef) {
            if (cmd.missing_ok && rel.columns.some((x) => x.name === cmd.def.ColumnDef.colname)) break;
            this.addColumn(rel, cmd.def.ColumnDef, table);
            for (const p of this.descendants(table)) { const pr = this.mut(p); if (pr) this.addColumn(pr, cmd.def.ColumnDef, p); }
          }
          break;
        case 'AT_DropColumn':
          rel.columns = rel.columns.filter((x) => x.name !== cmd.name);
          for (const idx of this.indexesOf(table)) if (idx.keyColumns?.includes(cmd.name)) this.remove(idx.name);
          break;
        case 'AT_AlterColumnType': {
          const col = rel.columns.find((x) => x.name === cmd.name);
          if (col && cmd.def?.ColumnDef?.typeName) {
            const t = typeOf(cmd.def.ColumnDef.typeName);
            col.type = t.name; col.typmods = t.typmods; col.isArray = t.isArray;
          }
          break;
        }
        case 'AT_SetNotNull': { const col = rel.columns.find((x) => x.name === cmd.name); if (col) col.notNull = true; break; }
        case 'AT_DropNotNull': { const col = rel.columns.find((x) => x.name === cmd.name); if (col) col.notNull = false; break; }
        case 'AT_ColumnDefault': { const col = rel.columns.find((x) => x.name === cmd.name); if (col) col.hasDefault = !!cmd.def; break; }
        case 'AT_AddConstraint': {
          const con = cmd.def?.Constraint;
          if (!con) break;
          this.addConstraint(table, con);
          // CHECK and NOT NULL constraints reach every partition (unless ONLY).
          if ((con.contype === 'CONSTR_CHECK' || con.contype === 'CONSTR_NOTNULL') && node.relation.inh) {
            for (const p of this.descendants(table)) this.addConstraint(p, con);
          }
          break;
        }
        case 'AT_ValidateConstraint': {
          const con = rel.constraints.find((x) => x.name === cmd.name);
          if (con) {
            con.validated = true;
            if (con.type === 'not null') for (const k of con.columns) { const col = rel.columns.find((x) => x.name === k); if (col) col.notNull = true; }
          }
          break;
        }
        case 'AT_DropConstraint': {
          const con = rel.constraints.find((x) => x.name === cmd.name);
          rel.constraints = rel.constraints.filter((x) => x.name !== cmd.name);
          if (con?.index) this.remove(con.index);
          break;
        }
        case 'AT_AttachPartition': {
          const child = rangeVarName(cmd.def?.PartitionCmd?.name);
          if (child) {
            const ch = this.mut(child);
            if (ch) { ch.parent = table; ch.isDefaultPartition = isDefaultBound(cmd.def.PartitionCmd.bound); }
            if (!rel.partitions.includes(child)) rel.partitions.push(child);
          }
          break;
        }
        case 'AT_DetachPartition': {
          const child = rangeVarName(cmd.def?.PartitionCmd?.name);
          if (child) {
            rel.partitions = rel.partitions.filter((x) => x !== child);
            const ch = this.mut(child);
            if (ch) { ch.parent = undefined; ch.isDefaultPartition = false; }
          }
          break;
        }
        case 'AT_SetLogged': rel.unlogged = false; break;
        case 'AT_SetUnLogged': rel.unlogged = true; break;
        default: break;
      }
    }
  }
}

export function schemaOf(qualified: string): string {
  const dot = splitQualified(qualified);
  return dot[0];
}
export function relName(qualified: string): string {
  return splitQualified(qualified)[1];
}
function splitQualified(q: string): [string, string] {
  // Names are produced by qualify(): parts are either bare or "quoted" (with "" escapes).
  const parts: string[] = [];
  let i = 0;
  while (i < q.length && parts.length < 2) {
    if (q[i] === '"') {
      let j = i + 1, s = '';
      while (j < q.length) {
        if (q[j] === '"') { if (q[j + 1] === '"') { s += '"'; j += 2; continue; } j++; break; }
        s += q[j++];
      }
      parts.push(s); i = j + 1;
    } else {
      const dot = q.indexOf('.', i);
      parts.push(q.slice(i, dot < 0 ? q.length : dot)); i = dot < 0 ? q.length : dot + 1;
    }
  }
  return parts.length === 2 ? [parts[0], parts[1]] : [DEFAULT_SCHEMA, parts[0] ?? q];
}

/** The normalised type of a TypeName node. */
export function typeOf(typeName: Node | undefined): { name: string; typmods: number[]; isArray: boolean; schema?: string } {
  const names = stringList(typeName?.names);
  const name = names[names.length - 1] ?? 'unknown';
  const schema = names.length > 1 ? names[0] : undefined;
  const typmods = (typeName?.typmods ?? []).map((m: Node) => m.A_Const?.ival?.ival ?? 0);
  return { name: ALIASES[name] ?? name, typmods, isArray: Array.isArray(typeName?.arrayBounds) && typeName!.arrayBounds.length > 0, schema };
}
const ALIASES: Record<string, string> = {
  integer: 'int4', int: 'int4', smallint: 'int2', bigint: 'int8', 'character varying': 'varchar', character: 'bpchar',
  real: 'float4', 'double precision': 'float8', boolean: 'bool', decimal: 'numeric',
  timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz', serial4: 'serial', serial8: 'bigserial', serial2: 'smallserial',
};

/** libpg_query gives a partition bound as a bare PartitionBoundSpec object. */
export function isDefaultBound(bound: Node | undefined): boolean {
  return !!(bound?.is_default ?? bound?.PartitionBoundSpec?.is_default);
}

/** For CHECK (col IS NOT NULL): the column name. */
function isNotNullCheck(expr: Node | undefined): string | undefined {
  const t = expr?.NullTest;
  if (t?.nulltesttype === 'IS_NOT_NULL') {
    const f = stringList(t.arg?.ColumnRef?.fields);
    if (f.length === 1) return f[0];
  }
  return undefined;
}

/** Every table named in a query (for a view's dependencies). */
export function collectRangeVars(node: unknown, out: string[] = [], depth = 0): string[] {
  if (!node || typeof node !== 'object' || depth > 200) return out;
  if (Array.isArray(node)) { for (const n of node) collectRangeVars(n, out, depth + 1); return out; }
  const obj = node as Node;
  if (obj.RangeVar) {
    const n = rangeVarName(obj.RangeVar);
    if (n && !out.includes(n)) out.push(n);
  }
  for (const v of Object.values(obj)) if (v && typeof v === 'object') collectRangeVars(v, out, depth + 1);
  return out;
}
