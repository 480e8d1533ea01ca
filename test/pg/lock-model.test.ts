// The lock model against real PostgreSQL: for every major in PG_MAJORS (default 13,15,18), start a cluster, load the
// fixture, observe every catalog entry live (test/pg/lock-observer.ts) and compare, entry by entry, the locks and
// rewrites the static analyzer predicts with what PostgreSQL did.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startCluster, type Cluster } from '../../src/cluster/pgcluster.js';
import { missingMajor, pgMajors, repoRoot } from '../support/pg.js';
import { catalogFor, type CatalogEntry } from './lock-catalog.js';
import { FIXTURE_SCHEMA_FILE, LockObserver, OBSERVER_SETTINGS, strongerMode, type LockMode, type ObservedRecord } from './lock-observer.js';

// The analyzer's surface this test relies on (src/analyzer/analyze.ts, src/analyzer/parse.ts).
interface ModelLock { relation: string; mode: LockMode; createdInMigration?: boolean }
interface ModelStatement { locks: ModelLock[]; rewritesTable: boolean; rewrites: string[] }
interface AnalyzerApi {
  analyze(sql: string, options: { pgVersion: number; schemaSql: string; assumeInTransaction: boolean }): { statements: ModelStatement[] };
}

/** The analyzer, or why it cannot be used yet (module not written). Any other load failure is an error. */
async function loadAnalyzer(): Promise<AnalyzerApi | string> {
  const root = repoRoot();
  for (const f of ['parse.ts', 'analyze.ts']) {
    if (!fs.existsSync(path.join(root, 'src', 'analyzer', f))) return `src/analyzer/${f} does not exist yet`;
  }
  const dir = '../../src/analyzer/';
  const parse = await import(`${dir}parse.js`) as { loadParser(): Promise<void> };
  const analyzeMod = await import(`${dir}analyze.js`) as AnalyzerApi;
  await parse.loadParser();
  return analyzeMod;
}

const TABLE_KINDS = new Set(['r', 'm', 'p', 't']);

function strongestByRelation(locks: { relation: string; mode: LockMode }[], keep: (rel: string) => boolean): Map<string, LockMode> {
  const out = new Map<string, LockMode>();
  for (const l of locks) if (keep(l.relation)) out.set(l.relation, strongerMode(out.get(l.relation), l.mode));
  return out;
}

function describeEntry(entry: CatalogEntry): string {
  return `${entry.setup ? `setup: ${entry.setup}\n  ` : ''}sql:   ${entry.sql}${entry.nonTransactional ? '   (non-transactional)' : ''}`;
}

/** The comparison of one entry: what disagrees, and what disagrees as the entry's knownDifference documents. */
export interface Comparison { problems: string[]; known: string[] }

export function compareWithModel(entry: CatalogEntry, observed: ObservedRecord, analyzer: AnalyzerApi, schemaSql: string,
  fixtureRelations: Set<string>): Comparison {
  const text = entry.setup ? `${entry.setup};\n${entry.sql}` : entry.sql;
  const result = analyzer.analyze(text, { pgVersion: observed.major, schemaSql, assumeInTransaction: !entry.nonTransactional });
  const stmt = result.statements[result.statements.length - 1];
  if (!stmt) return { problems: ['the analyzer returned no statement'], known: [] };
  const problems: string[] = [];
  const known: string[] = [];
  const kd = entry.knownDifference;
  const excusedLocks = new Set(kd?.locks ?? []);
  const excusedRewrites = new Set(kd?.rewrites ?? []);
  const model = strongestByRelation(stmt.locks.filter((l) => !l.createdInMigration), (r) => fixtureRelations.has(r));
  const seen = new Map(Object.entries(observed.locks));
  const rels = [...new Set([...model.keys(), ...seen.keys()])].sort();
  const lockDiff: string[] = [];
  for (const r of rels) {
    const m = model.get(r);
    const p = seen.get(r);
    if (m === p) continue;
    const line = `    ${r}: model ${m ?? '(none)'}, PostgreSQL ${p ?? '(none)'}`;
    // An excused relation must differ on the conservative side: the model's lock is the stronger one.
    if (excusedLocks.has(r) && m && (!p || strongerMode(p, m) === m)) known.push(line.trim());
    else lockDiff.push(line);
  }
  for (const r of excusedLocks) {
    if (model.get(r) === seen.get(r)) problems.push(`knownDifference lists the lock on ${r}, but the model agrees with PostgreSQL there`);
  }
  if (lockDiff.length) {
    problems.push(`locks differ:\n${lockDiff.join('\n')}\n  model:      ${fmtLocks(model)}\n  PostgreSQL: ${fmtLocks(seen)}`);
  }
  const modelRewrites = [...new Set(stmt.rewrites.filter((r) => fixtureRelations.has(r)))].sort();
  const seenRewrites = [...observed.rewrote].sort();
  const missing = seenRewrites.filter((r) => !modelRewrites.includes(r));
  const extraAll = modelRewrites.filter((r) => !seenRewrites.includes(r));
  const extra = extraAll.filter((r) => !excusedRewrites.has(r));
  for (const r of extraAll) if (excusedRewrites.has(r)) known.push(`${r}: rewritten in the model, not by PostgreSQL`);
  for (const r of excusedRewrites) {
    if (!extraAll.includes(r)) problems.push(`knownDifference lists a rewrite of ${r}, but the model agrees with PostgreSQL there`);
  }
  if (missing.length || extra.length) {
    problems.push(`rewrites differ:${missing.length ? `\n    rewritten by PostgreSQL, not in the model: ${missing.join(', ')}` : ''}${extra.length ? `\n    in the model, not rewritten by PostgreSQL: ${extra.join(', ')}` : ''}`);
  }
  const tableRewritten = observed.rewrote.some((r) => TABLE_KINDS.has(observed.kinds[r] ?? ''));
  if (stmt.rewritesTable !== tableRewritten) {
    if (kd?.rewritesTable && stmt.rewritesTable && !tableRewritten) known.push('rewritesTable: model true, PostgreSQL false');
    else problems.push(`rewritesTable: model ${stmt.rewritesTable}, PostgreSQL ${tableRewritten}`);
  } else if (kd?.rewritesTable) {
    problems.push('knownDifference says the model reports a table rewrite PostgreSQL skips, but they agree');
  }
  return { problems, known };
}

function fmtLocks(m: Map<string, LockMode>): string {
  return m.size ? [...m].sort(([a], [b]) => a.localeCompare(b)).map(([r, mode]) => `${r}=${mode}`).join(' ') : '(none)';
}

const schemaSql = fs.readFileSync(FIXTURE_SCHEMA_FILE, 'utf8');

// The lock model is checked on every major 13–18 (each is a pinned npm package or Debian's 15); PG_MAJORS narrows it.
const LOCK_MODEL_MAJORS = process.env.PG_MAJORS ? pgMajors() : [13, 14, 15, 16, 17, 18];
for (const major of LOCK_MODEL_MAJORS) {
  describe(`lock model vs PostgreSQL ${major}`, { concurrency: 1 }, () => {
    let cluster: Cluster | undefined;
    let observer: LockObserver | undefined;
    let analyzer: AnalyzerApi | string = 'not loaded';
    let fixtureRelations = new Set<string>();
    const records = new Map<string, ObservedRecord>();
    let setupError: Error | undefined;

    before(async () => {
      try {
        const missing = missingMajor(major);
        if (missing) throw new Error(missing);
        analyzer = await loadAnalyzer();
        const t0 = Date.now();
        cluster = await startCluster({ major, name: `lockmodel${major}`, settings: OBSERVER_SETTINGS });
        observer = new LockObserver(cluster);
        await observer.prepare();
        fixtureRelations = new Set(observer.fixtureRelations);
        for (const r of await observer.observeAll(catalogFor(major))) records.set(r.id, r);
        await observer.close();
        console.log(`# PostgreSQL ${cluster.versionNum}: observed ${records.size} entries in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (err) {
        setupError = err as Error;
      } finally {
        await observer?.close();
        await cluster?.stop();
      }
    }, { timeout: 600_000 });

    after(async () => {
      await cluster?.stop();
    });

    it('observes the catalog on a live cluster', () => {
      if (setupError) throw setupError;
      assert.equal(records.size, catalogFor(major).length);
    });

    for (const entry of catalogFor(major)) {
      it(entry.id, (t) => {
        if (setupError) { t.skip(`no observation: ${setupError.message.split('\n')[0]}`); return; }
        const observed = records.get(entry.id);
        assert.ok(observed, 'not observed');
        assert.equal(observed.error, undefined, `PostgreSQL ${major} rejected the catalog entry\n  ${describeEntry(entry)}`);
        if (typeof analyzer === 'string') { t.skip(`analyzer not available: ${analyzer}`); return; }
        const { problems, known } = compareWithModel(entry, observed, analyzer, schemaSql, fixtureRelations);
        assert.ok(problems.length === 0,
          `${entry.id} on PostgreSQL ${major}\n  ${describeEntry(entry)}\n  ${problems.join('\n  ')}`);
        if (known.length) t.skip(`known difference (${known.length} excused): ${entry.knownDifference!.reason}`);
      });
    }
  });
}
