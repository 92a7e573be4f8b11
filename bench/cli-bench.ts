// `npm run bench:cli`: `sarc list`, `show`, `search` and `status` as whole
// processes (the compiled `dist/bin/sarc.js`, started the way a shell starts
// it) on an archive of 100,000 sessions, with and without a running watcher
// (`sarc watch --quiet --search`), against the start of a bare `node -e 0` in
// the same run. The search index is built (untimed) before the runs; every
// command runs once untimed first, so the files are in the page cache.
// Medians of BENCH_RUNS (5) interleaved runs. Writes the `<!-- cli -->`
// section of RESULTS.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeArchive } from './archive-gen.js';
import { writeSection } from './results.js';

const ROOT = join(import.meta.dirname, '..');
const N = Number(process.env.BENCH_SESSIONS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WITH_WATCHER_MS = 300;
const WITHOUT_MS = 600;

execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
const SARC = join(ROOT, 'dist', 'bin', 'sarc.js');
const dir = await makeArchive(N);
const stateDir = join(tmpdir(), `sarc-cli-bench-${N}-state`);
const env = { ...process.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1' };
const ids = readdirSync(join(dir, 'sessions')).sort();
const middle = Math.floor(ids.length / 2);
const some = ids[middle] as string;
// The shortest prefix that names it alone (the generated IDs share long beginnings).
const neighbours = [ids[middle - 1] ?? '', ids[middle + 1] ?? ''];
let prefixLength = 5;
while (neighbours.some((n) => n.startsWith(some.slice(0, prefixLength)))) prefixLength++;
const prefix = some.slice(4, prefixLength);

const COMMANDS: Array<[string, string[]]> = [
  ['list', ['list', '--all']],
  ['list (this folder)', ['list']],
  ['show', ['show', some]],
  ['show (prefix)', ['show', prefix]],
  ['search', ['search', 'parser']],
  ['status', ['status']],
];

/** One run's wall time in ms; fails loudly on a non-zero exit. */
function timed(command: string, args: string[], extra: Record<string, string> = {}): { ms: number; stderr: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(command, args, { env: { ...env, ...extra }, encoding: 'utf8', cwd: dir, maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, stderr: r.stderr };
}
// The naive scan as a whole process: read and parse every info.json, sort by update, take 50 (how JSON-file storage lists).
const NAIVE = `
const { readdirSync, readFileSync } = require('node:fs');
const dir = process.argv[1] + '/sessions';
const all = readdirSync(dir).filter((n) => n.startsWith('ses_')).map((n) => JSON.parse(readFileSync(dir + '/' + n + '/info.json', 'utf8')));
all.sort((a, b) => b.time.updated - a.time.updated || (a.id < b.id ? -1 : 1));
if (all.slice(0, 50).length !== 50) process.exit(1);
`;
// The stats alone as a whole process: one stat of every info.json on one thread, nothing read (what checking the
// snapshot against the files costs at the least here; on this machine it depends on the kernel's name cache).
const STATS = `
const { readdirSync, statSync } = require('node:fs');
const dir = process.argv[1] + '/sessions';
let n = 0;
for (const name of readdirSync(dir)) if (name.startsWith('ses_') && statSync(dir + '/' + name + '/info.json').isFile()) n++;
if (n === 0) process.exit(1);
`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

// Untimed: the snapshot and the search index are built once, as a first use would.
console.log(`archive of ${N.toLocaleString('en')} sessions at ${dir}; building the index and the search index…`);
timed(process.execPath, [SARC, 'list', '--all']);
timed(process.execPath, [SARC, 'search', 'parser']);

function round(label: string, extra: Record<string, string>, check: (stderr: string) => void): Record<string, number[]> {
  const out: Record<string, number[]> = { 'node -e 0': [], naive: [], stats: [] };
  for (const [name] of COMMANDS) out[name] = [];
  for (const [, args] of COMMANDS) check(timed(process.execPath, [SARC, '--debug', ...args], extra).stderr);
  for (let i = 0; i < RUNS; i++) {
    out['node -e 0']?.push(timed(process.execPath, ['-e', '0']).ms);
    out.naive?.push(timed(process.execPath, ['-e', NAIVE, dir]).ms);
    out.stats?.push(timed(process.execPath, ['-e', STATS, dir]).ms);
    for (const [name, args] of COMMANDS) {
      const r = timed(process.execPath, [SARC, ...args], extra);
      out[name]?.push(r.ms);
    }
  }
  console.log(label, Object.fromEntries(Object.entries(out).map(([k, v]) => [k, median(v).toFixed(0)])));
  return out;
}

const ANSWERED = 'answered by the running watcher';
const without = round('without a watcher', { SARC_NO_WATCHER: '1' }, (e) => {
  if (e.includes(ANSWERED)) throw new Error('a watcher answered');
});

const watcher = spawn(process.execPath, [SARC, 'watch', '--quiet', '--search'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
let startMs = 0;
let withWatcher: Record<string, number[]> = {};
try {
  const t = Date.now();
  // Until it answers every question (its search index catches up after the watches are set).
  for (;;) {
    const r = spawnSync(process.execPath, [SARC, '--debug', 'search', 'parser', '--limit', '1'], { env, encoding: 'utf8' });
    if (r.stderr.includes(ANSWERED)) break;
    if (Date.now() - t > 600_000) throw new Error('the watcher did not answer within 10 min');
    await new Promise((r) => setTimeout(r, 500));
  }
  startMs = Date.now() - t;
  withWatcher = round('with a watcher', {}, (e) => {
    if (!e.includes(ANSWERED)) throw new Error(`the watcher did not answer: ${e}`);
  });
} finally {
  watcher.kill('SIGINT');
}

const node = median([...(without['node -e 0'] ?? []), ...(withWatcher['node -e 0'] ?? [])]);
const naive = median([...(without.naive ?? []), ...(withWatcher.naive ?? [])]);
const statsAlone = median([...(without.stats ?? []), ...(withWatcher.stats ?? [])]);
const firstPage = median(withWatcher.list ?? []);
const rows = COMMANDS.map(([name]) => {
  const a = median(withWatcher[name] ?? []);
  const b = median(without[name] ?? []);
  return `| \`sarc ${name}\` | ${a.toFixed(0)} (${(a / node).toFixed(1)}×) | ${a <= WITH_WATCHER_MS ? 'met' : '**missed**'} | ${b.toFixed(0)} (${(b / node).toFixed(1)}×) | ${b <= WITHOUT_MS ? 'met' : '**missed**'} |`;
});
const body = `## CLI benchmark

\`npm run bench:cli\` on ${N.toLocaleString('en')} generated sessions, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}. Each command is a whole
process (\`node dist/bin/sarc.js …\`, wall time from spawn to exit, output discarded), medians of ${RUNS} interleaved runs,
files in the page cache. Baseline, same run: \`node -e 0\` started the same way, **${node.toFixed(0)} ms**; ratios are against it.
The naive scan as a process (read and parse every \`info.json\`, sort, take 50) took **${naive.toFixed(0)} ms**: the first page of
\`sarc list\` with a watcher is **${((firstPage / naive) * 100).toFixed(0)}%** of it (target ≤ 25%: ${firstPage <= naive * 0.25 ? 'met' : '**missed**'}).
"With a watcher": \`sarc watch --quiet --search\` runs for the archive (it answered after ${(startMs / 1000).toFixed(1)} s, search index included)
and each command asks it over its socket in the state dir; "without": \`SARC_NO_WATCHER=1\`, the command opens the index
itself (the snapshot's columns, one \`stat\` per session on a worker thread and this one, started as soon as the IDs are read,
and the rows of the page shown, decoded as reached) or, for \`search\`, catches
the search index up (three \`stat\`s per session, started on a worker thread from the IDs and stamps the last search
saved, before the library has loaded). The stats alone, one thread, as a process (\`node -e\` that
stats every \`info.json\` and reads nothing): **${statsAlone.toFixed(0)} ms**.
\`list\` shows 50 sessions; \`list (this folder)\` finds this folder's project first; \`show\` prints a session by full ID and
by its shortest unique prefix (${prefix.length} characters); \`search\` one word.

| command | with a watcher, ms | ≤ ${WITH_WATCHER_MS} ms | without, ms | ≤ ${WITHOUT_MS} ms |
|---|---|---|---|---|
${rows.join('\n')}
`;
console.log(body);
writeSection('cli', body);
