import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadParser } from './src/analyzer/parse.js';
import { analyze } from './src/analyzer/analyze.js';
import { ruleById } from './src/analyzer/registry.js';
await loadParser();
const ids = ['require-concurrent-index-deletion','ban-concurrent-in-transaction','ban-create-index-concurrently-if-not-exists','require-index-swap-order','require-concurrent-reindex','prefer-repack','require-concurrent-matview-refresh','require-partition-index-per-partition','ban-drop-column','ban-drop-table','ban-drop-database','ban-drop-not-null','ban-truncate','ban-rename-column','ban-rename-table','require-index-for-foreign-key'];
const rules = ids.map((i) => ruleById(i)!);
const files: string[] = [];
const walk = (d: string) => { for (const f of readdirSync(d)) { const p = join(d, f); if (statSync(p).isDirectory()) walk(p); else if (p.endsWith('.sql')) files.push(p); } };
const root = '/work/shared/corpus';
for (const d of readdirSync(root)) if (statSync(join(root, d)).isDirectory()) walk(join(root, d));
files.sort();
const counts = new Map<string, number>(); const samples = new Map<string, string[]>();
// Per project, accumulate schema from earlier files (folder order).
const byProject = new Map<string, string[]>();
for (const f of files) { const p = f.slice(root.length + 1).split('/')[0]; (byProject.get(p) ?? byProject.set(p, []).get(p)!).push(f); }
for (const [proj, fs] of byProject) {
  if (proj.endsWith('-down')) continue;
  let schema = '';
  for (const f of fs) {
    const sql = readFileSync(f, 'utf8');
    const r = analyze(sql, { schemaSql: schema, ruleSet: rules });
    for (const x of r.findings) {
      const k = `${x.ruleId}/${x.messageId}`; counts.set(k, (counts.get(k) ?? 0) + 1);
      const s = samples.get(k) ?? []; if (s.length < 3) s.push(`${f.slice(root.length + 1)}:${x.range.start.line + 1}: ${x.message.slice(0, 230)}`); samples.set(k, s);
    }
    schema += '\n' + sql;
  }
}
for (const [k, n] of [...counts].sort()) { console.log(n, k); for (const s of samples.get(k)!) console.log('    ', s); }
