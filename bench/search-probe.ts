// The search benchmarks' archive and their child process: a generated
// archive of SESSIONS sessions × 10 messages (~120 words each, from a small
// vocabulary, so queries hit), and a child that builds the search index,
// catches it up with nothing changed, asks 50 queries, then opens the
// session index from its snapshot and lists, printing its timings as JSON.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initArchive, newId } from '../src/index.js';
import { formatCanonical } from '../src/store/json-file.js';

export const SESSIONS = Number(process.env.BENCH_ENGINE_SESSIONS ?? 2000);
const QUERIES = ['parser', 'retry timeout', '"connection pool"', 'kalo*', 'migrate NOT schema'];
const WORDS =
  'parser retry timeout connection pool schema migrate cache client server request token handler module test fixture build deploy kalo kalomira'.split(
    ' ',
  );

/** What a child prints. */
export interface ProbeRow {
  engine: string;
  build: number;
  catchUp: number;
  query: number;
  hits: number;
  open: number;
  list: number;
  listed: number;
}

/** A child: build, catch up, query; prints its timings as JSON. */
export async function child(dir: string, state: string, root = join(import.meta.dirname, '..')): Promise<void> {
  // The library of this checkout, or of another (an older commit, measured side by side).
  const lib = (await import(join(root, 'src', 'index.ts'))) as typeof import('../src/index.js');
  const { sqliteEngine } = (await import(join(root, 'src', 'store', 'sqlite.ts'))) as typeof import('../src/store/sqlite.js');
  const archive = await lib.openArchive({ dir, stateDir: state });
  // `catchUp` was `sync` before the house was put in rooms.
  const catchUp = (index: Awaited<ReturnType<typeof lib.SearchIndex.open>>) =>
    'catchUp' in index ? index.catchUp() : (index as { sync(): Promise<number> }).sync();
  let t = performance.now();
  let index = await lib.SearchIndex.open(archive);
  await catchUp(index);
  const build = performance.now() - t;
  await index.close();
  t = performance.now();
  index = await lib.SearchIndex.open(archive);
  await catchUp(index);
  const caughtUp = performance.now() - t;
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < 50; i++) {
    const q = performance.now();
    hits += index.search({ query: QUERIES[i % QUERIES.length] as string, limit: 20 }).hits.length;
    times.push(performance.now() - q);
  }
  await index.close();
  // The session index: opened from its snapshot (made by the first open), then one list.
  await (await lib.openIndex(archive, { watch: false })).close();
  t = performance.now();
  const sessions = await lib.openIndex(archive, { watch: false });
  const open = performance.now() - t;
  t = performance.now();
  const listed = sessions.list({ limit: 100 }).length;
  const list = performance.now() - t;
  await sessions.close();
  process.stdout.write(
    JSON.stringify({ engine: sqliteEngine(), build, catchUp: caughtUp, query: median(times), hits, open, list, listed }),
  );
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function makeMessages(dir: string): Promise<void> {
  if (existsSync(join(dir, 'ready'))) return;
  rmSync(dir, { recursive: true, force: true });
  await initArchive(dir);
  let seed = 7;
  const word = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return WORDS[seed % WORDS.length];
  };
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < SESSIONS; i++) {
    const id = newId('session');
    const folder = join(dir, 'sessions', id);
    mkdirSync(join(folder, 'messages'), { recursive: true });
    const time = { created: base + i * 1000, updated: base + i * 1000 + 500 };
    writeFileSync(
      join(folder, 'info.json'),
      formatCanonical({
        id,
        slug: 's',
        projectID: 'global',
        directory: '/w',
        title: `Session ${i} about the ${word()}`,
        version: '1',
        time,
      }),
    );
    for (let m = 0; m < 10; m++) {
      const mid = newId('message');
      const text = Array.from({ length: 120 }, word).join(' ');
      const info = {
        id: mid,
        sessionID: id,
        role: 'user',
        time: { created: time.created + m },
        agent: 'build',
        model: { providerID: 'p', modelID: 'm' },
      };
      const parts = [{ id: newId('part'), sessionID: id, messageID: mid, type: 'text', text }];
      writeFileSync(join(folder, 'messages', `${mid}.json`), formatCanonical({ info, parts }));
    }
  }
  writeFileSync(join(dir, 'ready'), '');
}
