// The heavy half of the extension: the parser, the analyzer and the project model (config, schema dump, earlier
// migrations). main.ts loads this module with a dynamic import the first time a SQL document needs linting, so
// activation evaluates none of it: no parser, no rule modules, no file reads.
//
// This file does not import `vscode`: it is the same core the CLI runs, with caches suited to an editor.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep, basename } from 'node:path';
import { loadParser } from '../analyzer/parse.js';
import { analyze, applySqlToSchema, DEFAULT_PG_VERSION, type AnalysisResult, type AnalyzeOptions } from '../analyzer/analyze.js';
import { SchemaModel } from '../analyzer/schema.js';
import { DocumentAnalyzer, type AnalysisSteps, type TextChange } from '../analyzer/incremental.js';
import { loadConfig, CONFIG_FILE, type LoadedConfig } from '../config/config.js';
import { analyzeOptionsFrom, lintFiles, loadSchemaDump, type FileLint } from '../project/lint.js';
import { earlierMigrations, globToRegExp, isDownMigration } from '../project/files.js';
import { allRules } from '../analyzer/registry.js';

export { DEFAULT_PG_VERSION, allRules, CONFIG_FILE };
export type { AnalysisResult, AnalysisSteps };

/** Resolves once the WASM parser is ready; later calls return the same promise. */
export function ready(): Promise<void> {
  return loadParser();
}

export type ConfigResult = { ok: true; loaded: LoadedConfig } | { ok: false; error: string };

interface Base { model: SchemaModel; inputs: Set<string> }

/**
 * Everything about files on disk that analysis needs, cached until the file system says otherwise: per-folder config,
 * the schema dump, and per-migration schema bases (dump + earlier migrations of the folder in the runner's order).
 * A keystroke re-runs only `analyze()` on the buffer, over a cached base; it never reads the folder.
 */
export class Project {
  private readonly configs = new Map<string, ConfigResult>();
  private readonly dumps = new Map<string, SchemaModel | string>();
  private readonly bases = new Map<string, Base>();
  private readonly documents = new Map<string, { analyzer: DocumentAnalyzer; base: SchemaModel; optionsKey: string }>();
  /** Files whose change must drop cached state: config files and dumps in use. */
  readonly watchedInputs = new Set<string>();
  /** How often each cache missed: a keystroke must not add to these. */
  readonly stats = { configLoads: 0, dumpLoads: 0, baseBuilds: 0 };

  configFor(dir: string): ConfigResult {
    const key = resolve(dir);
    let hit = this.configs.get(key);
    if (!hit) {
      this.stats.configLoads++;
      try { hit = { ok: true, loaded: loadConfig(key) }; } catch (e) { hit = { ok: false, error: (e as Error).message }; }
      this.configs.set(key, hit);
      if (hit.ok && hit.loaded.path) this.watchedInputs.add(hit.loaded.path);
    }
    return hit;
  }

  private dump(loaded: LoadedConfig): SchemaModel {
    const path = loaded.config.schema;
    if (!path) return EMPTY;
    let hit = this.dumps.get(path);
    if (hit === undefined) {
      this.stats.dumpLoads++;
      try { hit = loadSchemaDump(path); } catch (e) { hit = (e as Error).message; }
      this.dumps.set(path, hit);
      this.watchedInputs.add(path);
    }
    if (typeof hit === 'string') throw new ProjectError(hit);
    return hit;
  }

  /** The schema a migration starts from, built the way `lintFiles` builds it for the CLI. */
  baseFor(path: string, loaded: LoadedConfig): SchemaModel {
    const abs = resolve(path);
    const hit = this.bases.get(abs);
    if (hit) return hit.model;
    this.stats.baseBuilds++;
    const dump = this.dump(loaded);
    const inputs = new Set<string>(loaded.config.schema ? [loaded.config.schema] : []);
    let model = dump;
    if (loaded.config.useEarlierMigrations !== false && !isDownMigration(abs)) {
      model = new SchemaModel(dump);
      for (const f of earlierMigrations(abs, loaded.config.runner)) {
        inputs.add(f);
        let text: string;
        try { text = readFileSync(f, 'utf8'); } catch { continue; }
        applySqlToSchema(model, text);
      }
    }
    this.bases.set(abs, { model, inputs });
    return model;
  }

  isExcluded(path: string, loaded: LoadedConfig): boolean {
    const patterns = loaded.config.exclude ?? [];
    if (patterns.length === 0) return false;
    const rel = relative(loaded.dir, path).split(sep).join('/');
    return patterns.some((p) => { const re = globToRegExp(p); return re.test(rel) || re.test(path); });
  }

  /** Milliseconds the last `lint` spent on the schema base (about 0 when cached), for the benchmark. */
  lastBaseMs = 0;

  /**
   * Lints an editor buffer. `path` is its file path, or undefined for an untitled buffer (no folder history).
   * Each file keeps an incremental analyzer, so a keystroke re-analyses only what the edit can have changed.
   */
  lint(text: string, path: string | undefined, loaded: LoadedConfig, change?: TextChange): AnalysisResult {
    const options = this.optionsFor(path, loaded);
    if (!path) return analyze(text, options);
    return this.analyzerFor(path, options).update(text, change);
  }

  /**
   * A first analysis of a file in steps (DocumentAnalyzer.begin), for opening a long migration: undefined when the
   * file has an analysis already (an edit is incremental) or is too short to hold `minStatements` statements.
   */
  lintInSteps(text: string, path: string, loaded: LoadedConfig, minStatements: number): AnalysisSteps | undefined {
    const analyzer = this.analyzerFor(path, this.optionsFor(path, loaded));
    if (analyzer.hasResult || text.length < minStatements * 20) return undefined;
    return analyzer.begin(text);
  }

  /** The analysis options of a file: its config and schema base (timed in lastBaseMs). */
  private optionsFor(path: string | undefined, loaded: LoadedConfig): AnalyzeOptions & { baseSchema: SchemaModel } {
    const t0 = performance.now();
    const baseSchema = path ? this.baseFor(path, loaded) : this.dump(loaded);
    this.lastBaseMs = performance.now() - t0;
    return { ...analyzeOptionsFrom(loaded.config), baseSchema, ...(path ? { path } : {}) };
  }

  private analyzerFor(path: string, options: AnalyzeOptions & { baseSchema: SchemaModel }): DocumentAnalyzer {
    const key = resolve(path);
    const optionsKey = JSON.stringify({ ...options, baseSchema: undefined });
    let doc = this.documents.get(key);
    if (!doc || doc.base !== options.baseSchema || doc.optionsKey !== optionsKey) {
      doc = { analyzer: new DocumentAnalyzer(options), base: options.baseSchema, optionsKey };
      this.documents.set(key, doc);
    }
    return doc.analyzer;
  }

  /** The editor closed a document: drop its incremental state. */
  forget(path: string): void {
    this.documents.delete(resolve(path));
  }

  /** Lints files on disk exactly as `pg-preflight lint` does, grouped by the config that governs them. */
  lintOnDisk(files: string[]): Array<FileLint & { config?: LoadedConfig; configError?: string }> {
    const groups = new Map<string, { loaded?: LoadedConfig; error?: string; files: string[] }>();
    for (const f of files) {
      const c = this.configFor(dirname(f));
      const key = c.ok ? c.loaded.path ?? '' : `error:${c.error}`;
      let g = groups.get(key);
      if (!g) { g = c.ok ? { loaded: c.loaded, files: [] } : { error: c.error, files: [] }; groups.set(key, g); }
      if (c.ok && this.isExcluded(f, c.loaded)) continue;
      g.files.push(f);
    }
    const out: Array<FileLint & { config?: LoadedConfig; configError?: string }> = [];
    for (const g of groups.values()) {
      if (!g.loaded) { for (const f of g.files) out.push({ path: f, configError: g.error }); continue; }
      let dump: SchemaModel;
      try { dump = this.dump(g.loaded); } catch (e) { for (const f of g.files) out.push({ path: f, error: (e as Error).message, config: g.loaded }); continue; }
      for (const l of lintFiles(g.files, g.loaded.config, dump)) out.push({ ...l, config: g.loaded });
    }
    return out;
  }

  /**
   * Drops what a changed file invalidates. A config file or a dump drops everything; a migration drops the bases
   * built from it and, when files appear or disappear, every base of its folder (the order may have changed).
   */
  onFileChanged(path: string, kind: 'change' | 'create' | 'delete'): boolean {
    const abs = resolve(path);
    if (basename(abs) === CONFIG_FILE || this.watchedInputs.has(abs) && this.dumps.has(abs)) {
      this.configs.clear(); this.dumps.clear(); this.bases.clear(); this.watchedInputs.clear();
      return true;
    }
    if (!abs.toLowerCase().endsWith('.sql')) return false;
    let dropped = false;
    const folder = dirname(abs);
    const prismaFolder = basename(abs) === 'migration.sql' ? dirname(folder) : undefined;
    for (const [file, base] of this.bases) {
      const sameFolder = dirname(file) === folder || (prismaFolder !== undefined && dirname(dirname(file)) === prismaFolder);
      if (base.inputs.has(abs) || (kind !== 'change' && sameFolder)) { this.bases.delete(file); dropped = true; }
    }
    return dropped;
  }

  clear(): void {
    this.configs.clear(); this.dumps.clear(); this.bases.clear(); this.watchedInputs.clear();
  }
}

export class ProjectError extends Error {}

const EMPTY = new SchemaModel();
