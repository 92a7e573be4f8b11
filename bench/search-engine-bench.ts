// npm run bench:search-engines: the search index on the native SQLite this
// Node has (node:sqlite or better-sqlite3) against SQLite compiled to
// WebAssembly (node-sqlite3-wasm, what an install without either uses), on
// the same generated archive (BENCH_ENGINE_SESSIONS, default 2,000 sessions ×
// 10 messages). Each engine runs in a process of its own (the engine is
// chosen once per process; SARC_SQLITE=wasm forces the WebAssembly one), in
// rounds that alternate the two: the first build, a catch-up with nothing
// changed, and the median of 50 queries. Medians of BENCH_RUNS (3) rounds.
// Writes the `<!-- engines -->` section of RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initArchive, newId, openArchive, SearchIndex } from '../src/index.js';
import { formatCanonical } from '../src/store/json-file.js';
import { sqliteEngine } from '../src/store/sqlite.js';
import { writeSection } from './results.js';

const SESSIONS = Number(process.env.BENCH_ENGINE_SESSIONS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const QUERIES = ['parser', 'retry timeout', '"connection pool"', 'kalo*', 'migrate NOT schema'];
const WORDS =
  'parser retry timeout connection pool schema migrate cache client server request token handler module test fixture build deploy kalo kalomira'.split(
    ' ',
  );

/** A child: build, catch up, query; prints its timings as JSON. */
async function child(dir: string, state: string): Promise<void> {
  const archive = await openArchive({ dir, stateDir: state });
  let t = performance.now();
  let index = await SearchIndex.open(archive);
  await index.sync();
  const build = performance.now() - t;
  await index.close();
  t = performance.now();
  index = await SearchIndex.open(archive);
  await index.sync();
  const catchUp = performance.now() - t;
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < 50; i++) {
    const q = performance.now();
    hits += index.search({ query: QUERIES[i % QUERIES.length] as string, limit: 20 }).hits.length;
    times.push(performance.now() - q);
  }
  await index.close();
  process.stdout.write(JSON.stringify({ engine: sqliteEngine(), build, catchUp, query: median(times), hits }));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function makeMessages(dir: string): Promise<void> {
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

if (process.argv[2] === '--child') {
  await child(process.argv[3] as string, process.argv[4] as string);
} else {
  const dir = join(tmpdir(), `sarc-engine-bench-${SESSIONS}`);
  await makeMessages(dir);
  const rows: Record<string, Array<{ build: number; catchUp: number; query: number; hits: number; engine: string }>> = {
    native: [],
    wasm: [],
  };
  for (let round = 0; round < RUNS; round++) {
    for (const side of round % 2 ? ['wasm', 'native'] : ['native', 'wasm']) {
      const state = join(tmpdir(), `sarc-engine-bench-state-${side}`);
      rmSync(state, { recursive: true, force: true });
      const env = { ...process.env, SARC_SQLITE: side === 'wasm' ? 'wasm' : '' };
      const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', dir, state], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${side}: ${r.stderr}`);
      rows[side]?.push(JSON.parse(r.stdout));
    }
  }
  const med = (side: string, key: 'build' | 'catchUp' | 'query') => median((rows[side] ?? []).map((r) => r[key]));
  const engine = rows.native?.[0]?.engine;
  if (rows.native?.[0]?.hits !== rows.wasm?.[0]?.hits)
    throw new Error(`the engines found different hits: ${rows.native?.[0]?.hits} / ${rows.wasm?.[0]?.hits}`);
  const line = (label: string, key: 'build' | 'catchUp' | 'query', digits: number) =>
    `| ${label} | ${med('native', key).toFixed(digits)} ms | ${med('wasm', key).toFixed(digits)} ms | ${(med('wasm', key) / med('native', key)).toFixed(2)}× |`;
  const body = `## Search engines: native SQLite and SQLite in WebAssembly

\`npm run bench:search-engines\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}: ${SESSIONS.toLocaleString('en')} sessions × 10 messages
(~120 words each), each engine in a process of its own, rounds alternating the two, medians of ${RUNS}. Native: \`${engine}\`;
WebAssembly: \`node-sqlite3-wasm\` (what search uses where neither \`node:sqlite\` nor \`better-sqlite3\` loads). Both found the
same ${rows.native?.[0]?.hits} hits over the 50 queries. Ratios: WebAssembly / native.

| | native | WebAssembly | ratio |
|---|---|---|---|
${line('first build of the index', 'build', 0)}
${line('catch-up, nothing changed', 'catchUp', 0)}
${line('one query, median of 50', 'query', 2)}
`;
  writeSection('engines', body);
  console.log(body);
}
