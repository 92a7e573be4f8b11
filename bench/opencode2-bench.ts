// npm run bench:opencode2: the first sync of 1,000 OpenCode 2 sessions × 20
// messages, side by side in one run with reading their rows (the floor) and
// with OpenCode 2's own `session export` of the same sessions. The sessions
// are copies of one the real OpenCode 2.1.2 made through its API against the
// mock model (prompts, shell calls with their output, answers, idle marks),
// so every row has the shape OpenCode 2 writes. Writes its section of
// bench/RESULTS.md.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { initArchive, openArchive, syncAgent } from '../src/index.js';
import { newId } from '../src/model/ids.js';
import { startMockModel } from '../test/agents/mock-model.js';
import { opencodeEnv } from '../test/fixtures/opencode-env.js';
import { writeSection } from './results.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Sessions exported by OpenCode 2 itself per run (one process each); the time for all is this times SESSIONS / SAMPLE. */
const SAMPLE = Number(process.env.BENCH_EXPORT_SAMPLE ?? 20);
const here = import.meta.dirname;
const require = createRequire(import.meta.url);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const time = async (fn: () => Promise<unknown> | unknown) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

const binary =
  process.env.OPENCODE2_BIN || join(here, '..', '.ci', 'tools', 'node_modules', '@opencode', 'cli-linux-x64', 'bin', 'opencode');
if (!existsSync(binary)) {
  console.log(`bench:opencode2 skipped: no OpenCode 2 binary at ${binary} (npm install --prefix .ci/tools @opencode/cli-linux-x64@2.1.2)`);
  process.exit(0);
}

const home = join(tmpdir(), 'sarc-opencode2-bench');
rmSync(home, { recursive: true, force: true });
const repo = join(home, 'repo');
mkdirSync(repo, { recursive: true });
execFileSync('git', ['init', '-q'], { cwd: repo });
const env = opencodeEnv(home);
const db = join(home, 'data', 'opencode', 'opencode.db');

/** One session made by the real OpenCode 2 with 20 messages or more: prompts to the mock model, which runs a shell call and answers. */
async function template(): Promise<string> {
  const mock = await startMockModel({ reply: `Done. ${'Words of the answer. '.repeat(20)}` });
  mkdirSync(join(home, 'config', 'opencode'), { recursive: true });
  writeFileSync(
    join(home, 'config', 'opencode', 'opencode.json'),
    JSON.stringify({
      model: 'mock/mock-model',
      provider: {
        mock: {
          npm: '@ai-sdk/openai-compatible',
          name: 'Mock',
          options: { baseURL: `${mock.url}/v1`, apiKey: 'x' },
          models: { 'mock-model': { name: 'Mock' } },
        },
      },
    }),
  );
  const port = 4900 + Math.floor(Math.random() * 90);
  const child: ChildProcess = spawn(binary, ['serve', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let printed = '';
  child.stdout?.on('data', (d) => (printed += d));
  const url = `http://127.0.0.1:${port}`;
  try {
    let auth = '';
    for (let i = 0; i < 300 && !auth; i++) {
      const password = /server password (\S+)/.exec(printed)?.[1];
      if (password) auth = `Basic ${Buffer.from(`opencode:${password}`).toString('base64')}`;
      else await new Promise((r) => setTimeout(r, 100));
    }
    const call = async (method: string, path: string, body?: unknown) => {
      for (let i = 0; ; i++) {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).catch((error: unknown) => (i < 100 ? undefined : Promise.reject(error)));
        if (res) return (await res.json()) as { data: unknown };
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const s = (await call('POST', '/api/session', { title: 'Refactor the parser', location: { directory: repo } })).data as { id: string };
    for (let turn = 0; turn < 5; turn++) {
      await call('POST', `/api/session/${s.id}/prompt`, { text: `Step ${turn}: refactor the parser module. ${'Context. '.repeat(40)}` });
      for (let i = 0; i < 300; i++) {
        const list = ((await call('GET', `/api/session/${s.id}/message?limit=200`)).data ?? []) as Array<{ type: string }>;
        if (list.filter((m) => m.type === 'idle').length > turn) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return s.id;
  } finally {
    child.kill('SIGKILL');
    await mock.close();
  }
}

/** The template copied until there are SESSIONS sessions: each row as OpenCode 2 wrote it, under new IDs. */
function copies(source: string): string[] {
  const Database = require('better-sqlite3');
  const d = new Database(db);
  const session = d.prepare('SELECT * FROM session_v2 WHERE id = ?').get(source) as Record<string, unknown>;
  const messages = d.prepare('SELECT * FROM session_message WHERE session_id = ? ORDER BY seq').all(source) as Array<
    Record<string, unknown>
  >;
  const columns = (row: Record<string, unknown>) => Object.keys(row);
  const insert = (table: string, row: Record<string, unknown>) =>
    d.prepare(
      `INSERT INTO ${table} (${columns(row).join(', ')}) VALUES (${columns(row)
        .map(() => '?')
        .join(', ')})`,
    );
  const insertSession = insert('session_v2', session);
  const insertMessage = insert('session_message', messages[0] as Record<string, unknown>);
  const ids = [source];
  d.transaction(() => {
    for (let n = 1; n < SESSIONS; n++) {
      const id = newId('session');
      ids.push(id);
      insertSession.run(...Object.values({ ...session, id, title: `${String(session.title)} ${n}`, slug: `copy-${n}` }));
      for (const m of messages) insertMessage.run(...Object.values({ ...m, id: newId('message'), session_id: id }));
    }
  })();
  d.close();
  return ids;
}

const source = await template();
const ids = copies(source);
const Database = require('better-sqlite3');
const count = new Database(db, { readonly: true });
const perSession = Number(count.prepare('SELECT COUNT(*) AS n FROM session_message WHERE session_id = ?').get(source).n);
count.close();

const floors: number[] = [];
const firsts: number[] = [];
const exports: number[] = [];
for (let run = 0; run < RUNS; run++) {
  floors.push(
    await time(() => {
      const d = new Database(db, { readonly: true });
      for (const table of ['session_v2', 'session_message']) d.prepare(`SELECT * FROM ${table}`).all();
      d.close();
    }),
  );
  const root = join(tmpdir(), 'sarc-opencode2-bench-archive');
  rmSync(root, { recursive: true, force: true });
  await initArchive(join(root, 'a'));
  const archive = await openArchive({ dir: join(root, 'a'), stateDir: join(root, 's') });
  let result: Awaited<ReturnType<typeof syncAgent>> | undefined;
  firsts.push(
    await time(async () => {
      result = await syncAgent(archive, 'opencode', { from: db });
    }),
  );
  if (result?.sessions.new !== SESSIONS) throw new Error(`synced ${result?.sessions.new} sessions, not ${SESSIONS}`);
  const sample = ids.filter((_, i) => i % Math.floor(SESSIONS / SAMPLE) === 0).slice(0, SAMPLE);
  const took = await time(() => {
    for (const id of sample) {
      const out = execFileSync(binary, ['session', 'export', '--standalone', id], { cwd: repo, env, encoding: 'utf8', maxBuffer: 1 << 28 });
      if (!out.includes(id)) throw new Error(`opencode session export ${id} did not export it`);
    }
  });
  exports.push((took * SESSIONS) / sample.length);
}

const [floor, first, own] = [median(floors), median(firsts), median(exports)];
const section = `## OpenCode 2 benchmark

\`npm run bench:opencode2\` on ${cpus().length} × ${cpus()[0]?.model.trim().split(' ').slice(0, 2).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
${SESSIONS.toLocaleString('en')} OpenCode 2 sessions × ${perSession} messages: one session the real OpenCode 2.1.2 made through its API (5 prompts to the mock model, each answered with a shell call and a reply), copied row for row under new IDs. Medians of ${RUNS} runs, side by side in each run:

| | ms | against reading the rows |
|---|---|---|
| reading the rows (\`session_v2\`, \`session_message\`; the floor) | ${floor.toFixed(0)} | 1× |
| **first sync** into an empty archive (read, convert, redact, validate, write every session) | ${first.toFixed(0)} | ${(first / floor).toFixed(1)}× |
| OpenCode 2's own \`session export\` of each session (${SAMPLE} sessions timed, one process each, scaled to ${SESSIONS.toLocaleString('en')}) | ${own.toFixed(0)} | ${(own / floor).toFixed(1)}× |

The first sync takes ${(first / own).toFixed(2)}× the time OpenCode 2 needs to export the same sessions one by one — and leaves them in the archive, whole, as files.`;
writeSection('opencode2', section);
console.log(section);
