// Helpers for the PostgreSQL test layer (test/pg/**).
import fs from 'node:fs';
import path from 'node:path';
import { availableMajors, startCluster, type Cluster, type ClusterOptions } from '../../src/cluster/pgcluster.js';

export const DEFAULT_PG_MAJORS = [13, 15, 18];

/** Majors the PG tests run on: PG_MAJORS="13,15,18" (the default). */
export function pgMajors(env: NodeJS.ProcessEnv = process.env): number[] {
  const raw = env.PG_MAJORS?.trim();
  if (!raw) return [...DEFAULT_PG_MAJORS];
  const majors = raw.split(/[\s,]+/).filter(Boolean).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 9 || n > 99) throw new Error(`PG_MAJORS: "${s}" is not a PostgreSQL major version`);
    return n;
  });
  return [...new Set(majors)].sort((a, b) => a - b);
}

/** Why a requested major cannot run here, or undefined when its binaries are installed. */
export function missingMajor(major: number): string | undefined {
  return availableMajors().includes(major)
    ? undefined
    : `PostgreSQL ${major} binaries are not installed (npm alias pg${major} in package.json, or /usr/lib/postgresql/${major}/bin)`;
}

/** Starts a throwaway cluster, runs fn, always stops the cluster. */
export async function withCluster<T>(opts: ClusterOptions, fn: (cluster: Cluster) => Promise<T>): Promise<T> {
  const cluster = await startCluster(opts);
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

/** The repository root: the nearest folder above the working directory whose package.json is pg-preflight's. */
export function repoRoot(): string {
  if (typeof __filename === 'string' && path.isAbsolute(__filename)) return path.resolve(path.dirname(__filename), '..', '..');
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).name === 'pg-preflight') return d;
    } catch { /* keep looking */ }
    if (path.dirname(d) === d) return process.cwd();
  }
}
