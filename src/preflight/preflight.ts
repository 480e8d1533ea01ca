// runPreflight: the migration, analyzed for the target's real version, against what the target is doing right now.
// Read-only: one snapshot and one question about the migration's own relations, both on the session's connection.
// Shared by `pg-preflight preflight` and the editor's "Preflight current migration" command (no vscode here).
import { DEFAULT_PG_VERSION } from '../analyzer/analyze.js';
import { loadParser } from '../analyzer/parse.js';
import type { Config } from '../config/config.js';
import type { InspectorSession } from '../inspector/inspector.js';
import { fail, ok, type Result } from '../inspector/types.js';
import { loadSchemaDump, lintText } from '../project/lint.js';
import type { SchemaModel } from '../analyzer/schema.js';
import { evaluate, relationsToAsk, type AnalyzedFile } from './evaluate.js';
import { onSession, readRelations } from './live.js';
import type { PreflightReport } from './types.js';

export type { PreflightReport } from './types.js';

export interface PreflightInput {
  files: Array<{ path: string; text: string }>;
  config: Config;
  /** an open (or lazily opening) read-only inspector session */
  session: InspectorSession;
  /** the schema dump, already loaded (default: config.schema) */
  schema?: SchemaModel;
}

/** Analyzes the files for the server's major and judges them against the live target. Never throws. */
export async function runPreflight(input: PreflightInput): Promise<Result<PreflightReport>> {
  const t0 = performance.now();
  const generatedAt = new Date().toISOString();
  try {
    const snap = await input.session.snapshot();
    if (!snap.ok) return snap;
    const tSnap = performance.now();
    const major = Math.floor(snap.value.server.versionNum / 10000) || input.config.pgVersion || DEFAULT_PG_VERSION;
    await loadParser();
    let dump: SchemaModel;
    try {
      dump = input.schema ?? loadSchemaDump(input.config.schema);
    } catch (e) {
      return fail({ code: 'invalid', message: (e as Error).message });
    }
    const analyzed = analyzeFiles(input.files, input.config, major, dump);
    if (!analyzed.ok) return analyzed;
    const files = analyzed.value;
    const tAnalyze = performance.now();
    const live = await onSession(input.session, (client) => readRelations(client, relationsToAsk(files)));
    if (!live.ok) return live;
    const report = evaluate({
      files, snapshot: snap.value, live: live.value, pgVersion: major, configuredPgVersion: input.config.pgVersion ?? null,
      assumeLockTimeout: input.config.assumeLockTimeout, generatedAt,
    });
    const r1 = (ms: number) => Math.round(ms * 10) / 10;
    report.durationMs = r1(performance.now() - t0);
    report.timings = { snapshotMs: r1(tSnap - t0), analyzeMs: r1(tAnalyze - tSnap), liveMs: live.value.durationMs, serverSnapshotMs: snap.value.server.durationMs };
    return ok(report);
  } catch (e) {
    return fail({ code: 'internal', message: `preflight failed: ${(e as Error)?.message ?? e}` });
  }
}

/** The files analyzed for a given major (the server's), with the config's runner and schema. */
export function analyzeFiles(input: Array<{ path: string; text: string }>, config: Config, major: number, dump: SchemaModel): Result<AnalyzedFile[]> {
  const cfg: Config = { ...config, pgVersion: major };
  const files: AnalyzedFile[] = [];
  for (const f of input) {
    const l = lintText(f.text, f.path, cfg, dump);
    if (l.error || !l.result) return fail({ code: 'invalid', message: l.error ?? `cannot analyze ${f.path}` });
    files.push({ path: f.path, statements: l.result.statements });
  }
  return ok(files);
}
