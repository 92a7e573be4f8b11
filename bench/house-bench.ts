// npm run bench:house: this checkout against an older commit (BENCH_BASE,
// default da9650e: the last before the catalog was put in rooms and the
// large files split), on the same generated archive and the same native
// SQLite — the first build of the search index, a catch-up with nothing
// changed, the median of 50 queries, the session index opened from its
// snapshot and one list of 100. Each side runs in a process of its own
// (search-probe.ts, importing that side's src/), in rounds that alternate
// the two; medians of BENCH_RUNS (5). Writes the `<!-- house -->` section of
// RESULTS.md: a ratio above 1 is this checkout slower.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSection } from './results.js';
import { makeMessages, median, type ProbeRow, SESSIONS } from './search-probe.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BASE = process.env.BENCH_BASE ?? 'da9650e';
const here = join(import.meta.dirname, '..');

/** A checkout of BASE beside this one (a git worktree), using this checkout's node_modules. */
function baseCheckout(): string {
  const dir = join(tmpdir(), `sarc-house-${BASE}`);
  if (!existsSync(join(dir, 'src', 'index.ts'))) {
    rmSync(dir, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'prune'], { cwd: here });
    execFileSync('git', ['worktree', 'add', '--detach', dir, BASE], { cwd: here, stdio: 'ignore' });
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(here, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const dir = join(tmpdir(), `sarc-engine-bench-${SESSIONS}`);
await makeMessages(dir);
const roots = { base: baseCheckout(), head: here };
const rows: Record<'base' | 'head', ProbeRow[]> = { base: [], head: [] };
for (let round = 0; round < RUNS; round++) {
  for (const side of round % 2 ? (['head', 'base'] as const) : (['base', 'head'] as const)) {
    const state = join(tmpdir(), `sarc-house-state-${side}`);
    rmSync(state, { recursive: true, force: true });
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'search-engine-bench.ts'), '--child', dir, state, roots[side]],
      { encoding: 'utf8', env: { ...process.env, SARC_SQLITE: '' } },
    );
    if (r.status !== 0) throw new Error(`${side}: ${r.stderr}`);
    rows[side].push(JSON.parse(r.stdout));
  }
}
type Key = 'build' | 'catchUp' | 'query' | 'open' | 'list';
const med = (side: 'base' | 'head', key: Key) => median(rows[side].map((r) => r[key]));
for (const key of ['hits', 'listed'] as const)
  if (rows.base[0]?.[key] !== rows.head[0]?.[key])
    throw new Error(`the two differ in ${key}: ${rows.base[0]?.[key]} / ${rows.head[0]?.[key]}`);
const line = (label: string, key: Key, digits: number) =>
  `| ${label} | ${med('base', key).toFixed(digits)} ms | ${med('head', key).toFixed(digits)} ms | ${(med('head', key) / med('base', key)).toFixed(2)}× |`;
const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
const body = `## The house: before and after the rooms

\`npm run bench:house\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, \`${rows.head[0]?.engine}\`: ${SESSIONS.toLocaleString('en')} sessions × 10
messages, \`${BASE}\` (before the catalog was put in rooms and the long files split) against \`${head}\`, each in a process
of its own, rounds alternating the two, medians of ${RUNS}. Both found the same ${rows.head[0]?.hits} hits and listed ${rows.head[0]?.listed} sessions.
Ratios: after / before (above 1 is slower).

| | before | after | ratio |
|---|---|---|---|
${line('first build of the search index', 'build', 0)}
${line('search catch-up, nothing changed', 'catchUp', 0)}
${line('one query, median of 50', 'query', 2)}
${line('session index opened from its snapshot', 'open', 1)}
${line('one list of 100', 'list', 2)}
`;
writeSection('house', body);
console.log(body);
