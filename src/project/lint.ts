// Linting files on disk: the shared path of `pg-preflight lint` and the editor's "lint workspace". It builds the schema
// model the way the issue describes: a schema dump, then the earlier migrations of each folder in the runner's order.
import { readFileSync } from 'node:fs';
import { dirname, basename, resolve } from 'node:path';
import { analyze, applySqlToSchema, schemaFromSql, type AnalysisResult, type AnalyzeOptions } from '../analyzer/analyze.js';
import { SchemaModel } from '../analyzer/schema.js';
import type { Config } from '../config/config.js';
import { earlierMigrations, folderMigrations, isDownMigration } from './files.js';
import type { RenderedFile } from './json-output.js';

export interface FileLint {
  path: string;
  result?: AnalysisResult;
  error?: string;
  /** The report already rendered (lintFilesParallel with `json`): then `result` is left out. */
  rendered?: RenderedFile;
}

export function analyzeOptionsFrom(config: Config): AnalyzeOptions {
  return {
    pgVersion: config.pgVersion,
    runner: config.runner,
    assumeInTransaction: config.assumeInTransaction,
    assumeLockTimeout: config.assumeLockTimeout,
    assumeStatementTimeout: config.assumeStatementTimeout,
    rules: config.rules,
  };
}

export class SchemaFileError extends Error {}

/** The schema model of a dump file (or an empty model). */
export function loadSchemaDump(path: string | undefined): SchemaModel {
  if (!path) return new SchemaModel();
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new SchemaFileError(`cannot read schema ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  return schemaFromSql(text);
}

function readText(path: string): string | { error: string } {
  try { return readFileSync(path, 'utf8'); } catch (e) { return { error: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }; }
}

/**
 * The folder whose migrations share one schema history: the file's folder, or for Prisma's
 * `<folder>/<timestamp>/migration.sql` the folder above. `lintFiles` lints the files of one folder key in order and
 * files of different keys independently, so groups of files with different keys may be linted apart (in workers).
 */
export function folderKey(file: string): string {
  const f = resolve(file);
  return basename(f) === 'migration.sql' ? dirname(dirname(f)) : dirname(f);
}

/**
 * The result without what only the analysis itself needs (parse trees, the schema models, the file's line index):
 * what the reports read. Small to keep for thousands of files and to send from a worker thread.
 */
export function reportResult(r: AnalysisResult): AnalysisResult {
  const statements = r.statements.map((s) => ({
    index: s.index, kind: s.kind, text: s.text, start: s.start, end: s.end, terminated: s.terminated, range: s.range,
    inTransaction: s.inTransaction, transactionId: s.transactionId, implicitTransaction: s.implicitTransaction,
    locks: s.locks, rewritesTable: s.rewritesTable, rewrites: s.rewrites, scansTable: s.scansTable, scans: s.scans,
    effects: s.effects, lockTimeout: s.lockTimeout, statementTimeout: s.statementTimeout, ignoredRules: s.ignoredRules,
  }));
  // `file` and each statement's `node` are left out: the reports (report/lint-report.ts, cli/text.ts) never read them.
  return { statements, findings: r.findings, parseProblems: r.parseProblems } as unknown as AnalysisResult;
}

/**
 * Lints files in order. Files of one folder share one growing schema model: each file starts from the dump plus
 * every earlier migration of its folder.
 */
export function lintFiles(files: string[], config: Config, dump: SchemaModel = loadSchemaDump(config.schema),
  /** Applied to each file's lint as soon as it is done (and its schema absorbed): lets a bulk run drop the analysis. */
  reduce: (l: FileLint) => FileLint = (l) => l): FileLint[] {
  const options = analyzeOptionsFrom(config);
  const useHistory = config.useEarlierMigrations !== false;
  const out = new Map<string, FileLint>();
  const byFolder = new Map<string, string[]>();
  for (const f of files.map((x) => resolve(x))) {
    const key = folderKey(f);
    if (!byFolder.has(key)) byFolder.set(key, []);
    byFolder.get(key)!.push(f);
  }
  for (const group of byFolder.values()) {
    const requested = new Set(group);
    const forward = group.filter((f) => !isDownMigration(f));
    if (!useHistory || forward.length === 0) {
      for (const f of group) out.set(f, reduce(lintOne(f, { ...options, baseSchema: dump })));
      continue;
    }
    // Every forward migration of the folder up to the last requested one, in the runner's order.
    const ordered = folderMigrations(forward[0], config.runner);
    const lastIndex = Math.max(...forward.map((f) => ordered.indexOf(f)));
    const history = lastIndex < 0 ? forward : ordered.slice(0, lastIndex + 1);
    const model = new SchemaModel(dump);
    for (const f of history) {
      if (requested.has(f)) {
        const lint = lintOne(f, { ...options, baseSchema: model });
        if (lint.result) model.absorb(lint.result.file.schemaAfter);
        out.set(f, reduce(lint));
      } else {
        const text = readText(f);
        if (typeof text === 'string') applySqlToSchema(model, text);
      }
    }
    for (const f of group) if (!out.has(f)) out.set(f, reduce(lintOne(f, { ...options, baseSchema: dump })));
  }
  return files.map((f) => out.get(resolve(f))!).map((l, i) => ({ ...l, path: files[i] }));
}

function lintOne(path: string, options: AnalyzeOptions): FileLint {
  const text = readText(path);
  if (typeof text !== 'string') return { path, error: text.error };
  return { path, result: analyze(text, { ...options, path }) };
}

/** Lints text that is not on disk (stdin, an unsaved editor buffer). */
export function lintText(text: string, path: string, config: Config, dump: SchemaModel = loadSchemaDump(config.schema)): FileLint {
  let base = dump;
  // As lintFiles does: down migrations start from the dump alone.
  if (config.useEarlierMigrations !== false && path !== '<stdin>' && !isDownMigration(path)) {
    const model = new SchemaModel(dump);
    for (const f of earlierMigrations(path, config.runner)) {
      const t = readText(f);
      if (typeof t === 'string') applySqlToSchema(model, t);
    }
    base = model;
  }
  return { path, result: analyze(text, { ...analyzeOptionsFrom(config), baseSchema: base, path }) };
}
