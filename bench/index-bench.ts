// One measurement process of the index benchmark (see bench/run.ts).
// argv: mode (scan | open | open-background) archiveDir stateDir
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openArchive, openIndex } from '../src/index.js';

const [mode, dir, stateDir] = process.argv.slice(2) as [string, string, string];
const sessions = join(dir, 'sessions');
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** The floor: read every info.json's bytes, parse nothing. */
function floor(): number {
  const t = process.hrtime.bigint();
  let bytes = 0;
  for (const name of readdirSync(sessions)) bytes += readFileSync(join(sessions, name, 'info.json')).length;
  if (bytes === 0) throw new Error('no data');
  return ms(t);
}

/** The naive scan: read and parse every info.json, sort, take the first page (JSON-file storage listing). */
function naive(): number {
  const t = process.hrtime.bigint();
  const all: Array<{ id: string; time: { updated: number } }> = [];
  for (const name of readdirSync(sessions)) all.push(JSON.parse(readFileSync(join(sessions, name, 'info.json'), 'utf8')));
  all.sort((a, b) => b.time.updated - a.time.updated || (a.id < b.id ? -1 : 1));
  if (all.slice(0, 50).length !== 50) throw new Error('short page');
  return ms(t);
}

const archive = await openArchive({ dir, stateDir });
const out: Record<string, number> = {};
if (mode === 'scan') {
  out.floor = floor();
  out.naive = naive();
  const t = process.hrtime.bigint();
  const index = await openIndex(archive, { rebuild: true, watch: false });
  index.list({ limit: 50 });
  out.rebuild = ms(t);
  await index.close();
} else if (mode === 'open-background') {
  // The snapshot answers at once; the stat check runs after the first page.
  const t = process.hrtime.bigint();
  const index = await openIndex(archive, { watch: false, verify: 'background' });
  if (index.list({ limit: 50 }).length !== 50) throw new Error('short page');
  out.firstPage = ms(t);
  await index.verified();
  out.verified = ms(t);
  await index.close();
} else {
  const rssBefore = process.memoryUsage().rss;
  const t = process.hrtime.bigint();
  const index = await openIndex(archive, { watch: false });
  if (index.list({ limit: 50 }).length !== 50) throw new Error('short page');
  out.coldOpen = ms(t);
  const runs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const w = process.hrtime.bigint();
    index.list({ limit: 50 });
    runs.push(ms(w));
  }
  runs.sort((a, b) => a - b);
  out.warmPage = runs[100] as number;
  const h = process.hrtime.bigint();
  index.history({ limit: 50 });
  out.historyPage = ms(h);
  global.gc?.();
  out.rssMB = process.memoryUsage().rss / 1024 / 1024;
  out.rssIndexMB = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
  await index.close();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
