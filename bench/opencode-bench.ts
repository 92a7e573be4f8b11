// `npm run bench:opencode`: session-archive's server side by side with the
// real OpenCode 1.18.33 (`opencode serve`, SQLite) on the same machine, same
// client, same run: creating sessions as the archive grows, start to the first
// answer and memory over many sessions, idle CPU, pages of messages, and
// OpenCode's routes without a limit. `sarc serve` runs compiled (`dist/`,
// built first) in its own process. BENCH_SESSIONS (default 10,000) sets the
// archive size for start, memory and lists; creates are timed through the API
// up to BENCH_CREATE (default 10,000), and past that both sides are filled by
// writing their storage directly (session folders; rows in OpenCode's own
// database, copied from one it made). Creates at BENCH_CREATE and at the full
// size are also measured side by side (a copy of each side kept at
// BENCH_CREATE, served beside the full one, rounds alternating), since the
// two windows above are minutes apart. Skips, with a note, without the binary.
// BENCH_ONLY=sarc runs session-archive's side alone and prints it (no results
// written); BENCH_KEEP=1 keeps the work folder (in the temp dir) to look into.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { opencodeEnv } from '../test/fixtures/opencode-env.js';
import { writeSection } from './results.js';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const CREATE = Math.min(SESSIONS, Number(process.env.BENCH_CREATE ?? 10_000));
/** The longer conversation's length (the shorter is 1,000). */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
/** Rounds of 200 creates per size in the side-by-side measurement. */
const SIDE_BY_SIDE_ROUNDS = 6;
const BINARY = process.env.OPENCODE_BIN || join(ROOT, '.ci', 'tools', 'node_modules', 'opencode-linux-x64', 'bin', 'opencode');

interface Server {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function procStat(pid: number): { rssMB: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  // Fields after the command name: utime is the 14th, stime the 15th field overall (clock ticks, 100 a second here).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rssMB: rss, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}

/** Every process in a tree (OpenCode's binary may start helpers): RSS and CPU summed. */
function treeStat(pid: number): { rssMB: number; cpuMs: number } {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8').trim();
      if (children) pids.push(...children.split(' ').map(Number));
    } catch {
      // gone
    }
  }
  let rssMB = 0;
  let cpuMs = 0;
  for (const p of pids) {
    try {
      const s = procStat(p);
      rssMB += s.rssMB;
      cpuMs += s.cpuMs;
    } catch {
      // gone
    }
  }
  return { rssMB, cpuMs };
}

async function waitUp(url: string, started: number): Promise<number> {
  for (;;) {
    const ok = await fetch(`${url}/session?limit=1`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.arrayBuffer().then(() => r.ok),
      () => false,
    );
    if (ok) return performance.now() - started;
    if (performance.now() - started > 600_000) throw new Error(`${url} did not answer within 10 minutes`);
    await sleep(20);
  }
}

function stopper(child: ReturnType<typeof spawn>): () => Promise<void> {
  return () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('close', () => done());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
}

async function startSarc(work: string, cwd = join(work, 'repo')): Promise<{ server: Server; startMs: number }> {
  const port = 4900 + Math.floor(Math.random() * 90);
  const env = { ...process.env, SARC_ARCHIVE: join(work, 'archive'), SARC_STATE_DIR: join(work, 'state'), SARC_SERVER_PASSWORD: '' };
  if (!existsSync(join(work, 'archive', 'archive.json')))
    execFileSync(process.execPath, [join(ROOT, 'dist', 'bin', 'sarc.js'), 'init', join(work, 'archive')], { env, stdio: 'ignore' });
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'bin', 'sarc.js'), 'serve', '--port', String(port)], {
    env,
    stdio: 'ignore',
    cwd,
  });
  const url = `http://127.0.0.1:${port}`;
  const startMs = await waitUp(url, started);
  return { server: { name: 'sarc serve', url, pid: child.pid as number, stop: stopper(child) }, startMs };
}

async function startOpencode(home: string, cwd = join(home, 'repo')): Promise<{ server: Server; startMs: number }> {
  const port = 4990 + Math.floor(Math.random() * 9);
  const started = performance.now();
  const child = spawn(BINARY, ['serve', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd,
    env: opencodeEnv(home),
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const startMs = await waitUp(url, started);
  return { server: { name: 'OpenCode', url, pid: child.pid as number, stop: stopper(child) }, startMs };
}

const post = async (url: string, body: unknown) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`POST ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string };
};

/** Creates sessions one after another through the API; the rate (per second) of each window of `window` (1,000). */
async function creates(server: Server, count: number, window = 1000): Promise<number[]> {
  const rates: number[] = [];
  let t = performance.now();
  for (let i = 1; i <= count; i++) {
    await post(`${server.url}/session`, { title: `Session ${i}: refactor the parser` });
    if (i % window === 0) {
      const now = performance.now();
      rates.push(window / ((now - t) / 1000));
      t = now;
    }
  }
  return rates;
}

async function timeGet(url: string, runs = 9): Promise<{ ms: number; bytes: number; count: number }> {
  const times: number[] = [];
  let bytes = 0;
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await fetch(url);
    const text = await r.text();
    times.push(performance.now() - t);
    if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
    bytes = text.length;
    const body = JSON.parse(text);
    count = Array.isArray(body) ? body.length : 0;
  }
  return { ms: median(times), bytes, count };
}

/** Waits until the server's search index has caught up with the archive. */
async function searchBuilt(server: Server): Promise<void> {
  for (;;) {
    const r = await fetch(`${server.url}/search?query=parser&limit=1`);
    if (r.ok && ((await r.json()) as { complete?: boolean }).complete) return;
    await sleep(500);
  }
}

async function appendMessages(server: Server, session: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await post(`${server.url}/session/${session}/message`, {
      noReply: true,
      parts: [{ type: 'text', text: `Message ${i}. ${'Some words about the parser and its tests. '.repeat(8)}` }],
    });
  }
}

/** Fills an archive up to `total` sessions by copying one session folder with new IDs (as a sync would bring them). */
async function fillArchive(work: string, total: number): Promise<void> {
  const { newId } = (await import(join(ROOT, 'dist', 'model', 'ids.js'))) as { newId: (k: string) => string };
  const sessions = join(work, 'archive', 'sessions');
  const existing = readdirSync(sessions).filter((n) => n.startsWith('ses_'));
  const template = JSON.parse(readFileSync(join(sessions, existing[0] as string, 'info.json'), 'utf8'));
  for (let i = existing.length; i < total; i++) {
    const id = newId('session');
    mkdirSync(join(sessions, id));
    writeFileSync(
      join(sessions, id, 'info.json'),
      `${JSON.stringify({ ...template, id, title: `Session ${i}: refactor the parser` }, null, 2)}\n`,
    );
  }
}

/** Fills OpenCode's database up to `total` sessions by copying one of its rows with new IDs (its server stopped). */
function fillOpencode(home: string, total: number): void {
  const Database = require('better-sqlite3');
  const db = new Database(join(home, 'data', 'opencode', 'opencode.db'));
  const have = db.prepare('SELECT count(*) AS n FROM session').get().n as number;
  const row = db.prepare('SELECT * FROM session LIMIT 1').get() as Record<string, unknown>;
  const columns = Object.keys(row);
  const insert = db.prepare(`INSERT INTO session (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const base = Number(row.time_created);
  db.transaction(() => {
    for (let i = have; i < total; i++) {
      const id = `ses_${(0xffffffffffff - i).toString(16)}FilledByBench`;
      insert.run(
        ...columns.map((c) =>
          c === 'id' ? id : c === 'time_created' || c === 'time_updated' ? base - i * 1000 : c === 'title' ? `Session ${i}` : row[c],
        ),
      );
    }
  })();
  db.close();
}

function gitRepo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['-c', 'user.email=b@example.org', '-c', 'user.name=bench', 'commit', '-q', '--allow-empty', '-m', 'root'], {
    cwd: dir,
  });
}

interface SideResult {
  createRates: number[];
  startMs: number;
  rssStart: number;
  rssPage: number;
  rssUnlimited: number;
  idleCpuMsPerMin: number;
  /** The same over the window that follows (past what a start leaves behind: V8's heap shrinking after the start's garbage). */
  idleLaterCpuMsPerMin: number;
  /** Sessions/s creating 1,000 more once the archive holds SESSIONS + 1 (NaN when nothing was filled). */
  lateCreateRate: number;
  /**
   * Sessions/s at CREATE and at SESSIONS + 1 sessions, measured side by side:
   * a copy kept at CREATE and the full archive served at once, rounds of
   * creates alternating between them (medians). The windows above are
   * minutes apart, and this machine's disk and CPU drift over minutes.
   */
  sideBySide: { small: number; large: number };
  listLimit100: { ms: number };
  listDefault: { ms: number; count: number; bytes: number };
  page1k: number;
  page10k: number;
}

async function side(name: 'sarc' | 'opencode', work: string): Promise<SideResult> {
  const repo = join(work, 'repo');
  gitRepo(repo);
  // Every server of a side runs in the same project folder, the copy kept at CREATE sessions too.
  const start = (at = work) => (name === 'sarc' ? startSarc(at, repo) : startOpencode(at, repo));
  let { server } = await start();
  const createRates = await creates(server, CREATE);
  console.error(`${name}: created ${CREATE} sessions`);
  // Pages: one session of 1,000 messages, then 10,000 (BENCH_MESSAGES=0: not measured).
  let page1k = Number.NaN;
  let page10k = Number.NaN;
  if (MESSAGES > 0) {
    const session = (await post(`${server.url}/session`, { title: 'long conversation' })).id;
    await appendMessages(server, session, 1_000);
    page1k = (await timeGet(`${server.url}/session/${session}/message?limit=100`, 15)).ms;
    await appendMessages(server, session, MESSAGES - 1_000);
    page10k = (await timeGet(`${server.url}/session/${session}/message?limit=100`, 15)).ms;
    console.error(`${name}: pages measured`);
  }
  await server.stop();
  const filled = SESSIONS > CREATE + 1;
  const small = `${work}-at-${CREATE}`;
  if (filled) cpSync(work, small, { recursive: true });
  if (filled) {
    if (name === 'sarc') await fillArchive(work, SESSIONS + 1);
    else fillOpencode(work, SESSIONS + 1);
  }
  // A start with the files or database warm in the page cache, as on a machine in use; for
  // session-archive it also builds the search index of the sessions written directly (once per archive).
  ({ server } = await start());
  if (name === 'sarc') await searchBuilt(server);
  await server.stop();
  const started = await start();
  server = started.server;
  await sleep(2_000);
  if (name === 'sarc') await searchBuilt(server);
  const rssStart = treeStat(server.pid).rssMB;
  const listLimit100 = await timeGet(`${server.url}/session?limit=100`);
  const rssPage = treeStat(server.pid).rssMB;
  const listDefault = await timeGet(`${server.url}/session`);
  const rssUnlimited = treeStat(server.pid).rssMB;
  await sleep(5_000);
  const before = treeStat(server.pid).cpuMs;
  const IDLE = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
  await sleep(IDLE * 1000);
  const after = treeStat(server.pid).cpuMs;
  const idleCpuMsPerMin = ((after - before) / IDLE) * 60;
  await sleep(IDLE * 1000);
  const idleLaterCpuMsPerMin = ((treeStat(server.pid).cpuMs - after) / IDLE) * 60;
  // Creates at the full size too, through the same API, when the fill went past what was created.
  const lateCreateRate = filled ? ((await creates(server, 1000))[0] as number) : Number.NaN;
  const sideBySide = { small: Number.NaN, large: Number.NaN };
  if (filled) {
    const other = (await start(small)).server;
    if (name === 'sarc') await searchBuilt(other);
    await sleep(5_000);
    const rates = { small: [] as number[], large: [] as number[] };
    for (let round = 0; round < SIDE_BY_SIDE_ROUNDS; round++) {
      // Each goes first every other round.
      for (const which of round % 2 === 0 ? (['large', 'small'] as const) : (['small', 'large'] as const)) {
        rates[which].push((await creates(which === 'large' ? server : other, 200, 200))[0] as number);
      }
    }
    await other.stop();
    rmSync(small, { recursive: true, force: true });
    sideBySide.small = median(rates.small);
    sideBySide.large = median(rates.large);
  }
  await server.stop();
  return {
    createRates,
    startMs: started.startMs,
    rssStart,
    rssPage,
    rssUnlimited,
    idleCpuMsPerMin,
    idleLaterCpuMsPerMin,
    lateCreateRate,
    sideBySide,
    listLimit100,
    listDefault,
    page1k,
    page10k,
  };
}

function section(body: string): void {
  writeSection('opencode', body);
}

if (!existsSync(BINARY)) {
  const note = `## Side by side with OpenCode\n\nNot measured: no OpenCode binary here (${BINARY}; \`.ci/run\` installs it).\n\n`;
  section(note);
  console.log(note);
} else {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const work = join(tmpdir(), 'sarc-opencode-bench');
  rmSync(work, { recursive: true, force: true });
  const ours = await side('sarc', join(work, 'sarc'));
  if (process.env.BENCH_ONLY === 'sarc') {
    console.log(JSON.stringify(ours, null, 2));
    process.exit(0);
  }
  const theirs = await side('opencode', join(work, 'opencode'));
  if (process.env.BENCH_KEEP !== '1') rmSync(work, { recursive: true, force: true });
  const f = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const last = (r: number[]) => r[r.length - 1] as number;
  const first = (r: number[]) => r[0] as number;
  const judge = (label: string, ok: boolean) => `- ${ok ? 'Met' : '**Missed**'}: ${label}`;
  const flat = first(ours.createRates) / last(ours.createRates);
  const late = Number.isFinite(ours.lateCreateRate) && Number.isFinite(theirs.lateCreateRate);
  // Cost ratios (time per create at the full size / in the earlier window).
  const lateFlat = first(ours.createRates) / ours.lateCreateRate;
  const lateVsTen = last(ours.createRates) / ours.lateCreateRate;
  const sideFlat = ours.sideBySide.small / ours.sideBySide.large;
  const pageRows =
    MESSAGES > 0
      ? `| page of 100 messages, 1,000-message session | ${f(ours.page1k, 1)} ms | ${f(theirs.page1k, 1)} ms | ${ratio(ours.page1k, theirs.page1k)} |
| page of 100 messages, ${f(MESSAGES)}-message session | ${f(ours.page10k, 1)} ms | ${f(theirs.page10k, 1)} ms | ${ratio(ours.page10k, theirs.page10k)} |
`
      : '';
  const pageJudge =
    MESSAGES > 0
      ? `${judge(`pages at least as fast as OpenCode at 1,000 and ${f(MESSAGES)} messages`, ours.page1k <= theirs.page1k && ours.page10k <= theirs.page10k)}\n`
      : '';
  const body = `## Side by side with OpenCode

\`npm run bench:opencode\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}: \`sarc serve\` (compiled) and the real
\`opencode serve\` 1.18.33, each in a fresh folder, one client (\`fetch\`) making one request at a time. Creates through
\`POST /session\` up to ${f(CREATE)}; then both are filled to ${f(SESSIONS + 1)} sessions by writing their storage directly
(session folders; rows copied in OpenCode's own database), started once to warm the page cache, and started again
for the start, memory and idle rows (session-archive's search index caught up first: idle means idle; idle CPU over the first minute from 5 s after the list requests, then over the minute after).
The side-by-side rows: a copy of each side kept at ${f(CREATE)} sessions is served beside the full one, and rounds of 200 creates
alternate between the two (medians of ${SIDE_BY_SIDE_ROUNDS} rounds each), so both sizes meet the same machine. Pages: one session grown through \`POST /session/:id/message\` (\`noReply\`),
the median of 15 \`GET …/message?limit=100\`. Ratios: session-archive / OpenCode (rates: higher is better; times and
memory: lower is better).

| | session-archive | OpenCode | ratio |
|---|---|---|---|
| create sessions/s, first 1,000 | ${f(first(ours.createRates))} | ${f(first(theirs.createRates))} | ${ratio(first(ours.createRates), first(theirs.createRates))} |
| create sessions/s, ${f(CREATE - 1000)} → ${f(CREATE)} | ${f(last(ours.createRates))} | ${f(last(theirs.createRates))} | ${ratio(last(ours.createRates), last(theirs.createRates))} |
${
  late
    ? `| create sessions/s, ${f(SESSIONS + 1)} → ${f(SESSIONS + 1001)} | ${f(ours.lateCreateRate)} | ${f(theirs.lateCreateRate)} | ${ratio(ours.lateCreateRate, theirs.lateCreateRate)} |
| create sessions/s at ${f(CREATE)}, side by side with the full archive | ${f(ours.sideBySide.small)} | ${f(theirs.sideBySide.small)} | ${ratio(ours.sideBySide.small, theirs.sideBySide.small)} |
| create sessions/s at ${f(SESSIONS + 1)}, side by side with the copy at ${f(CREATE)} | ${f(ours.sideBySide.large)} | ${f(theirs.sideBySide.large)} | ${ratio(ours.sideBySide.large, theirs.sideBySide.large)} |\n`
    : ''
}| start → first \`GET /session\`, ${f(SESSIONS + 1)} sessions | ${f(ours.startMs)} ms | ${f(theirs.startMs)} ms | ${ratio(ours.startMs, theirs.startMs)} |
| RSS after start | ${f(ours.rssStart)} MB | ${f(theirs.rssStart)} MB | ${ratio(ours.rssStart, theirs.rssStart)} |
| RSS after \`GET /session?limit=100\` | ${f(ours.rssPage)} MB | ${f(theirs.rssPage)} MB | ${ratio(ours.rssPage, theirs.rssPage)} |
| RSS after \`GET /session\` (no limit) | ${f(ours.rssUnlimited)} MB | ${f(theirs.rssUnlimited)} MB | ${ratio(ours.rssUnlimited, theirs.rssUnlimited)} |
| idle CPU, ms per minute, the first minute after start | ${f(ours.idleCpuMsPerMin)} | ${f(theirs.idleCpuMsPerMin)} | ${ratio(ours.idleCpuMsPerMin, theirs.idleCpuMsPerMin)} |
| idle CPU, ms per minute, the minute after | ${f(ours.idleLaterCpuMsPerMin)} | ${f(theirs.idleLaterCpuMsPerMin)} | ${ratio(ours.idleLaterCpuMsPerMin, theirs.idleLaterCpuMsPerMin)} |
| \`GET /session?limit=100\` | ${f(ours.listLimit100.ms, 1)} ms | ${f(theirs.listLimit100.ms, 1)} ms | ${ratio(ours.listLimit100.ms, theirs.listLimit100.ms)} |
| \`GET /session\` (no limit) | ${f(ours.listDefault.ms, 1)} ms, ${f(ours.listDefault.count)} sessions | ${f(theirs.listDefault.ms, 1)} ms, ${f(theirs.listDefault.count)} sessions | ${ratio(ours.listDefault.ms, theirs.listDefault.ms)} |
${pageRows}
${judge(`creates stay flat (first 1,000 / last 1,000: ${flat.toFixed(2)}, within 1.5)`, flat <= 1.5)}
${judge('creates at least as fast as OpenCode at the start and at the end', first(ours.createRates) >= first(theirs.createRates) && last(ours.createRates) >= last(theirs.createRates))}${
  late
    ? `\n${judge(`creates at ${f(SESSIONS + 1)} sessions cost within 1.5× of the first 1,000 (${lateFlat.toFixed(2)}) and of 9,000 → 10,000 (${lateVsTen.toFixed(2)}), and are at least as fast as OpenCode's`, Math.max(lateFlat, 1 / lateFlat, lateVsTen, 1 / lateVsTen) <= 1.5 && ours.lateCreateRate >= theirs.lateCreateRate)}
${judge(`side by side, creates at ${f(SESSIONS + 1)} sessions cost within 1.5× of those at ${f(CREATE)} (${sideFlat.toFixed(2)}), and are at least as fast as OpenCode's at both sizes`, Math.max(sideFlat, 1 / sideFlat) <= 1.5 && ours.sideBySide.small >= theirs.sideBySide.small && ours.sideBySide.large >= theirs.sideBySide.large)}`
    : ''
}
${judge('start ≤ 2× OpenCode', ours.startMs <= 2 * theirs.startMs)}
${judge('RSS ≤ 400 MB and ≤ OpenCode after start and after a page', Math.max(ours.rssStart, ours.rssPage) <= Math.min(400, Math.max(theirs.rssStart, theirs.rssPage)))}
${judge('idle CPU ≤ OpenCode in the first minute after start', ours.idleCpuMsPerMin <= theirs.idleCpuMsPerMin)}
${judge('idle CPU ≤ OpenCode in the minute after', ours.idleLaterCpuMsPerMin <= theirs.idleLaterCpuMsPerMin)}
${judge('`GET /session` without a limit answers what OpenCode answers', ours.listDefault.count === theirs.listDefault.count)}
${pageJudge}
`;
  section(body);
  console.log(body);
}
