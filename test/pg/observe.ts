// Observe every catalog entry on one major and write the records as JSON, for review against the static model:
//   node --import tsx test/pg/observe.ts --major 15 --out test/pg/observed-15.json [--only id,id] [--concurrency 3]
//                                        [--with-sampled]   (keep `sampledOnly`: timing-dependent, so left out by default)
import fs from 'node:fs';
import { startCluster } from '../../src/cluster/pgcluster.js';
import { catalogFor } from './lock-catalog.js';
import { LockObserver, OBSERVER_SETTINGS, type ObservedRecord } from './lock-observer.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const major = Number(arg('major') ?? 15);
  const out = arg('out');
  const only = arg('only')?.split(',');
  const concurrency = Number(arg('concurrency') ?? 3);
  const entries = catalogFor(major).filter((e) => !only || only.includes(e.id));
  const t0 = Date.now();
  const cluster = await startCluster({ major, name: `observe${major}`, settings: OBSERVER_SETTINGS });
  let records: ObservedRecord[] = [];
  try {
    const obs = new LockObserver(cluster);
    await obs.prepare();
    records = await obs.observeAll(entries, concurrency, (r) => {
      if (!out) console.log(JSON.stringify(r));
    });
    await obs.close();
  } finally {
    await cluster.stop();
  }
  const errors = records.filter((r) => r.error);
  const withSampled = process.argv.includes('--with-sampled');
  const written = withSampled ? records : records.map(({ sampledOnly: _omit, ...r }) => r);
  if (out) fs.writeFileSync(out, JSON.stringify(written, null, 2) + '\n');
  for (const r of errors) console.error(`ERROR ${r.id}: ${r.error}`);
  console.error(`PostgreSQL ${major} (${cluster.versionNum}): ${records.length} entries, ${errors.length} errors, ${((Date.now() - t0) / 1000).toFixed(1)} s${out ? ` -> ${out}` : ''}`);
  return errors.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (err) => { console.error(err); process.exitCode = 2; });
