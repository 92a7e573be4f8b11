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
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSection } from './results.js';
import { child, makeMessages, median, type ProbeRow, SESSIONS } from './search-probe.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

if (process.argv[2] === '--child') {
  await child(process.argv[3] as string, process.argv[4] as string, process.argv[5]);
} else {
  const dir = join(tmpdir(), `sarc-engine-bench-${SESSIONS}`);
  await makeMessages(dir);
  const rows: Record<string, ProbeRow[]> = {
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
