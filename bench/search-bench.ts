// npm run bench:search: full-text search over 100,000 sessions / 1,000,000
// messages of realistic sizes (BENCH_SEARCH_SESSIONS, ×10 messages each):
// the two engines measured on the same data (SQLite FTS5 through the real
// binding, MiniSearch in memory), then the chosen one at full size — build
// time against reading the bytes (the floor), warm query p50/p99 against
// `grep -r` (and ripgrep when installed) for the same queries, an update's
// time to searchable, RSS and size on disk — and the conversation view's
// server time to the first page of a 1,500-message session. Writes its
// section of bench/RESULTS.md (between the search markers).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { messageText, openArchive, SearchIndex } from '../src/index.js';
import { startServer } from '../src/server/serve.js';
import { writeSection } from './results.js';

const SESSIONS = Number(process.env.BENCH_SEARCH_SESSIONS ?? 100_000);
const PER_SESSION = 10;
const COMPARE_SESSIONS = Math.min(SESSIONS, Number(process.env.BENCH_SEARCH_COMPARE ?? 10_000));
const _here = import.meta.dirname;
const root = process.env.BENCH_SEARCH_DIR ?? join(tmpdir(), 'sarc-search-bench');

// A deterministic text generator: 20,000 made-up words with a Zipf-like
// spread (a few very common, most rare), plus planted words whose counts
// are known, so that queries span common, medium and rare.
let seed = 42;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'te',
  'su',
  'no',
  'vi',
  'de',
  'pa',
  'ri',
  'go',
  'ne',
  'tu',
  'ba',
  'sho',
  'fe',
  'zu',
  'lan',
  'mor',
];
const WORDS = Array.from({ length: 20_000 }, (_, i) => {
  let w = '';
  let n = i + 7;
  do {
    w += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  } while (n > 0);
  return w;
});
const ENGLISH =
  'the a to of and in is it for that on with this be as are was retry timeout parser deploy request error test build file function return value config server client cache token session message update'.split(
    ' ',
  );
const word = () =>
  rand() < 0.45 ? (ENGLISH[Math.floor(rand() ** 2 * ENGLISH.length)] as string) : (WORDS[Math.floor(rand() ** 3 * WORDS.length)] as string);
const sentence = (n: number) => Array.from({ length: n }, word).join(' ');
/** Planted: "kumquat" in 1 of 10,000 messages, "persimmon" in 1 of 100, phrase "connection reset by peer" in 1 of 1,000. */
const planted = (i: number) =>
  `${i % 10_000 === 3 ? ' kumquat' : ''}${i % 100 === 7 ? ' persimmon' : ''}${i % 1000 === 11 ? ' connection reset by peer' : ''}`;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const sessionId = (s: number) => `ses_${hex(0xf00000000000 - s, 12)}Bench${String(s).padStart(9, '0')}`;
const messageId = (s: number, m: number) =>
  `msg_${hex(0x019a00000000 + s * 2048 + m, 12)}B${String(s).padStart(7, '0')}${String(m).padStart(6, '0')}`;
const partId = (s: number, m: number, p: number) =>
  `prt_${hex(0x019a00000000 + s * 2048 + m, 12)}${String(s).padStart(7, '0')}${String(m).padStart(5, '0')}${String(p).padStart(2, '0')}`;

/** One message file: a user prompt, or an assistant answer with text, reasoning and tool calls (with outputs of a few KB). */
function message(s: number, m: number, created: number, directory: string): string {
  const sessionID = sessionId(s);
  const id = messageId(s, m);
  const i = s * PER_SESSION + m;
  const part = (p: number, body: Record<string, unknown>) => ({ id: partId(s, m, p), sessionID, messageID: id, ...body });
  if (m % 2 === 0) {
    return JSON.stringify(
      {
        info: {
          id,
          sessionID,
          role: 'user',
          time: { created },
          agent: 'build',
          model: { providerID: 'anthropic', modelID: 'claude-sonnet-4-5' },
        },
        parts: [part(0, { type: 'text', text: `${sentence(20 + Math.floor(rand() * 60))}${planted(i)}` })],
      },
      null,
      2,
    );
  }
  const parts: unknown[] = [
    part(0, { type: 'reasoning', text: sentence(15 + Math.floor(rand() * 30)), time: { start: created, end: created + 500 } }),
  ];
  const tools = Math.floor(rand() * 3);
  for (let t = 0; t < tools; t++) {
    parts.push(
      part(1 + t, {
        type: 'tool',
        callID: `call_${i}_${t}`,
        tool: t === 0 ? 'bash' : 'read',
        state: {
          status: 'completed',
          input: t === 0 ? { command: `npm test -- ${word()}` } : { filePath: `${directory}/src/${word()}.ts` },
          output: Array.from({ length: 5 + Math.floor(rand() * 40) }, () => sentence(8)).join('\n'),
          title: word(),
          metadata: {},
          time: { start: created + 600, end: created + 900 },
        },
      }),
    );
  }
  parts.push(part(9, { type: 'text', text: `${sentence(30 + Math.floor(rand() * 150))}${planted(i)}` }));
  return JSON.stringify(
    {
      info: {
        id,
        sessionID,
        role: 'assistant',
        time: { created, completed: created + 2000 },
        parentID: messageId(s, m - 1),
        modelID: 'claude-sonnet-4-5',
        providerID: 'anthropic',
        mode: 'build',
        agent: 'build',
        path: { cwd: directory, root: directory },
        cost: 0.01,
        tokens: { input: 4000, output: 300, reasoning: 0, cache: { read: 0, write: 0 } },
        finish: 'stop',
      },
      parts,
    },
    null,
    2,
  );
}

function info(s: number, directory: string, created: number, messages: number): string {
  return JSON.stringify(
    {
      id: sessionId(s),
      slug: `bench-${s}`,
      projectID: `project${s % 50}`,
      directory,
      title: `${sentence(3 + Math.floor(rand() * 5))}${s % 5000 === 17 ? ' tangerine' : ''}`,
      version: 'bench',
      time: { created, updated: created + messages * 5000 },
    },
    null,
    2,
  );
}

/** Writes the archive's files directly (the library's fsynced writes would make setting up 1M messages the longest part). */
function generate(dir: string, sessions: number, messagesOf: (s: number) => number = () => PER_SESSION): { files: number; bytes: number } {
  mkdirSync(join(dir, 'sessions'), { recursive: true });
  writeFileSync(join(dir, 'archive.json'), JSON.stringify({ format: 'session-archive', version: 1 }));
  let files = 0;
  let bytes = 0;
  const base = Date.UTC(2025, 0, 1);
  for (let s = 0; s < sessions; s++) {
    const folder = join(dir, 'sessions', sessionId(s));
    mkdirSync(join(folder, 'messages'), { recursive: true });
    const directory = `/home/dev/src/project-${s % 50}${s % 3 === 0 ? '/api' : ''}`;
    const created = base + s * 300_000;
    const count = messagesOf(s);
    const text = info(s, directory, created, count);
    writeFileSync(join(folder, 'info.json'), text);
    bytes += text.length;
    files++;
    for (let m = 0; m < count; m++) {
      const body = message(s, m, created + m * 5000, directory);
      writeFileSync(join(folder, 'messages', `${messageId(s, m)}.json`), body);
      bytes += body.length;
      files++;
    }
    if (s % 10_000 === 9_999) process.stderr.write(`generated ${s + 1} sessions\n`);
  }
  return { files, bytes };
}

/** Reads every file once (the floor for building an index of them). */
function readAll(dir: string): number {
  const t = performance.now();
  let bytes = 0;
  for (const s of readdirSync(join(dir, 'sessions'))) {
    const folder = join(dir, 'sessions', s);
    bytes += readFileSync(join(folder, 'info.json')).length;
    for (const m of readdirSync(join(folder, 'messages'))) bytes += readFileSync(join(folder, 'messages', m)).length;
  }
  if (bytes === 0) throw new Error('nothing read');
  return performance.now() - t;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] as number;
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const QUERIES = [
  'kumquat',
  'persimmon',
  '"connection reset by peer"',
  'tangerine',
  'retry timeout',
  'parser deploy',
  'kalo*',
  'deploy -retry persimmon',
];

function duBytes(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${path}${suffix}`)) total += statSync(`${path}${suffix}`).size;
  return total;
}

async function main(): Promise<void> {
  rmSync(root, { recursive: true, force: true });
  const dir = join(root, 'archive');
  const stateDir = join(root, 'state');
  console.error(`generating ${SESSIONS} sessions × ${PER_SESSION} messages in ${dir}`);
  let t = performance.now();
  const made = generate(dir, SESSIONS);
  console.error(
    `generated ${made.files} files, ${(made.bytes / 2 ** 30).toFixed(2)} GiB in ${((performance.now() - t) / 1000).toFixed(0)} s`,
  );
  readAll(dir); // into the page cache
  const floor = readAll(dir);

  // 2. FTS5 at full size.
  const archive = await openArchive({ dir, stateDir });
  global.gc?.();
  const rss0 = rssMb();
  t = performance.now();
  const index = await SearchIndex.open(archive);
  let last = 0;
  await index.sync({
    onProgress: (done, total) => {
      if (done - last >= 10_000 || done === total) {
        last = done;
        process.stderr.write(`indexed ${done}/${total} sessions\n`);
      }
    },
  });
  const build = performance.now() - t;
  const counts = index.counts();
  const full = queryTimes((q) => index.search({ query: q }).hits.length, 20);
  const filtered = queryTimes(
    (q) => index.search({ query: q, directory: '/home/dev/src/project-7/**', role: 'assistant' }).hits.length,
    20,
  );
  global.gc?.();
  const rss = rssMb() - rss0;
  const disk = duBytes(index.file);
  // An update: a message file changes, the watcher's notice arrives, the batch is read and written.
  const updates: number[] = [];
  for (let k = 0; k < 20; k++) {
    const s = 1000 + k * 37;
    const path = join(dir, 'sessions', sessionId(s), 'messages', `${messageId(s, 1)}.json`);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"text": "', `"text": "zanzibar${k} `));
    const t1 = performance.now();
    index.note(sessionId(s), messageId(s, 1), 0);
    await index.flush();
    if (index.search({ query: `zanzibar${k}` }).hits.length !== 1) throw new Error('the update is not searchable');
    updates.push(performance.now() - t1);
  }
  // A rerun with nothing changed (what every later `sarc search` pays).
  t = performance.now();
  await index.sync();
  const rerun = performance.now() - t;
  await index.close();

  // 2b. The two candidates on the same data: the first COMPARE_SESSIONS sessions.
  const compareDir = join(root, 'compare');
  const compareFiles = generateCopy(dir, compareDir, COMPARE_SESSIONS);
  const compareFloor = readAll(compareDir);
  const candidates: Array<{ name: string; build: number; p50: number; p99: number; rss: number; disk: string }> = [];
  {
    const archive = await openArchive({ dir: compareDir, stateDir: join(root, 'compare-state') });
    const rss0 = rssMb();
    const t0 = performance.now();
    const index = await SearchIndex.open(archive);
    await index.sync();
    const build = performance.now() - t0;
    global.gc?.();
    const times = queryTimes((q) => index.search({ query: q }).hits.length);
    candidates.push({
      name: 'SQLite FTS5 (better-sqlite3 / node:sqlite), on disk',
      build,
      ...times,
      rss: rssMb() - rss0,
      disk: `${(duBytes(index.file) / 2 ** 20).toFixed(0)} MB`,
    });
    await index.close();
  }
  {
    global.gc?.();
    const rss0 = rssMb();
    const t0 = performance.now();
    const mini = new MiniSearch<{ id: string; title: string; body: string }>({
      fields: ['title', 'body'],
      storeFields: [],
      searchOptions: { combineWith: 'AND', prefix: false },
    });
    for (const s of readdirSync(join(compareDir, 'sessions'))) {
      const folder = join(compareDir, 'sessions', s);
      const i = JSON.parse(readFileSync(join(folder, 'info.json'), 'utf8'));
      mini.add({ id: s, title: i.title, body: '' });
      for (const m of readdirSync(join(folder, 'messages'))) {
        const file = JSON.parse(readFileSync(join(folder, 'messages', m), 'utf8'));
        mini.add({ id: `${s}/${m}`, title: '', body: messageText(file) });
      }
    }
    const build = performance.now() - t0;
    global.gc?.();
    const times = queryTimes((q) => mini.search(q.replace(/["*-]/g, ''), { combineWith: 'AND' }).slice(0, 20).length);
    candidates.push({
      name: 'MiniSearch 7 (in memory; no phrases, rebuilt or loaded whole at start)',
      build,
      ...times,
      rss: rssMb() - rss0,
      disk: 'none (memory only)',
    });
  }

  // 3. grep (and ripgrep) for the same queries, over the same files, warm.
  const grepQueries = ['kumquat', 'persimmon', 'connection reset by peer', 'tangerine'];
  const grep = grepQueries.map((q) => {
    const t2 = performance.now();
    spawnSync('grep', ['-rliF', q, join(dir, 'sessions')], { maxBuffer: 1 << 30 });
    return performance.now() - t2;
  });
  const hasRg = spawnSync('sh', ['-c', 'command -v rg']).status === 0;
  const rg = hasRg
    ? grepQueries.map((q) => {
        const t2 = performance.now();
        spawnSync('rg', ['-liF', q, join(dir, 'sessions')], { maxBuffer: 1 << 30 });
        return performance.now() - t2;
      })
    : [];

  // 4. The conversation view: server time to the first page of a 1,500-message session.
  const viewDir = join(root, 'view');
  generate(viewDir, 1, () => 1500);
  const server = await startServer({ dir: viewDir, stateDir: join(root, 'view-state'), port: 0, onWarning: () => {}, search: false });
  const firstPage: number[] = [];
  const whole: number[] = [];
  try {
    for (let run = 0; run < 7; run++) {
      const t3 = performance.now();
      const res = await fetch(`${server.url}/ui/session/${sessionId(0)}`);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      let first = 0;
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (!first && text.includes('id="more"')) first = performance.now() - t3;
      }
      if (!first) throw new Error('no first page');
      if (run > 1) {
        firstPage.push(first);
        whole.push(performance.now() - t3);
      }
    }
  } finally {
    await server.close();
  }

  const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
  const p50 = full.p50;
  const grepMedian = pct(grep, 50);
  const section = `## Search benchmark

\`npm run bench:search\` on ${cpus().length} × ${cpus()[0]?.model.trim().split(' ').slice(0, 2).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Files in the page cache.

**Engines, on the same ${COMPARE_SESSIONS.toLocaleString('en')} sessions / ${(compareFiles - COMPARE_SESSIONS).toLocaleString('en')} messages** (reading them: ${ms(compareFloor)} ms); queries: ${QUERIES.map((q) => `\`${q}\``).join(', ')}:

| engine | build ms | query p50 ms | p99 ms | memory MB | on disk |
|---|---|---|---|---|---|
${candidates.map((c) => `| ${c.name} | ${ms(c.build)} (${(c.build / compareFloor).toFixed(1)}× read) | ${ms(c.p50)} | ${ms(c.p99)} | ${Math.max(0, c.rss).toFixed(0)} | ${c.disk} |`).join('\n')}

**SQLite FTS5 at ${SESSIONS.toLocaleString('en')} sessions / ${counts.messages.toLocaleString('en')} messages** (${(made.bytes / 2 ** 30).toFixed(2)} GiB of JSON in ${made.files.toLocaleString('en')} files):

| measure | value | baseline (same run) | ratio |
|---|---|---|---|
| index build from scratch | ${(build / 1000).toFixed(0)} s | reading every file: ${(floor / 1000).toFixed(1)} s | ${(build / floor).toFixed(1)}× |
| catch-up with nothing changed (each later \`sarc search\`) | ${ms(rerun)} ms | | |
| warm query p50 / p99 | ${ms(full.p50)} / ${ms(full.p99)} ms | \`grep -rliF\` median ${ms(grepMedian)} ms | ${(grepMedian / p50).toFixed(0)}× faster |
| warm query with folder glob + role filters, p50 / p99 | ${ms(filtered.p50)} / ${ms(filtered.p99)} ms | | |
${hasRg ? `| ripgrep \`rg -liF\` median | ${ms(pct(rg, 50))} ms | | ${(pct(rg, 50) / p50).toFixed(0)}× slower than the index |\n` : ''}| one changed message searchable after the watcher's notice, p50 / max | ${ms(pct(updates, 50))} / ${ms(Math.max(...updates))} ms | target 50 ms | |
| RSS added by the open index (after the queries) | ${Math.max(0, rss).toFixed(0)} MB | | |
| search index on disk | ${(disk / 2 ** 30).toFixed(2)} GiB | the archive's JSON: ${(made.bytes / 2 ** 30).toFixed(2)} GiB | ${(disk / made.bytes).toFixed(2)}× |
| conversation view, 1,500 messages: server time to the first page (100 messages) p50 | ${ms(pct(firstPage, 50))} ms | whole page with totals: ${ms(pct(whole, 50))} ms | target 300 ms |
${hasRg ? '' : '\nripgrep is not installed here; its row is left out.\n'}
Targets: query p50 ≤ 20 ms — ${p50 <= 20 ? 'met' : '**missed**'}; an update searchable ≤ 50 ms — ${Math.max(...updates) <= 50 ? 'met' : '**missed**'}; first page ≤ 300 ms — ${pct(firstPage, 50) <= 300 ? 'met' : '**missed**'}.`;
  writeSection('search', section);
  console.log(section);
  if (!process.env.BENCH_SEARCH_KEEP) rmSync(root, { recursive: true, force: true });
}

/** Query p50/p99 over every query, warm (one untimed round first). */
function queryTimes(run: (q: string) => number, rounds = 10): { p50: number; p99: number } {
  for (const q of QUERIES) run(q);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of QUERIES) {
      const t = performance.now();
      run(q);
      times.push(performance.now() - t);
    }
  }
  return { p50: pct(times, 50), p99: pct(times, 99) };
}

/** The first `n` sessions of the archive copied to `to` (hard links would share stamps; a copy keeps it separate). Returns the files copied. */
function generateCopy(from: string, to: string, n: number): number {
  mkdirSync(join(to, 'sessions'), { recursive: true });
  writeFileSync(join(to, 'archive.json'), readFileSync(join(from, 'archive.json')));
  let files = 0;
  for (let s = 0; s < n; s++) {
    cpSync(join(from, 'sessions', sessionId(s)), join(to, 'sessions', sessionId(s)), { recursive: true });
    files += 1 + readdirSync(join(to, 'sessions', sessionId(s), 'messages')).length;
  }
  return files;
}

await main();
