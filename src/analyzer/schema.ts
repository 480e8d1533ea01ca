// What the analyzer knows of the database before and during a migration: relations, their columns, indexes,
// constraints, partitions and triggers. It is built from a schema dump, the earlier migrations of the folder and the
// earlier statements of the file, by applying each statement in order (`applyStatement`).
//
// A model can be layered over a parent (copy-on-write per relation), so the editor keeps one base model for the
// workspace and each keystroke's analysis works on a cheap overlay.
//
// Names PostgreSQL generates (indexes of partitions, constraint indexes, identity / serial sequences, constraints)
// follow ChooseRelationName() / ChooseIndexName() / ChooseConstraintName(), so that the lock model names the same
// relations pg_locks does.
import type { RelKind } from './types.js';
import type { Node } from './parse.js';
import { qualify, rangeVarName, stringList, qualifyList, DEFAULT_SCHEMA, isTempRangeVar, chooseName, truncateIdentifier, MAX_IDENTIFIER_BYTES } from './names.js';
import { columnRefs, sequenceCalls, figureColname } from './expressions.js';

export interface ColumnInfo {
  name: string;
  /** Normalised type name as PostgreSQL stores it (int4, int8, varchar, text, timestamp, numeric …). */
  type: string;
  /** Schema of the type when it was written qualified (a domain or enum in another schema). */
  typeSchema?: string;
  /** Type modifiers (varchar length, numeric precision/scale). */
  typmods: number[];
  isArray: boolean;
  notNull: boolean;
  hasDefault: boolean;
  /** The sequence the column's default draws from: its identity or serial sequence, or nextval('…') in DEFAULT. */
  sequence?: string;
  /** GENERATED … AS IDENTITY (its sequence is `sequence`). */
  identity?: boolean;
  /** A generated column (GENERATED ALWAYS AS (…)). */
  generated?: boolean;
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
  /** For foreign keys: the referenced columns as written (empty: the referenced table's primary key). */
  refColumns?: string[];
  /** For foreign keys: ON DELETE / ON UPDATE action, as pg_constraint spells it (a no action, r restrict, c cascade, n set null, d set default). */
  onDelete?: string;
  onUpdate?: string;
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
  /** Partitions (or inheritance children) of a partitioned table; for a partitioned index, the partitions' indexes attached to it. */
  partitions: string[];
  /** The partitioned (or inheritance parent) table; for an index of a partition, the partitioned index it is attached to. */
  parent?: string;
  /** True for a DEFAULT partition. */
  isDefaultPartition?: boolean;
  /** For an index: the table it belongs to, its key columns ('(expr)' for expressions), uniqueness and validity. */
  table?: string;
  keyColumns?: string[];
  /** For an index: INCLUDE columns. */
  includeColumns?: string[];
  /** For an index: the columns its expressions and predicate refer to. */
  exprColumns?: string[];
  unique?: boolean;
  primary?: boolean;
  /** For an index: it enforces a constraint (PRIMARY KEY, UNIQUE, EXCLUDE). */
  isConstraint?: boolean;
  partial?: boolean;
  /** False when an index may be invalid (built CONCURRENTLY: validity is only known at run time). */
  knownValid?: boolean;
  builtConcurrently?: boolean;
  /** For a view / materialized view: the relations it reads. */
  dependsOn?: string[];
  /** Sequences owned by a column (serial / identity, OWNED BY). */
  ownedSequences?: string[];
  /** For a sequence: the table whose column owns it. */
  ownedBy?: string;
  /** Tablespace ('' for the database's default, assumed to be pg_default). */
  tablespace?: string;
  /** Table access method (tables and materialized views). */
  accessMethod?: string;
  /** True when created by the migration being analysed (not by the schema dump or an earlier migration). */
  createdInMigration: boolean;
  unlogged?: boolean;
  temporary?: boolean;
}

export interface SchemaTracker { reads: Set<string>; writes: Set<string>; global: boolean }

export interface TypeInfo {
  name: string; kind: 'enum' | 'domain' | 'composite' | 'other'; values?: string[];
  /** A domain with at least one CHECK constraint. */
  hasCheck?: boolean;
  /** A domain's CHECK constraints, by name. */
  checks?: string[];
  /** A domain declared NOT NULL. */
  notNull?: boolean;
  createdInMigration: boolean;
}

/** Whether a domain has constraints (DomainHasConstraints()): values of it are checked when a column of it is filled. */
export function domainHasConstraints(t: TypeInfo | undefined): boolean {
  return t?.kind === 'domain' && (!!t.notNull || (t.checks?.length ?? 0) > 0 || !!t.hasCheck);
}

/** Whether an index depends on a column: as a key, an INCLUDE column, or in an expression or the predicate. */
export function indexUsesColumn(idx: RelationInfo, column: string): boolean {
  return !!(idx.keyColumns?.includes(column) || idx.includeColumns?.includes(column) || idx.exprColumns?.includes(column));
}

/** 'pg_default' is the database's default tablespace (the model assumes databases are created in it). */
function normTablespace(ts: string | undefined | null): string {
  return !ts || ts === 'pg_default' ? '' : ts;
}

export class SchemaModel {
  private rels = new Map<string, RelationInfo | null>();
  private types = new Map<string, TypeInfo | null>();
  /**
   * This layer's foreign keys, kept as a reverse index (referenced table -> this layer's tables referencing it) and
   * brought up to date lazily: relations changed since the last lookup are re-read, the rest is kept.
   */
  private refsIn = new Map<string, Set<string>>();
  private refsOut = new Map<string, string[]>();
  private refsDirty = new Set<string>();
  private refsBuilt = false;
  /** Set while applying the migration under analysis, so new objects are marked as created by it. */
  inMigration = false;
  /** `SET default_tablespace` / `default_table_access_method` in force (pg_dump writes them before CREATE TABLE). */
  private tablespaceSetting = '';
  private accessMethodSetting = 'heap';
  // Read and written through the tracker like relations, so the incremental analysis sees who depends on them.
  get defaultTablespace(): string { this.tracker?.reads.add('@default_tablespace'); return this.tablespaceSetting; }
  set defaultTablespace(v: string) { this.tracker?.writes.add('@default_tablespace'); this.tablespaceSetting = v; }
  get defaultAccessMethod(): string { this.tracker?.reads.add('@default_table_access_method'); return this.accessMethodSetting; }
  set defaultAccessMethod(v: string) { this.tracker?.writes.add('@default_table_access_method'); this.accessMethodSetting = v; }
  /**
   * When set, every relation and type name read or written through this layer is recorded: the editor's incremental
   * analysis (incremental.ts) reuses a statement's results only when nothing it read has changed.
   */
  tracker: SchemaTracker | undefined;

  constructor(private readonly parent?: SchemaModel) {
    if (parent) { this.defaultTablespace = parent.defaultTablespace; this.defaultAccessMethod = parent.defaultAccessMethod; }
  }

  /**
   * A model with this one's own changes over another parent: the incremental analysis reuses a finished layer after
   * an edit above it changed nothing the layer's statements depend on. Shares this layer's maps: neither may change
   * afterwards.
   */
  rebase(parent: SchemaModel): SchemaModel {
    const m = new SchemaModel(parent);
    m.rels = this.rels;
    m.types = this.types;
    // The foreign-key index is derived from `rels` alone: shared too (built once, by whichever model needs it first).
    this.localRefs();
    m.refsIn = this.refsIn;
    m.refsOut = this.refsOut;
    m.refsDirty = this.refsDirty;
    m.refsBuilt = this.refsBuilt;
    m.tablespaceSetting = this.tablespaceSetting;
    m.accessMethodSetting = this.accessMethodSetting;
    m.inMigration = this.inMigration;
    return m;
  }

  /**
   * The same schema as this model, as one layer over `base` (an ancestor of this model): the layers in between are
   * merged, so lookups no longer walk them. The incremental analysis gives whole-file rules this view of the
   * migration's end state.
   */
  flattenedOver(base: SchemaModel): SchemaModel {
    const chain: SchemaModel[] = [];
    for (let m: SchemaModel | undefined = this; m && m !== base; m = m.parent) chain.push(m);
    const flat = new SchemaModel(base);
    for (let i = chain.length - 1; i >= 0; i--) {
      for (const [k, v] of chain[i].rels) flat.rels.set(k, v);
      for (const [k, v] of chain[i].types) flat.types.set(k, v);
    }
    flat.tablespaceSetting = this.tablespaceSetting;
    flat.accessMethodSetting = this.accessMethodSetting;
    flat.inMigration = this.inMigration;
    flat.sealed = true;
    return flat;
  }

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
    return this.parent?.resolve(name);
  }

  /**
   * Marks this layer as finished: neither it nor its parents change any more (the incremental analysis seals the
   * layers it keeps). Lookups that pass through a sealed layer are then remembered in it, so a long chain of layers
   * is walked once per name.
   */
  seal(): void { this.sealed = true; }
  private sealed = false;
  private readonly resolvedRels = new Map<string, RelationInfo | null>();
  private readonly resolvedTypes = new Map<string, TypeInfo | null>();

  /** get() without recording the read (a parent layer answering for its child). */
  private resolve(name: string): RelationInfo | undefined {
    const local = this.rels.get(name);
    if (local !== undefined) return local ?? undefined;
    if (!this.sealed) return this.parent?.resolve(name);
    let hit = this.resolvedRels.get(name);
    if (hit === undefined) this.resolvedRels.set(name, (hit = this.parent?.resolve(name) ?? null));
    return hit ?? undefined;
  }

  private resolveType(name: string): TypeInfo | undefined {
    const local = this.types.get(name);
    if (local !== undefined) return local ?? undefined;
    if (!this.sealed) return this.parent?.resolveType(name);
    let hit = this.resolvedTypes.get(name);
    if (hit === undefined) this.resolvedTypes.set(name, (hit = this.parent?.resolveType(name) ?? null));
    return hit ?? undefined;
  }

  has(name: string): boolean { return this.get(name) !== undefined; }

  /**
   * Folds a child overlay's changes into this model, as objects that already exist (createdInMigration = false):
   * after one migration file is analysed, its result becomes the starting schema of the next.
   */
  absorb(child: SchemaModel): void {
    for (const [k, v] of child.rels) this.rels.set(k, v ? { ...v, createdInMigration: false } : null);
    for (const [k, v] of child.types) this.setType(k, v ? { ...v, createdInMigration: false } : null);
    this.defaultTablespace = child.defaultTablespace;
    this.defaultAccessMethod = child.defaultAccessMethod;
    this.refsBuilt = false; this.refsIn.clear(); this.refsOut.clear(); this.refsDirty.clear();
  }

  private setType(name: string, info: TypeInfo | null): void {
    this.tracker?.writes.add('type ' + name);
    this.types.set(name, info);
  }

  /** Number of relations this layer itself defines (for diagnostics and benchmarks). */
  get localSize(): number { return this.rels.size; }

  /** Records, for the incremental analysis, that the foreign keys of `rel` may change. */
  private touchRefs(rel: RelationInfo | undefined | null): void {
    if (!rel) return;
    if (this.refsBuilt) this.refsDirty.add(rel.name);
    if (!this.tracker) return;
    for (const c of rel.constraints) if (c.type === 'foreign key' && c.references) this.tracker.writes.add('refs ' + c.references);
  }

  /** The relation, writable in this layer. */
  private mut(name: string): RelationInfo | undefined {
    this.tracker?.writes.add(name);
    const local = this.rels.get(name);
    if (local === null) return undefined;
    if (local) { this.touchRefs(local); return local; }
    const inherited = this.parent?.resolve(name);
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
    this.touchRefs(copy);
    return copy;
  }

  private put(info: RelationInfo): void {
    this.tracker?.writes.add(info.name);
    this.touchRefs(info);
    this.rels.set(info.name, info);
  }

  private remove(name: string): void {
    this.tracker?.writes.add(name);
    const rel = this.get(name);
    if (!rel) return;
    this.touchRefs(rel);
    this.rels.set(name, null);
    if (rel.table) { const t = this.mut(rel.table); if (t) t.indexes = t.indexes.filter((i) => i !== name); }
    if (rel.parent) { const p = this.mut(rel.parent); if (p) p.partitions = p.partitions.filter((x) => x !== name); }
    if (rel.kind === 'index' || rel.kind === 'partitioned index') {
      for (const child of rel.partitions) { const c = this.mut(child); if (c) c.parent = undefined; }
    }
    if (rel.ownedBy) { const o = this.mut(rel.ownedBy); if (o) o.ownedSequences = (o.ownedSequences ?? []).filter((s) => s !== name); }
    for (const idx of rel.indexes) {
      const i = this.get(idx);
      if (i?.parent) { const p = this.mut(i.parent); if (p) p.partitions = p.partitions.filter((x) => x !== idx); }
      this.tracker?.writes.add(idx);
      this.rels.set(idx, null);
    }
  }

  relationNames(): string[] {
    if (this.tracker) this.tracker.global = true;
    const names = new Set<string>(this.parent?.relationNames() ?? []);
    for (const [k, v] of this.rels) { if (v) names.add(k); else names.delete(k); }
    return [...names];
  }

  /** This layer's own foreign keys, by referenced table, brought up to date. */
  private localRefs(): Map<string, Set<string>> {
    const index = (name: string, rel: RelationInfo) => {
      const out: string[] = [];
      for (const c of rel.constraints) {
        if (c.type !== 'foreign key' || !c.references || out.includes(c.references)) continue;
        out.push(c.references);
        let set = this.refsIn.get(c.references);
        if (!set) this.refsIn.set(c.references, (set = new Set()));
        set.add(name);
      }
      if (out.length) this.refsOut.set(name, out);
    };
    if (!this.refsBuilt) {
      for (const [k, v] of this.rels) if (v) index(k, v);
      this.refsBuilt = true;
      this.refsDirty.clear();
    } else if (this.refsDirty.size) {
      for (const name of this.refsDirty) {
        for (const ref of this.refsOut.get(name) ?? []) this.refsIn.get(ref)?.delete(name);
        this.refsOut.delete(name);
        const v = this.rels.get(name);
        if (v) index(name, v);
      }
      this.refsDirty.clear();
    }
    return this.refsIn;
  }

  /**
   * The tables with a foreign key to `table` (partitions included: each has its own copy of its parent's foreign
   * keys). A reverse index kept per layer: O(result), not a scan of the schema.
   */
  referencedBy(table: string): string[] {
    this.tracker?.reads.add('refs ' + table);
    const out: string[] = [];
    for (const r of this.parent?.referencedBy(table) ?? []) if (!this.rels.has(r)) out.push(r);
    for (const r of this.localRefs().get(table) ?? []) if (!out.includes(r)) out.push(r);
    return out;
  }

  /** The foreign keys referencing `table`, with the table each belongs to. */
  foreignKeysTo(table: string): { table: string; fk: ConstraintInfo }[] {
    const out: { table: string; fk: ConstraintInfo }[] = [];
    for (const r of this.referencedBy(table)) {
      for (const c of this.get(r)?.constraints ?? []) if (c.type === 'foreign key' && c.references === table) out.push({ table: r, fk: c });
    }
    return out;
  }

  getType(name: string): TypeInfo | undefined {
    this.tracker?.reads.add('type ' + name);
    const local = this.types.get(name);
    if (local !== undefined) return local ?? undefined;
    return this.parent?.resolveType(name);
  }

  /** The type of a column, when it is a type the model knows (an enum, a domain …). */
  columnType(col: ColumnInfo): TypeInfo | undefined {
    return this.getType(qualify(col.typeSchema ?? DEFAULT_SCHEMA, col.type));
  }

  column(table: string, column: string): ColumnInfo | undefined {
    return this.get(table)?.columns.find((c) => c.name === column);
  }

  /** Every partition below a partitioned table (or index attached below a partitioned index), recursively. */
  descendants(name: string): string[] {
    const out: string[] = [];
    const walk = (n: string, depth: number) => {
      if (depth > 32) return;
      for (const p of this.get(n)?.partitions ?? []) { out.push(p); walk(p, depth + 1); }
    };
    walk(name, 0);
    return out;
  }

  /** The indexes of a table. */
  indexesOf(table: string): RelationInfo[] {
    return (this.get(table)?.indexes ?? []).map((i) => this.get(i)).filter((x): x is RelationInfo => !!x);
  }

  /** The default partition of a partitioned table, if it has one. */
  defaultPartition(table: string): RelationInfo | undefined {
    for (const p of this.get(table)?.partitions ?? []) { const r = this.get(p); if (r?.isDefaultPartition) return r; }
    return undefined;
  }

  /** The primary key columns of a table (what a foreign key without a column list references). */
  primaryKeyColumns(table: string): string[] {
    return this.get(table)?.constraints.find((c) => c.type === 'primary key')?.columns ?? [];
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
      case 'AlterObjectSchemaStmt': return this.applySetSchema(node);
      case 'ViewStmt': {
        const name = rangeVarName(node.view);
        if (name && !isTempRangeVar(node.view)) this.put(this.newRel(name, 'view', { dependsOn: collectRangeVars(node.query) }));
        return;
      }
      case 'CreateTableAsStmt': {
        const name = rangeVarName(node.into?.rel);
        if (!name || isTempRangeVar(node.into?.rel)) return;
        const kind2: RelKind = node.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
        this.put(this.newRel(name, kind2, {
          dependsOn: collectRangeVars(node.query),
          tablespace: normTablespace(node.into?.tableSpaceName ?? this.defaultTablespace),
          accessMethod: node.into?.accessMethod ?? this.defaultAccessMethod,
        }));
        return;
      }
      case 'CreateSeqStmt': {
        const name = rangeVarName(node.sequence);
        if (!name || (node.if_not_exists && this.has(name))) return;
        this.put(this.newRel(name, 'sequence'));
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
        const cons: Node[] = (node.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
        // An unnamed domain CHECK is called <domain>_check.
        const checks = cons.filter((c) => c.contype === 'CONSTR_CHECK').map((c) => c.conname ?? `${relName(name)}_check`);
        const notNull = cons.some((c) => c.contype === 'CONSTR_NOTNULL');
        this.setType(name, { name, kind: 'domain', hasCheck: checks.length > 0, checks, notNull, createdInMigration: this.inMigration });
        return;
      }
      case 'AlterDomainStmt': {
        const name = qualifyList(stringList(node.typeName));
        const t = this.getType(name);
        if (!t || t.kind !== 'domain') return;
        const next: TypeInfo = { ...t, checks: [...(t.checks ?? [])] };
        if (node.subtype === 'O') next.notNull = true;
        else if (node.subtype === 'N') next.notNull = false;
        else if (node.subtype === 'C') {
          const con = node.def?.Constraint;
          if (con?.contype === 'CONSTR_NOTNULL') next.notNull = true;
          else if (con?.contype === 'CONSTR_CHECK') next.checks!.push(con.conname ?? `${relName(name)}_check`);
        } else if (node.subtype === 'X') {
          next.checks = next.checks!.filter((c) => c !== node.name);
        } else return;
        next.hasCheck = next.checks!.length > 0;
        this.setType(name, next);
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
      case 'VariableSetStmt': {
        // pg_dump places relations in tablespaces and access methods through these settings.
        const setting = String(node.name ?? '').toLowerCase();
        if (setting !== 'default_tablespace' && setting !== 'default_table_access_method') return;
        const arg = node.args?.[0]?.A_Const;
        const value = node.kind === 'VAR_SET_VALUE' ? String(arg?.sval?.sval ?? '') : '';
        if (setting === 'default_tablespace') this.defaultTablespace = normTablespace(value);
        else this.defaultAccessMethod = value || 'heap';
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
      const s = this.mut(seq);
      if (s?.ownedBy) { const old = this.mut(s.ownedBy); if (old) old.ownedSequences = (old.ownedSequences ?? []).filter((x) => x !== seq); s.ownedBy = undefined; }
      if (parts.length < 2 || parts[0] === 'none') continue;
      const table = qualifyList(parts.slice(0, -1));
      const t = this.mut(table);
      if (!t) continue;
      if (!(t.ownedSequences ?? []).includes(seq)) t.ownedSequences = [...(t.ownedSequences ?? []), seq];
      if (s) s.ownedBy = table;
    }
  }

  private newRel(name: string, kind: RelKind, extra: Partial<RelationInfo> = {}): RelationInfo {
    return {
      name, kind, columns: [], constraints: [], indexes: [], triggers: [], partitions: [],
      createdInMigration: this.inMigration, ...extra,
    };
  }

  /** ChooseRelationName(): a free relation name in `schema`. */
  private chooseRelName(schema: string, name1: string, name2: string | undefined, label: string): string {
    return qualify(schema, chooseName(name1, name2, label, (n) => this.has(qualify(schema, n))));
  }

  /**
   * ChooseIndexName(): <table>_pkey for a primary key, <table>_<columns>_key / _excl for a UNIQUE / EXCLUDE
   * constraint, <table>_<columns>_idx otherwise; expressions count as "expr" (expr1, expr2 … when repeated).
   */
  chooseIndexName(table: string, columns: string[], kind: 'primary' | 'unique' | 'exclusion' | 'index'): string {
    const schema = schemaOf(table);
    if (kind === 'primary') return this.chooseRelName(schema, relName(table), undefined, 'pkey');
    const label = kind === 'unique' ? 'key' : kind === 'exclusion' ? 'excl' : 'idx';
    return this.chooseRelName(schema, relName(table), indexNameAddition(columns), label);
  }

  private applyCreateTable(node: Node): void {
    const name = rangeVarName(node.relation);
    if (!name) return;
    if (node.if_not_exists && this.has(name)) return;
    const partitioned = !!node.partspec;
    const rel = this.newRel(name, partitioned ? 'partitioned table' : 'table', {
      unlogged: node.relation?.relpersistence === 'u',
      temporary: isTempRangeVar(node.relation),
      tablespace: normTablespace(node.tablespacename ?? this.defaultTablespace),
      ...(partitioned ? {} : { accessMethod: node.accessMethod ?? this.defaultAccessMethod }),
      // A temporary table only ever exists in the session that runs the migration.
      ...(isTempRangeVar(node.relation) ? { createdInMigration: true } : {}),
    });
    this.put(rel);
    const parentName = node.inhRelations?.length ? rangeVarName(node.inhRelations[0].RangeVar) : undefined;
    let parent: RelationInfo | undefined;
    if (parentName) {
      rel.parent = parentName;
      rel.isDefaultPartition = isDefaultBound(node.partbound);
      parent = this.mut(parentName);
      if (parent) {
        parent.partitions.push(name);
        rel.columns = parent.columns.map((c) => ({ ...c }));
        rel.constraints.push(...parent.constraints.filter((c) => c.type === 'check' || c.type === 'not null' || (node.partbound && c.type === 'foreign key')).map((c) => ({ ...c })));
      }
    }
    for (const elt of node.tableElts ?? []) {
      if (elt.ColumnDef) this.addColumn(rel, elt.ColumnDef, name);
      else if (elt.Constraint) this.addConstraint(name, elt.Constraint);
      else if (elt.TableLikeClause) this.applyLike(rel, elt.TableLikeClause);
    }
    // A partition gets an index for each partitioned index of its parent (DefineRelation() → DefineIndex()).
    if (parentName && node.partbound && parent) this.cloneParentIndexes(parentName, name);
  }

  /** CREATE TABLE … (LIKE src INCLUDING …): columns, and with INCLUDING INDEXES the indexes. */
  private applyLike(rel: RelationInfo, like: Node): void {
    const src = this.get(rangeVarName(like.relation) ?? '');
    if (!src) return;
    const opts = Number(like.options ?? 0);
    const defaults = (opts & (1 << 3)) !== 0;
    const identity = (opts & (1 << 5)) !== 0;
    for (const c of src.columns) {
      const col: ColumnInfo = { ...c, hasDefault: (defaults && c.hasDefault && !c.identity) || (identity && !!c.identity), sequence: undefined, identity: identity && c.identity };
      if (col.identity) col.sequence = this.createOwnedSequence(rel, col.name);
      rel.columns = rel.columns.filter((x) => x.name !== col.name);
      rel.columns.push(col);
    }
    if ((opts & (1 << 6)) !== 0) {
      for (const idx of this.indexesOf(src.name)) {
        const kind = idx.primary ? 'primary' : idx.isConstraint && idx.unique ? 'unique' : 'index';
        const name = this.chooseIndexName(rel.name, [...(idx.keyColumns ?? []), ...(idx.includeColumns ?? [])], kind);
        this.addIndex(name, rel.name, idx.keyColumns ?? [], !!idx.unique, !!idx.primary, !!idx.partial, {
          includeColumns: idx.includeColumns, exprColumns: idx.exprColumns, isConstraint: idx.isConstraint,
        });
        if (idx.isConstraint && (idx.primary || idx.unique)) {
          rel.constraints.push({ name: relName(name), type: idx.primary ? 'primary key' : 'unique', validated: true, columns: idx.keyColumns ?? [], index: name });
        }
      }
    }
  }

  /**
   * Gives `partition` an index for every partitioned index of `parent`: an equivalent index it already has is
   * attached, otherwise one is created under the name ChooseIndexName() picks.
   */
  private cloneParentIndexes(parent: string, partition: string): void {
    const part = this.get(partition);
    if (!part) return;
    for (const pidx of this.indexesOf(parent)) {
      if (pidx.kind !== 'partitioned index') continue;
      this.indexPartition(pidx, partition);
    }
  }

  /** Attaches or creates the index of `partition` that corresponds to the partitioned index `pidx`. */
  private indexPartition(pidx: RelationInfo, partition: string): void {
    const part = this.get(partition);
    if (!part) return;
    const match = this.indexesOf(partition).find((ci) => !ci.parent && indexesEquivalent(ci, pidx));
    let child: string;
    if (match) {
      child = match.name;
      const m = this.mut(child);
      if (m) m.parent = pidx.name;
    } else {
      const kind = pidx.primary ? 'primary' : pidx.isConstraint && pidx.unique ? 'unique' : pidx.isConstraint ? 'exclusion' : 'index';
      child = this.chooseIndexName(partition, [...(pidx.keyColumns ?? []), ...(pidx.includeColumns ?? [])], kind);
      this.addIndex(child, partition, pidx.keyColumns ?? [], !!pidx.unique, !!pidx.primary, !!pidx.partial, {
        includeColumns: pidx.includeColumns, exprColumns: pidx.exprColumns, isConstraint: pidx.isConstraint, parent: pidx.name,
      });
      if (pidx.isConstraint) {
        const p = this.mut(partition);
        p?.constraints.push({ name: relName(child), type: pidx.primary ? 'primary key' : pidx.unique ? 'unique' : 'exclusion', validated: true, columns: pidx.keyColumns ?? [], index: child });
      }
    }
    const pi = this.mut(pidx.name);
    if (pi && !pi.partitions.includes(child)) pi.partitions.push(child);
    // A sub-partitioned partition passes the index on to its own partitions.
    const c = this.get(child);
    if (c?.kind === 'partitioned index') for (const sub of this.get(partition)?.partitions ?? []) this.indexPartition(c, sub);
  }

  /** Creates the identity / serial sequence of a column, named as ChooseRelationName(table, column, "seq") does. */
  private createOwnedSequence(rel: RelationInfo, column: string): string {
    const seq = this.chooseRelName(schemaOf(rel.name), relName(rel.name), column, 'seq');
    this.put(this.newRel(seq, 'sequence', { ownedBy: rel.name }));
    rel.ownedSequences = [...(rel.ownedSequences ?? []), seq];
    return seq;
  }

  /** Adds a column; `inherited` when it reaches a partition or child from its parent (which owns any sequence). */
  private addColumn(rel: RelationInfo, def: Node, table: string, inherited?: ColumnInfo): void {
    if (inherited) {
      rel.columns = rel.columns.filter((c) => c.name !== inherited.name);
      rel.columns.push({ ...inherited });
      return;
    }
    const t = typeOf(def.typeName);
    const constraints: Node[] = (def.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
    const dflt = constraints.find((c) => c.contype === 'CONSTR_DEFAULT');
    const col: ColumnInfo = {
      name: def.colname,
      type: t.name, typmods: t.typmods, isArray: t.isArray,
      ...(t.schema && t.schema !== 'pg_catalog' ? { typeSchema: t.schema } : {}),
      notNull: !!def.is_not_null || constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_IDENTITY'),
      hasDefault: !!dflt || constraints.some((c) => c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED') || /serial$/.test(t.name),
    };
    if (dflt) { const seqs = sequenceCalls(dflt.raw_expr); if (seqs.length) col.sequence = seqs[0]; }
    if (constraints.some((c) => c.contype === 'CONSTR_GENERATED')) col.generated = true;
    rel.columns = rel.columns.filter((c) => c.name !== col.name);
    rel.columns.push(col);
    if (constraints.some((c) => c.contype === 'CONSTR_IDENTITY')) {
      col.identity = true;
      col.sequence = this.createOwnedSequence(rel, col.name);
    }
    if (/^(small|big)?serial[248]?$/.test(t.name)) {
      col.type = t.name === 'bigserial' || t.name === 'serial8' ? 'int8' : t.name === 'smallserial' || t.name === 'serial2' ? 'int2' : 'int4';
      col.notNull = true;
      col.sequence = this.createOwnedSequence(rel, col.name);
    }
    for (const c of constraints) {
      if (['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_FOREIGN', 'CONSTR_CHECK', 'CONSTR_EXCLUSION'].includes(c.contype)) {
        this.addConstraint(table, { ...c, keys: c.keys ?? [{ String: { sval: col.name } }], fk_attrs: c.fk_attrs ?? [{ String: { sval: col.name } }] });
      }
    }
  }

  /** ChooseConstraintName(): <table>_<name2>_<label>, numbered when the table already has a constraint of that name. */
  private chooseConstraintName(rel: RelationInfo, name2: string | undefined, label: string): string {
    return chooseName(relName(rel.name), name2, label, (n) => rel.constraints.some((c) => c.name === n));
  }

  private addConstraint(table: string, c: Node): void {
    const rel = this.mut(table);
    if (!rel) return;
    const keys = stringList(c.keys);
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
          if (cur) { cur.unique = true; cur.primary = primary; cur.isConstraint = true; }
          const cols = this.get(index)?.keyColumns ?? keys;
          rel.constraints.push({ name: c.conname ?? c.indexname, type: primary ? 'primary key' : 'unique', validated: true, columns: cols, index });
          if (primary) for (const col of rel.columns) if (cols.includes(col.name)) col.notNull = true;
          return;
        }
        const including = stringList(c.including);
        index = c.conname ? qualify(schemaOf(table), c.conname) : this.chooseIndexName(table, [...keys, ...including], primary ? 'primary' : 'unique');
        this.addIndex(index, table, keys, true, primary, false, { isConstraint: true, includeColumns: including.length ? including : undefined, tablespace: normTablespace(c.indexspace ?? this.defaultTablespace) });
        rel.constraints.push({ name: relName(index), type: primary ? 'primary key' : 'unique', validated: true, columns: keys, index });
        if (primary) for (const col of rel.columns) if (keys.includes(col.name)) col.notNull = true;
        this.indexPartitionsOf(table, index);
        return;
      }
      case 'CONSTR_EXCLUSION': {
        const cols = (c.exclusions ?? []).map((e: Node) => e.List?.items?.[0]?.IndexElem?.name ?? '(expr)');
        const index = c.conname ? qualify(schemaOf(table), c.conname) : this.chooseIndexName(table, cols, 'exclusion');
        this.addIndex(index, table, cols, false, false, !!c.where_clause, { isConstraint: true, exprColumns: columnRefs([c.exclusions, c.where_clause]) });
        rel.constraints.push({ name: relName(index), type: 'exclusion', validated: true, columns: cols, index });
        return;
      }
      case 'CONSTR_FOREIGN': {
        const cols = stringList(c.fk_attrs);
        const references = rangeVarName(c.pktable);
        const fk: ConstraintInfo = {
          name: c.conname ?? this.chooseConstraintName(rel, cols.join('_'), 'fkey'), type: 'foreign key', validated: !c.skip_validation,
          columns: cols, references, refColumns: stringList(c.pk_attrs), onDelete: c.fk_del_action ?? 'a', onUpdate: c.fk_upd_action ?? 'a',
        };
        rel.constraints.push(fk);
        if (references) this.tracker?.writes.add('refs ' + references);
        // Each partition gets its own copy of a partitioned table's foreign key.
        if (rel.kind === 'partitioned table') {
          for (const p of this.descendants(table)) { const pr = this.mut(p); if (pr && !pr.constraints.some((x) => x.name === fk.name)) pr.constraints.push({ ...fk }); }
        }
        return;
      }
      case 'CONSTR_CHECK': {
        // AddRelationNewConstraints(): <table>_<column>_check when the expression uses one column, else <table>_check.
        const refs = columnRefs(c.raw_expr);
        rel.constraints.push({
          name: c.conname ?? this.chooseConstraintName(rel, refs.length === 1 ? refs[0] : undefined, 'check'), type: 'check', validated: !c.skip_validation, columns: refs,
          provesNotNull: isNotNullCheck(c.raw_expr),
        });
        return;
      }
      case 'CONSTR_NOTNULL': {
        // PostgreSQL 18: NOT NULL … NOT VALID records the constraint without making the column NOT NULL yet.
        if (c.skip_validation) {
          rel.constraints.push({ name: c.conname ?? this.chooseConstraintName(rel, keys.join('_'), 'not_null'), type: 'not null', validated: false, columns: keys });
          return;
        }
        for (const k of keys) { const col = rel.columns.find((x) => x.name === k); if (col) col.notNull = true; }
        return;
      }
      default:
        return;
    }
  }

  /** After a constraint index was added to a partitioned table: its partitions get theirs. */
  private indexPartitionsOf(table: string, index: string): void {
    const idx = this.get(index);
    if (idx?.kind !== 'partitioned index') return;
    for (const p of this.get(table)?.partitions ?? []) this.indexPartition(idx, p);
  }

  addIndex(name: string, table: string, keyColumns: string[], unique: boolean, primary: boolean, partial: boolean, extra: Partial<RelationInfo> = {}): void {
    const t = this.mut(table);
    const kind: RelKind = t?.kind === 'partitioned table' ? 'partitioned index' : 'index';
    this.put(this.newRel(name, kind, { table, keyColumns, unique, primary, partial, knownValid: true, tablespace: this.defaultTablespace, ...extra }));
    if (t && !t.indexes.includes(name)) t.indexes.push(name);
  }

  private applyCreateIndex(node: Node): void {
    const table = rangeVarName(node.relation);
    if (!table) return;
    const params: Node[] = (node.indexParams ?? []).map((p: Node) => p.IndexElem).filter(Boolean);
    const keyColumns = params.map((p) => p.name ?? '(expr)');
    const including = (node.indexIncludingParams ?? []).map((p: Node) => p.IndexElem?.name).filter(Boolean) as string[];
    const schema = node.relation.schemaname ?? DEFAULT_SCHEMA;
    // An expression is named the way a select-list entry would be (lower(x) → "lower"), else "expr".
    const nameColumns = params.map((p) => p.name ?? p.indexcolname ?? figureColname(p.expr) ?? 'expr');
    const idxName = node.idxname
      ? qualify(schema, node.idxname)
      : this.chooseIndexName(table, [...nameColumns, ...including], node.primary ? 'primary' : node.isconstraint ? (node.unique ? 'unique' : 'exclusion') : 'index');
    if (node.if_not_exists && this.has(idxName)) return;
    const concurrent = !!node.concurrent;
    const exprColumns = columnRefs([params.filter((p) => p.expr).map((p) => p.expr), node.whereClause]);
    this.addIndex(idxName, table, keyColumns, !!node.unique, !!node.primary, !!node.whereClause, {
      knownValid: !concurrent, builtConcurrently: concurrent, includeColumns: including.length ? including : undefined,
      exprColumns: exprColumns.length ? exprColumns : undefined, tablespace: normTablespace(node.tableSpace ?? this.defaultTablespace),
    });
    if (!node.relation.inh) return; // ON ONLY: partitions are not indexed
    const created = this.get(idxName);
    if (created?.kind === 'partitioned index') for (const p of this.get(table)?.partitions ?? []) this.indexPartition(created, p);
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
        // DROP … CASCADE drops the foreign keys that reference a dropped table, and the views that read it.
        if (node.behavior === 'DROP_CASCADE' && rel.kind !== 'index' && rel.kind !== 'partitioned index') {
          const victims = new Set([name, ...this.descendants(name)]);
          const views = this.relationNames().map((r) => this.get(r)).filter((r): r is RelationInfo => r?.kind === 'view' || r?.kind === 'materialized view');
          const dependents: string[] = [];
          for (const v of views) if (v.dependsOn?.some((d) => victims.has(d) || dependents.includes(d))) dependents.push(v.name);
          for (let changed = true; changed;) {
            changed = false;
            for (const v of views) if (!dependents.includes(v.name) && v.dependsOn?.some((d) => dependents.includes(d))) { dependents.push(v.name); changed = true; }
          }
          for (const d of dependents) this.remove(d);
          for (const v of victims) {
            for (const r of this.referencedBy(v)) {
              if (victims.has(r)) continue;
              const t = this.mut(r);
              if (t) t.constraints = t.constraints.filter((c) => !(c.type === 'foreign key' && c.references === v));
            }
          }
        }
        for (const p of this.descendants(name)) {
          const pr = this.get(p);
          for (const s of pr?.ownedSequences ?? []) this.remove(s);
          this.remove(p);
        }
        for (const s of rel.ownedSequences ?? []) this.remove(s);
        // Dropping an index drops the constraint it enforces.
        if (rel.table) {
          const t = this.mut(rel.table);
          if (t) t.constraints = t.constraints.filter((c) => c.index !== name);
          for (const child of this.descendants(name)) {
            const ci = this.get(child);
            if (ci?.table) { const ct = this.mut(ci.table); if (ct) ct.constraints = ct.constraints.filter((c) => c.index !== child); }
            this.remove(child);
          }
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
        if (!target || !node.subname) return;
        for (const t of [target, ...(node.relation?.inh ? this.descendants(target) : [])]) this.renameColumn(t, node.subname, node.newname);
        return;
      }
      case 'OBJECT_TABCONSTRAINT': {
        const t = target ? this.mut(target) : undefined;
        const con = t?.constraints.find((c) => c.name === node.subname);
        if (con) con.name = node.newname;
        // Renaming a constraint renames its index.
        if (con?.index) { const to = qualify(schemaOf(con.index), node.newname); this.renameRelation(con.index, to); }
        return;
      }
      default:
        return;
    }
  }

  private renameColumn(table: string, from: string, to: string): void {
    const t = this.mut(table);
    const col = t?.columns.find((c) => c.name === from);
    if (!t || !col) return;
    col.name = to;
    const swap = (list: string[] | undefined) => list?.map((x) => (x === from ? to : x));
    for (const c of t.constraints) { c.columns = swap(c.columns) ?? []; if (c.provesNotNull === from) c.provesNotNull = to; }
    for (const idx of t.indexes) {
      const cur = this.get(idx);
      if (!cur || !indexUsesColumn(cur, from)) continue;
      const i = this.mut(idx);
      if (i) { i.keyColumns = swap(i.keyColumns); i.includeColumns = swap(i.includeColumns); i.exprColumns = swap(i.exprColumns); }
    }
    // Foreign keys that name the column as a referenced column (it is then part of a unique key).
    if (!t.constraints.some((c) => (c.type === 'unique' || c.type === 'primary key') && c.columns.includes(to))) return;
    for (const { table: r, fk } of this.foreignKeysTo(table)) {
      if (!fk.refColumns?.includes(from)) continue;
      const rt = this.mut(r);
      const c = rt?.constraints.find((x) => x.name === fk.name && x.references === table);
      if (c) c.refColumns = swap(c.refColumns);
    }
  }

  /** ALTER TABLE / SEQUENCE / VIEW … SET SCHEMA: the relation moves with its indexes and owned sequences. */
  private applySetSchema(node: Node): void {
    if (!['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE'].includes(node.objectType)) return;
    const from = rangeVarName(node.relation);
    const rel = from ? this.get(from) : undefined;
    if (!from || !rel || !node.newschema) return;
    const to = qualify(node.newschema, relName(from));
    const moved = [...rel.indexes, ...(rel.ownedSequences ?? [])];
    this.renameRelation(from, to);
    for (const m of moved) this.renameRelation(m, qualify(node.newschema, relName(m)));
  }

  private renameRelation(from: string, to: string): void {
    const rel = this.get(from);
    if (!rel || from === to) return;
    const referencing = rel.kind === 'table' || rel.kind === 'partitioned table' ? this.referencedBy(from) : [];
    const copy = { ...this.mut(from)!, name: to };
    this.tracker?.writes.add(to);
    this.rels.set(from, null);
    this.rels.set(to, copy);
    this.touchRefs(copy);
    if (rel.table) {
      const t = this.mut(rel.table);
      if (t) {
        t.indexes = t.indexes.map((i) => (i === from ? to : i));
        // An index-backed constraint is always named after its index (renaming one renames the other).
        for (const c of t.constraints) if (c.index === from) { c.index = to; c.name = relName(to); }
      }
    }
    if (rel.parent) { const p = this.mut(rel.parent); if (p) p.partitions = p.partitions.map((x) => (x === from ? to : x)); }
    for (const idx of rel.indexes) { const i = this.mut(idx); if (i) i.table = to; }
    for (const part of rel.partitions) { const p = this.mut(part); if (p) p.parent = to; }
    for (const s of rel.ownedSequences ?? []) { const sq = this.mut(s); if (sq) sq.ownedBy = to; }
    if (rel.ownedBy) {
      const o = this.mut(rel.ownedBy);
      if (o) {
        o.ownedSequences = (o.ownedSequences ?? []).map((s) => (s === from ? to : s));
        for (const c of o.columns) if (c.sequence === from) c.sequence = to;
      }
    }
    for (const c of copy.constraints) if (c.type === 'foreign key' && c.references === from) c.references = to;
    for (const r of referencing) {
      if (r === from) continue;
      const t = this.mut(r);
      if (t) for (const c of t.constraints) if (c.type === 'foreign key' && c.references === from) c.references = to;
    }
  }

  private applyAlterTable(node: Node): void {
    const table = rangeVarName(node.relation);
    if (!table) return;
    if (node.objtype === 'OBJECT_INDEX') {
      for (const c of node.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        if (cmd?.subtype === 'AT_AttachPartition') {
          const childName = rangeVarName(cmd.def?.PartitionCmd?.name) ?? '';
          const child = this.mut(childName);
          const parent = this.mut(table);
          if (child) child.parent = table;
          if (child && parent && !parent.partitions.includes(childName)) parent.partitions.push(childName);
        } else if (cmd?.subtype === 'AT_SetTableSpace') {
          const idx = this.mut(table);
          if (idx) idx.tablespace = normTablespace(cmd.name);
        }
      }
      return;
    }
    const recurse = !!node.relation.inh;
    for (const c of node.cmds ?? []) {
      const cmd = c.AlterTableCmd;
      if (!cmd) continue;
      const rel = this.mut(table);
      if (!rel) return;
      const all = recurse ? [table, ...this.descendants(table)] : [table];
      switch (cmd.subtype) {
        case 'AT_AddColumn':
          if (cmd.def?.ColumnDef) {
            if (cmd.missing_ok && rel.columns.some((x) => x.name === cmd.def.ColumnDef.colname)) break;
            this.addColumn(rel, cmd.def.ColumnDef, table);
            const added = rel.columns.find((x) => x.name === cmd.def.ColumnDef.colname);
            for (const p of this.descendants(table)) { const pr = this.mut(p); if (pr && added) this.addColumn(pr, cmd.def.ColumnDef, p, added); }
          }
          break;
        case 'AT_DropColumn':
          for (const t of [table, ...this.descendants(table)]) this.dropColumn(t, cmd.name, cmd.behavior === 'DROP_CASCADE');
          break;
        case 'AT_AlterColumnType': {
          if (!cmd.def?.ColumnDef?.typeName) break;
          const ty = typeOf(cmd.def.ColumnDef.typeName);
          for (const t of [table, ...this.descendants(table)]) {
            const col = this.mut(t)?.columns.find((x) => x.name === cmd.name);
            if (col) { col.type = ty.name; col.typmods = ty.typmods; col.isArray = ty.isArray; col.typeSchema = ty.schema && ty.schema !== 'pg_catalog' ? ty.schema : undefined; }
          }
          break;
        }
        case 'AT_SetNotNull': for (const t of all) { const col = this.mut(t)?.columns.find((x) => x.name === cmd.name); if (col) col.notNull = true; } break;
        case 'AT_DropNotNull': for (const t of all) { const col = this.mut(t)?.columns.find((x) => x.name === cmd.name); if (col) col.notNull = false; } break;
        case 'AT_ColumnDefault': {
          for (const t of all) {
            const col = this.mut(t)?.columns.find((x) => x.name === cmd.name);
            if (!col) continue;
            col.hasDefault = !!cmd.def || !!col.identity;
            if (!col.identity) col.sequence = cmd.def ? sequenceCalls(cmd.def)[0] : undefined;
          }
          break;
        }
        case 'AT_AddIdentity': {
          const col = rel.columns.find((x) => x.name === cmd.name);
          if (col && !col.identity) { col.identity = true; col.hasDefault = true; col.notNull = true; col.sequence = this.createOwnedSequence(rel, col.name); }
          break;
        }
        case 'AT_DropIdentity': {
          const col = rel.columns.find((x) => x.name === cmd.name);
          if (col?.identity) {
            const seq = col.sequence;
            col.identity = false; col.hasDefault = false; col.sequence = undefined;
            if (seq) this.remove(seq);
          }
          break;
        }
        case 'AT_AddConstraint': {
          const con = cmd.def?.Constraint;
          if (!con) break;
          this.addConstraint(table, con);
          // CHECK and NOT NULL constraints reach every partition (unless ONLY).
          // (A partition's copy has the parent constraint's name.)
          if ((con.contype === 'CONSTR_CHECK' || con.contype === 'CONSTR_NOTNULL') && recurse) {
            const cons = this.get(table)?.constraints ?? [];
            const added = con.contype === 'CONSTR_CHECK' ? cons[cons.length - 1] : undefined;
            for (const p of this.descendants(table)) this.addConstraint(p, added ? { ...con, conname: added.name } : con);
          }
          break;
        }
        case 'AT_ValidateConstraint': {
          for (const t of all) {
            const con = this.mut(t)?.constraints.find((x) => x.name === cmd.name);
            if (!con) continue;
            con.validated = true;
            if (con.type === 'not null') for (const k of con.columns) { const col = this.get(t)?.columns.find((x) => x.name === k); if (col) col.notNull = true; }
          }
          break;
        }
        case 'AT_DropConstraint': {
          const con = rel.constraints.find((x) => x.name === cmd.name);
          for (const t of [table, ...this.descendants(table)]) {
            const r = this.mut(t);
            if (r) r.constraints = r.constraints.filter((x) => x.name !== cmd.name);
          }
          if (con?.index) {
            // Foreign keys of other tables that depend on a dropped unique / primary key go with it (CASCADE).
            if (cmd.behavior === 'DROP_CASCADE') this.dropReferencingKeys(table, (fk) => keyMatches(fk, con, this.primaryKeyColumns(table)));
            for (const child of this.descendants(con.index)) this.remove(child);
            this.remove(con.index);
          }
          break;
        }
        case 'AT_AttachPartition': {
          const child = rangeVarName(cmd.def?.PartitionCmd?.name);
          if (child) {
            const ch = this.mut(child);
            if (ch) {
              ch.parent = table; ch.isDefaultPartition = isDefaultBound(cmd.def.PartitionCmd.bound);
              for (const fk of rel.constraints) if (fk.type === 'foreign key' && !ch.constraints.some((x) => x.name === fk.name)) ch.constraints.push({ ...fk });
            }
            if (!rel.partitions.includes(child)) rel.partitions.push(child);
            this.cloneParentIndexes(table, child);
          }
          break;
        }
        case 'AT_DetachPartition': {
          const child = rangeVarName(cmd.def?.PartitionCmd?.name);
          if (child) {
            rel.partitions = rel.partitions.filter((x) => x !== child);
            const ch = this.mut(child);
            if (ch) { ch.parent = undefined; ch.isDefaultPartition = false; }
            for (const idx of this.indexesOf(child)) {
              if (!idx.parent) continue;
              const p = this.mut(idx.parent);
              if (p) p.partitions = p.partitions.filter((x) => x !== idx.name);
              const i = this.mut(idx.name);
              if (i) i.parent = undefined;
            }
          }
          break;
        }
        case 'AT_SetTableSpace': rel.tablespace = normTablespace(cmd.name); break;
        case 'AT_SetAccessMethod': rel.accessMethod = cmd.name ?? this.defaultAccessMethod; break;
        case 'AT_SetLogged': rel.unlogged = false; break;
        case 'AT_SetUnLogged': rel.unlogged = true; break;
        default: break;
      }
    }
  }

  /** DROP COLUMN on one table: indexes and constraints that use the column go with it. */
  private dropColumn(table: string, column: string, cascade: boolean): void {
    const rel = this.mut(table);
    if (!rel) return;
    const pk = this.primaryKeyColumns(table);
    const seq = rel.columns.find((x) => x.name === column)?.sequence;
    if (seq && this.get(seq)?.ownedBy === table) this.remove(seq);
    rel.columns = rel.columns.filter((x) => x.name !== column);
    for (const idx of this.indexesOf(table)) if (indexUsesColumn(idx, column)) this.remove(idx.name);
    rel.constraints = rel.constraints.filter((c) => !c.columns.includes(column));
    if (cascade) this.dropReferencingKeys(table, (fk) => (fk.refColumns?.length ? fk.refColumns : pk).includes(column));
  }

  /** Drops the foreign keys of other tables that reference `table` and satisfy `which`. */
  private dropReferencingKeys(table: string, which: (fk: ConstraintInfo) => boolean): void {
    for (const { table: r, fk } of this.foreignKeysTo(table)) {
      if (r === table || !which(fk)) continue;
      const t = this.mut(r);
      if (t) t.constraints = t.constraints.filter((c) => c.name !== fk.name);
    }
  }
}

/** Whether a foreign key depends on a unique / primary key constraint (it references exactly its columns). */
export function keyMatches(fk: ConstraintInfo, key: ConstraintInfo, primaryKey: string[]): boolean {
  const cols = fk.refColumns?.length ? fk.refColumns : primaryKey;
  return cols.length === key.columns.length && cols.every((c) => key.columns.includes(c));
}

/**
 * Whether a partition's existing index can be attached to a partitioned index instead of building one
 * (CompareIndexInfo()): the same key columns and uniqueness. Indexes with expressions or a predicate are never
 * taken as equivalent, since the model does not keep their expressions.
 */
export function indexesEquivalent(a: RelationInfo, b: RelationInfo): boolean {
  if (a.partial || b.partial || a.keyColumns?.includes('(expr)') || b.keyColumns?.includes('(expr)')) return false;
  return sameList(a.keyColumns, b.keyColumns) && sameList(a.includeColumns ?? [], b.includeColumns ?? []) && !!a.unique === !!b.unique;
}

function sameList(a?: string[], b?: string[]): boolean {
  return !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * ChooseIndexColumnNames() + ChooseIndexNameAddition(): column names ("expr" for an expression, numbered when
 * repeated) joined with "_", cut at 63 bytes.
 */
export function indexNameAddition(columns: string[]): string {
  const names: string[] = [];
  for (const c of columns) {
    const orig = c === '(expr)' ? 'expr' : c;
    let cur = orig;
    for (let i = 1; names.includes(cur); i++) cur = truncateIdentifier(orig.slice(0, MAX_IDENTIFIER_BYTES - String(i).length)) + i;
    names.push(cur);
  }
  let out = '';
  for (const n of names) {
    if (out) out += '_';
    out += n;
    if (Buffer.byteLength(out, 'utf8') >= MAX_IDENTIFIER_BYTES + 1) break;
  }
  return truncateIdentifier(out);
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
