// `npm run bench:append`: appends through the library against their floors,
// in the same run, on the compiled code (`dist/`, built first):
// - one writer: `messages.append` of a ~2 KB user message, one after another,
//   against a minimal script that writes the same two files the same way (a
//   temp file written and fsynced, renamed, its folder fsynced; the message
//   and `info.json` at once) — the format's floor;
// - four writer processes, each appending to its own session, against four
//   processes inserting the same message JSON into one SQLite database (WAL,
//   synchronous=FULL), a transaction per message that also moves the
//   session's time_updated (as OpenCode's storage does).
// Medians of 5 runs, the variants in an order that turns each round. Writes the `<!-- append -->` section of RESULTS.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeSection } from './results.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
const COUNT = Number(process.env.BENCH_APPENDS ?? 400);
const WRITERS = 4;
const RUNS = 5;

execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
const LIB = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
const work = join(tmpdir(), 'sarc-append-bench');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const TEXT = 'The parser keeps its tokens in a ring buffer and the tests cover the edge cases of nested blocks. ';

// Each writer is its own process running one of these scripts; it prints when
// its first append started and its last ended. Arguments: the folder to write in, the count.
const LIBRARY = `
import { initArchive, openArchive } from ${JSON.stringify(LIB)};
import { existsSync } from 'node:fs';
import { join } from 'node:path';
const [dir, count] = [process.argv[1], Number(process.argv[2])];
if (!existsSync(join(dir, 'archive'))) await initArchive(join(dir, 'archive')).catch(() => {});
const archive = await openArchive({ dir: join(dir, 'archive'), stateDir: join(dir, 'state') });
const session = await archive.sessions.create({ title: 'bench', directory: dir });
const text = ${JSON.stringify(TEXT)}.repeat(20);
const t = performance.now();
for (let i = 0; i < count; i++) {
  await archive.messages.append(session.id, {
    info: { role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' } },
    parts: [{ type: 'text', text: 'Message ' + i + '. ' + text }],
  });
}
console.log(JSON.stringify([performance.timeOrigin + t, performance.timeOrigin + performance.now()]));
`;

// The same two files per message, written the way the format asks and no
// other work: no lock, no read of info.json, no validation.
const MINIMAL = `
import { open, rename, mkdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
const [dir, count] = [process.argv[1], Number(process.argv[2])];
const session = join(dir, 'minimal-' + process.pid);
await mkdir(join(session, 'messages'), { recursive: true });
const text = ${JSON.stringify(TEXT)}.repeat(20);
async function fsyncFolder(folder) { const h = await open(folder, constants.O_RDONLY); await h.sync(); await h.close(); }
async function atomic(target, data) {
  const temp = target + '.' + randomBytes(4).toString('hex') + '.tmp';
  const h = await open(temp, 'wx');
  await h.writeFile(data);
  await h.sync();
  await h.close();
  await rename(temp, target);
  await fsyncFolder(join(target, '..'));
}
const t = performance.now();
for (let i = 0; i < count; i++) {
  const id = 'msg_' + String(i).padStart(12, '0');
  const now = Date.now();
  const message = JSON.stringify({ info: { id, sessionID: 'ses_x', role: 'user', time: { created: now } }, parts: [{ id: 'prt_' + i, type: 'text', text: 'Message ' + i + '. ' + text }] }, null, 2) + '\\n';
  const info = JSON.stringify({ id: 'ses_x', title: 'bench', directory: dir, time: { created: 0, updated: now } }, null, 2) + '\\n';
  await Promise.all([atomic(join(session, 'messages', id + '.json'), message), atomic(join(session, 'info.json'), info)]);
}
console.log(JSON.stringify([performance.timeOrigin + t, performance.timeOrigin + performance.now()]));
`;

const SQLITE = `
import { createRequire } from 'node:module';
import { join } from 'node:path';
const require = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
const Database = require('better-sqlite3');
const [dir, count] = [process.argv[1], Number(process.argv[2])];
const db = new Database(join(dir, 'db.sqlite'), { timeout: 60000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS session (id TEXT PRIMARY KEY, time_updated INTEGER); CREATE TABLE IF NOT EXISTS message (id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, data TEXT)');
const sid = 'ses_' + process.pid;
db.prepare('INSERT INTO session VALUES (?, ?)').run(sid, Date.now());
const insert = db.prepare('INSERT INTO message VALUES (?, ?, ?, ?)');
const touch = db.prepare('UPDATE session SET time_updated = ? WHERE id = ?');
const append = db.transaction((id, now, data) => { insert.run(id, sid, now, data); touch.run(now, sid); });
const text = ${JSON.stringify(TEXT)}.repeat(20);
const t = performance.now();
for (let i = 0; i < count; i++) {
  const id = 'msg_' + process.pid + '_' + i;
  const now = Date.now();
  append(id, now, JSON.stringify({ info: { id, sessionID: sid, role: 'user', time: { created: now } }, parts: [{ id: 'prt_' + i, type: 'text', text: 'Message ' + i + '. ' + text }] }));
}
console.log(JSON.stringify([performance.timeOrigin + t, performance.timeOrigin + performance.now()]));
`;

function run(script: string, dir: string, count: number): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`writer exited ${code}`))));
  });
}

/** Appends per second of `writers` processes at once: all their appends over the time from the first start to the last end. */
async function rate(script: string, writers: number): Promise<number> {
  const dir = join(work, `run-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  if (script === LIBRARY) await run(LIBRARY, dir, 0); // the archive exists before the writers race
  // What the run before left for the disk to write back (SQLite's WAL: megabytes) is written now, not during this run.
  execFileSync('sync');
  const spans = await Promise.all(Array.from({ length: writers }, () => run(script, dir, COUNT)));
  rmSync(dir, { recursive: true, force: true });
  const seconds = (Math.max(...spans.map((s) => s[1])) - Math.min(...spans.map((s) => s[0]))) / 1000;
  return (writers * COUNT) / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

let hasSqlite = true;
try {
  createRequire(join(ROOT, 'package.json'))('better-sqlite3');
} catch {
  hasSqlite = false;
}
// Interleaved, one round of every variant after another: this disk's fsync
// time drifts by 2× over a minute, and each ratio compares runs made side by side.
const variants = { library1: [LIBRARY, 1], minimal1: [MINIMAL, 1], library4: [LIBRARY, WRITERS], minimal4: [MINIMAL, WRITERS] } as Record<
  string,
  [string, number]
>;
if (hasSqlite) Object.assign(variants, { sqlite1: [SQLITE, 1], sqlite4: [SQLITE, WRITERS] });
const rates: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
// The order turns each round, so that no variant always follows the same one.
const order = Object.entries(variants);
for (let i = 0; i < RUNS; i++) {
  for (let k = 0; k < order.length; k++) {
    const [name, [script, writers]] = order[(i + k) % order.length] as [string, [string, number]];
    rates[name]?.push(await rate(script, writers));
  }
}
const m = (name: string) => (rates[name] ? median(rates[name]) : Number.NaN);
const [library1, minimal1, library4, minimal4, sqlite1, sqlite4] = [
  'library1',
  'minimal1',
  'library4',
  'minimal4',
  'sqlite1',
  'sqlite4',
].map(m) as [number, number, number, number, number, number];
rmSync(work, { recursive: true, force: true });

const r = (n: number) => `${n.toFixed(0)}/s`;
const body = `## Appends

\`npm run bench:append\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}: ${COUNT} appends of a ~2 KB
user message per writer, each writer its own process and its own session, medians of ${RUNS} interleaved runs (all
writers' appends over the time from the first one's start to the last one's end; the order of the variants turns each round, and
\`sync\` runs before each). The floor writes the same two files the way the format asks (temp file,
fsync, rename, folder fsync; the message and \`info.json\` at once) and nothing else; SQLite is
better-sqlite3 in WAL mode with synchronous=FULL, one transaction per message (insert it, move the
session's time_updated).

| writers | library | the format's floor | ratio | SQLite WAL FULL | ratio |
|---|---|---|---|---|---|
| 1 | ${r(library1)} | ${r(minimal1)} | ${(library1 / minimal1).toFixed(2)}× | ${hasSqlite ? r(sqlite1) : 'n/a'} | ${hasSqlite ? `${(library1 / sqlite1).toFixed(2)}×` : 'n/a'} |
| ${WRITERS} | ${r(library4)} | ${r(minimal4)} | ${(library4 / minimal4).toFixed(2)}× | ${hasSqlite ? r(sqlite4) : 'n/a'} | ${hasSqlite ? `${(library4 / sqlite4).toFixed(2)}×` : 'n/a'} |

- ${library1 >= 0.8 * minimal1 ? 'Met' : '**Missed**'}: one writer ≥ 0.8× the format's floor.
- ${hasSqlite ? `${library4 >= 0.5 * sqlite4 ? 'Met' : '**Missed**'}: ${WRITERS} writers ≥ 0.5× SQLite WAL FULL.` : 'SQLite (better-sqlite3) is not installed: its comparison is left out.'}
${
  hasSqlite
    ? `
The format's floor itself is ${(minimal1 / sqlite1).toFixed(2)}× SQLite with one writer and ${(minimal4 / sqlite4).toFixed(2)}× with ${WRITERS}: a message is two files, each a temp file fsynced, renamed and its folder fsynced (four fsyncs), where SQLite appends one WAL frame and fsyncs once. Against SQLite no write path of this format can reach 0.5× on this disk; the ratio to the floor is what the library controls.
`
    : ''
}
`;
writeSection('append', body);
console.log(body);
