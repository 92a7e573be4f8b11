// `npm run bench:stats`: `sarc stats` over BENCH_STATS_SESSIONS (100,000)
// generated sessions of four messages each (two replies with tokens, models
// and tool calls; four agents, five models, one unpriced; a year of days), as
// whole processes (`node dist/bin/sarc.js`), with a running watcher
// (`sarc watch --quiet --search`) and without one, against `node -e 0` and
// `sarc --help` in the same run; and how soon a new reply is in the figures
// the watcher answers. Medians of BENCH_RUNS (5) interleaved runs after one
// untimed run each. Writes the `<!-- stats -->` section of RESULTS.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askWatcher, initArchive } from '../src/index.js';
import { writeSection } from './results.js';

const ROOT = join(import.meta.dirname, '..');
const N = Number(process.env.BENCH_STATS_SESSIONS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 1000;
const dir = join(tmpdir(), `sarc-stats-bench-${N}`);
const stateDir = `${dir}-state`;

const AGENTS = ['claude-code', 'codex', 'opencode', 'gemini-cli'];
const MODELS = ['claude-sonnet-4-5', 'gpt-5-codex', 'claude-opus-4-5', 'gemini-2.5-pro', 'in-house-model'];
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const sessionId = (s: number) => `ses_${hex(0xf00000000000 - s, 12)}Stats${String(s).padStart(9, '0')}`;
const messageId = (s: number, m: number) =>
  `msg_${hex(0x019a00000000 + s * 8 + m, 12)}S${String(s).padStart(7, '0')}${String(m).padStart(6, '0')}`;
const partId = (s: number, m: number, p: number) =>
  `prt_${hex(0x019a00000000 + s * 8 + m, 12)}${String(s).padStart(7, '0')}${String(m).padStart(5, '0')}${p}`;

/** The archive, made once and kept in $TMPDIR between runs (a `ready` file marks it complete). */
async function makeArchive(): Promise<void> {
  if (existsSync(join(dir, 'ready'))) return;
  rmSync(dir, { recursive: true, force: true });
  await initArchive(dir);
  const start = Date.UTC(2026, 0, 1);
  const t0 = Date.now();
  for (let k = 0; k < 20; k++) {
    const id = hex(k, 40);
    const record = { id, worktree: `/home/dev/src/project-${k}`, vcs: 'git', sandboxes: [], time: { created: start, updated: start } };
    writeFileSync(join(dir, 'projects', `${id}.json`), JSON.stringify(record));
  }
  for (let s = 0; s < N; s++) {
    const id = sessionId(s);
    const created = start + Math.floor((s / N) * 365 * 86_400_000) + (s % 7) * 3_600_000;
    const agent = AGENTS[s % AGENTS.length] as string;
    mkdirSync(join(dir, 'sessions', id, 'messages'), { recursive: true });
    writeFileSync(
      join(dir, 'sessions', id, 'info.json'),
      JSON.stringify({
        id,
        slug: 'bench',
        projectID: s % 3 ? `${hex(s % 20, 40)}` : 'global',
        directory: `/home/dev/src/project-${s % 20}`,
        title: `Session ${s}`,
        version: '1.18.33',
        metadata: { source: agent },
        time: { created, updated: created + 300_000 },
      }),
    );
    let parent = '';
    for (let m = 0; m < 4; m++) {
      const mid = messageId(s, m);
      const at = created + m * 60_000;
      const part = (p: number, body: Record<string, unknown>) => ({ id: partId(s, m, p), sessionID: id, messageID: mid, ...body });
      const file =
        m % 2 === 0
          ? {
              info: {
                id: mid,
                sessionID: id,
                role: 'user',
                time: { created: at },
                agent: 'build',
                model: { providerID: 'p', modelID: 'm' },
              },
              parts: [part(0, { type: 'text', text: `please refactor module ${s % 97}` })],
            }
          : {
              info: {
                id: mid,
                sessionID: id,
                role: 'assistant',
                parentID: parent,
                providerID: 'p',
                modelID: MODELS[(s + m) % MODELS.length],
                mode: 'build',
                agent: 'build',
                path: { cwd: '/', root: '/' },
                cost: agent === 'opencode' ? 0.0125 : 0,
                tokens: {
                  input: 1000 + (s % 5000),
                  output: 200 + (s % 700),
                  reasoning: s % 100,
                  cache: { read: 20_000 + (s % 9000), write: s % 3000 },
                },
                time: { created: at + 1000, completed: at + 30_000 },
              },
              parts: [
                part(0, { type: 'text', text: 'done' }),
                part(1, {
                  type: 'tool',
                  callID: `call_${s}_${m}`,
                  tool: 'bash',
                  state:
                    s % 11
                      ? {
                          status: 'completed',
                          input: { command: 'npm test' },
                          output: 'ok',
                          title: 'npm test',
                          metadata: {},
                          time: { start: at, end: at + 5000 },
                        }
                      : { status: 'error', input: { command: 'npm test' }, error: 'exit 1', time: { start: at, end: at + 5000 } },
                }),
              ],
            };
      if (m % 2 === 0) parent = mid;
      writeFileSync(join(dir, 'sessions', id, 'messages', `${mid}.json`), JSON.stringify(file));
    }
    if (s % 10_000 === 9_999) console.log(`  ${s + 1} sessions written (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  writeFileSync(join(dir, 'ready'), '');
}

// The CLI compiled once into a folder of its own, with its data/, started the way a shell starts it.
// Inside the checkout (node_modules/.cache), so the compiled files find the packages.
const build = join(ROOT, 'node_modules', '.cache', 'sarc-stats-bench');
rmSync(build, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', join(build, 'dist')],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
cpSync(join(ROOT, 'data'), join(build, 'data'), { recursive: true });
cpSync(join(ROOT, 'samples'), join(build, 'samples'), { recursive: true });
const SARC = join(build, 'dist', 'bin', 'sarc.js');

console.log(`archive of ${N.toLocaleString('en')} sessions at ${dir}`);
await makeArchive();
const env = { ...process.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1', TZ: 'UTC' };

function timed(args: string[], extra: Record<string, string> = {}): { ms: number; stdout: string; stderr: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...env, ...extra }, encoding: 'utf8', cwd: dir, maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const COMMANDS: Array<[string, string[]]> = [
  ['stats', ['stats']],
  ['stats --by day,week,project', ['stats', '--by', 'day,week,project']],
  ['stats --by model,agent --top 20', ['stats', '--by', 'model,agent', '--top', '20']],
  ['stats --project project-1 --since 30d', ['stats', '--project', 'project-1', '--since', '30d']],
];

// The first build of the search index (what a first `sarc stats` does), from no state at all.
rmSync(stateDir, { recursive: true, force: true });
let t = Date.now();
timed([SARC, 'stats', '--quiet'], { SARC_NO_WATCHER: '1' });
const buildMs = Date.now() - t;
console.log(`search index built in ${(buildMs / 1000).toFixed(0)} s`);

const ANSWERED = 'answered by the running watcher';
function round(label: string, extra: Record<string, string>, answered: boolean): Record<string, number[]> {
  const out: Record<string, number[]> = { 'node -e 0': [], 'sarc --help': [] };
  for (const [name, args] of COMMANDS) {
    out[name] = [];
    const r = timed([SARC, '--debug', ...args], extra);
    if (r.stderr.includes(ANSWERED) !== answered)
      throw new Error(`${name}: ${answered ? 'the watcher did not answer' : 'a watcher answered'}: ${r.stderr}`);
  }
  for (let i = 0; i < RUNS; i++) {
    out['node -e 0']?.push(timed(['-e', '0']).ms);
    out['sarc --help']?.push(timed([SARC, '--help']).ms);
    for (const [name, args] of COMMANDS) out[name]?.push(timed([SARC, ...args], extra).ms);
  }
  console.log(label, Object.fromEntries(Object.entries(out).map(([k, v]) => [k, median(v).toFixed(0)])));
  return out;
}

const without = round('without a watcher', { SARC_NO_WATCHER: '1' }, false);

const watcher = spawn(process.execPath, [SARC, 'watch', '--quiet', '--search'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
let withWatcher: Record<string, number[]> = {};
let startMs = 0;
const updates: number[] = [];
try {
  t = Date.now();
  for (;;) {
    const a = await askWatcher(dir, { op: 'usage', query: { tables: [] } }, { stateDir });
    if (a && 'value' in a) break;
    if (Date.now() - t > 900_000) throw new Error('the watcher did not answer within 15 min');
    await new Promise((r) => setTimeout(r, 500));
  }
  startMs = Date.now() - t;
  withWatcher = round('with a watcher', {}, true);
  // A new reply in a session: how soon the watcher's figures include it.
  for (let i = 0; i < RUNS; i++) {
    const ask = async () => {
      const a = await askWatcher(dir, { op: 'usage', query: { tables: [], top: 0 } }, { stateDir });
      return a && 'value' in a ? (a.value as { total: { messages: number } }).total.messages : -1;
    };
    const before = await ask();
    // Among the newest sessions, whose messages folders the watcher watches (older ones wait for the periodic check).
    const s = N - 1 - i;
    const id = sessionId(s);
    const mid = messageId(s, 4 + i);
    const began = process.hrtime.bigint();
    writeFileSync(
      join(dir, 'sessions', id, 'messages', `${mid}.json`),
      JSON.stringify({
        info: {
          id: mid,
          sessionID: id,
          role: 'user',
          time: { created: Date.now() },
          agent: 'build',
          model: { providerID: 'p', modelID: 'm' },
        },
        parts: [{ id: partId(s, 4 + i, 0), sessionID: id, messageID: mid, type: 'text', text: 'one more' }],
      }),
    );
    while ((await ask()) === before) await new Promise((r) => setTimeout(r, 20));
    updates.push(Number(process.hrtime.bigint() - began) / 1e6);
    rmSync(join(dir, 'sessions', id, 'messages', `${mid}.json`));
    while ((await ask()) !== before) await new Promise((r) => setTimeout(r, 20));
  }
} finally {
  watcher.kill('SIGINT');
}

const node = median([...(without['node -e 0'] ?? []), ...(withWatcher['node -e 0'] ?? [])]);
const help = median([...(without['sarc --help'] ?? []), ...(withWatcher['sarc --help'] ?? [])]);
const rows = COMMANDS.map(([name]) => {
  const a = median(withWatcher[name] ?? []);
  const b = median(without[name] ?? []);
  return `| \`sarc ${name}\` | ${a.toFixed(0)} (${(a / node).toFixed(1)}× node) | ${a <= TARGET_MS ? 'met' : '**missed**'} | ${b.toFixed(0)} (${(b / node).toFixed(1)}× node) |`;
});
writeSection(
  'stats',
  `## Usage figures (\`sarc stats\`)

\`npm run bench:stats\` on ${N.toLocaleString('en')} generated sessions (${(N * 4).toLocaleString('en')} messages: two replies each with tokens, a model
of five — one unpriced — and a tool call; four agents; spread over a year), ${new Date().toISOString().slice(0, 10)}, Node ${process.version}.
Whole processes (\`node dist/bin/sarc.js …\`, wall time from spawn to exit), medians of ${RUNS} interleaved runs after one
untimed run each, files in the page cache. Baselines, same run: \`node -e 0\` **${node.toFixed(0)} ms**, \`sarc --help\` **${help.toFixed(0)} ms**.
"With a watcher": \`sarc watch --quiet --search\` runs (it answered after ${(startMs / 1000).toFixed(1)} s, its search index already built) and
\`sarc stats\` asks it; "without": \`SARC_NO_WATCHER=1\`, the command catches the search index up itself (a \`stat\` of three
paths per session against the stamps the last run saved), reads every session's bucket rows from it (most of the time
here: a watcher reads them once, at its first question, and then only the sessions that change) and sums them. The first build of the index (every message
read) took ${(buildMs / 1000).toFixed(0)} s.

| command | with a watcher, ms | ≤ ${TARGET_MS} ms | without, ms |
|---|---|---|---|
${rows.join('\n')}

A new message in the figures the watcher answers, after its file is written: p50 ${median(updates).toFixed(0)} ms, max ${Math.max(...updates).toFixed(0)} ms
(the watcher's notice, the message read, the session's quarter-hour buckets summed again).
`,
);
console.log(`RESULTS.md: stats section written`);
process.exit(0);
