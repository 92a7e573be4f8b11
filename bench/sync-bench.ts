// npm run bench:sync: the first sync of 1,000 OpenCode sessions × 20 messages
// (an OpenCode 1.18 database) and of 1,000 Claude Code transcripts × 50
// records, each against reading the source bytes in the same run (the floor),
// and a second run with nothing changed against the first. Writes its section
// of bench/RESULTS.md (between the sync markers; `npm run bench` keeps it).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { initArchive, openArchive, syncAgent } from '../src/index.js';
import { opencodeEnv } from '../test/fixtures/opencode-env.js';
import { writeSection } from './results.js';

const SESSIONS = Number(process.env.BENCH_SYNC_SESSIONS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const here = import.meta.dirname;
const require = createRequire(import.meta.url);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const time = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

/** 1,000 Claude Code transcripts of 50 records: prompts, answers with thinking, tool calls and their results. */
function claudeTranscripts(dir: string): void {
  const base = Date.UTC(2026, 4, 1);
  for (let s = 0; s < SESSIONS; s++) {
    const sessionId = `00000000-0000-4000-8000-${String(s).padStart(12, '0')}`;
    const folder = join(dir, `-home-dev-src-project-${s % 20}`);
    mkdirSync(folder, { recursive: true });
    const lines: string[] = [];
    let parent: string | null = null;
    for (let r = 0; r < 50; r++) {
      const uuid = `${sessionId.slice(0, 24)}${String(r).padStart(12, '0')}`;
      const ts = new Date(base + s * 60_000 + r * 1000).toISOString();
      const common = {
        parentUuid: parent,
        isSidechain: false,
        cwd: `/home/dev/src/project-${s % 20}`,
        sessionId,
        version: '2.0.14',
        uuid,
        timestamp: ts,
      };
      const call = `toolu_${s}_${r - 1}`;
      const record =
        r % 2 === 0
          ? r === 0 || r % 10 === 0
            ? {
                ...common,
                type: 'user',
                message: {
                  role: 'user',
                  content: `Step ${r}: refactor the parser module, keep the public API and add tests. ${'Context. '.repeat(40)}`,
                },
              }
            : {
                ...common,
                type: 'user',
                message: {
                  role: 'user',
                  content: [{ type: 'tool_result', tool_use_id: call, content: `ok\n${'output line\n'.repeat(30)}` }],
                },
              }
          : {
              ...common,
              type: 'assistant',
              message: {
                id: `msg_${s}_${r}`,
                role: 'assistant',
                model: 'claude-sonnet-4-5',
                content: [
                  { type: 'thinking', thinking: `Plan for step ${r}. ${'Reasoning. '.repeat(20)}`, signature: 'sig' },
                  { type: 'text', text: `Doing step ${r}. ${'Explanation. '.repeat(20)}` },
                  {
                    type: 'tool_use',
                    id: `toolu_${s}_${r}`,
                    name: 'Edit',
                    input: { file_path: '/src/parser.ts', old_string: 'a'.repeat(200), new_string: 'b'.repeat(200) },
                  },
                ],
                stop_reason: 'tool_use',
                usage: { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 5000, cache_creation_input_tokens: 100 },
              },
            };
      lines.push(JSON.stringify(record));
      parent = uuid;
    }
    writeFileSync(join(folder, `${sessionId}.jsonl`), `${lines.join('\n')}\n`);
  }
}

/** An OpenCode 1.18 database (the tables sync reads) of 1,000 sessions × 20 messages, two parts each. */
function opencodeDb(path: string): void {
  const Database = require('better-sqlite3');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE project (id text PRIMARY KEY, worktree text NOT NULL, vcs text, name text, icon_url text, icon_url_override text, icon_color text,
      time_created integer NOT NULL, time_updated integer NOT NULL, time_initialized integer, sandboxes text NOT NULL, commands text);
    CREATE TABLE session (id text PRIMARY KEY, project_id text NOT NULL, workspace_id text, parent_id text, slug text NOT NULL, directory text NOT NULL,
      path text, title text NOT NULL, version text NOT NULL, share_url text, summary_additions integer, summary_deletions integer, summary_files integer,
      summary_diffs text, metadata text, cost real DEFAULT 0 NOT NULL, tokens_input integer DEFAULT 0 NOT NULL, tokens_output integer DEFAULT 0 NOT NULL,
      tokens_reasoning integer DEFAULT 0 NOT NULL, tokens_cache_read integer DEFAULT 0 NOT NULL, tokens_cache_write integer DEFAULT 0 NOT NULL,
      revert text, permission text, agent text, model text, time_created integer NOT NULL, time_updated integer NOT NULL, time_compacting integer, time_archived integer);
    CREATE TABLE message (id text PRIMARY KEY, session_id text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
    CREATE TABLE part (id text PRIMARY KEY, message_id text NOT NULL, session_id text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
    CREATE TABLE todo (session_id text NOT NULL, content text NOT NULL, status text NOT NULL, priority text NOT NULL, position integer NOT NULL,
      time_created integer NOT NULL, time_updated integer NOT NULL, PRIMARY KEY(session_id, position));
    CREATE INDEX message_session ON message(session_id); CREATE INDEX part_session ON part(session_id); CREATE INDEX part_message ON part(message_id);`);
  const base = Date.UTC(2026, 4, 1);
  const project = 'fd2353751b1faa929dfdcf80ed4e2f1c1b1319bd';
  db.prepare('INSERT INTO project VALUES (?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, NULL, ?, NULL)').run(
    project,
    '/home/dev/src/app',
    'git',
    base,
    base,
    '[]',
  );
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  const insertSession = db.prepare(
    "INSERT INTO session (id, project_id, slug, directory, path, title, version, agent, model, time_created, time_updated) VALUES (?, ?, 'quiet-river', '/home/dev/src/app', '', ?, '1.18.33', 'build', ?, ?, ?)",
  );
  const insertMessage = db.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)');
  const insertPart = db.prepare('INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let s = 0; s < SESSIONS; s++) {
      const sid = `ses_${hex(0xffffffffffff - s, 12)}AbCdEfGhIjKlMn`;
      const created = base + s * 60_000;
      insertSession.run(
        sid,
        project,
        `Session ${s}: refactor the parser`,
        JSON.stringify({ id: 'big-pickle', providerID: 'opencode' }),
        created,
        created + 20_000,
      );
      for (let m = 0; m < 20; m++) {
        const mid = `msg_${hex(created + m * 1000, 12)}AbCdEfGhIjKl${hex(m, 2)}`;
        const t = created + m * 1000;
        const info =
          m % 2 === 0
            ? { role: 'user', time: { created: t }, agent: 'build', model: { providerID: 'opencode', modelID: 'big-pickle' } }
            : {
                role: 'assistant',
                time: { created: t, completed: t + 900 },
                parentID: `msg_${hex(created + (m - 1) * 1000, 12)}AbCdEfGhIjKl${hex(m - 1, 2)}`,
                modelID: 'big-pickle',
                providerID: 'opencode',
                mode: 'build',
                agent: 'build',
                path: { cwd: '/home/dev/src/app', root: '/home/dev/src/app' },
                cost: 0.01,
                tokens: { input: 1000, output: 200, reasoning: 0, cache: { read: 0, write: 0 } },
                finish: 'stop',
              };
        insertMessage.run(mid, sid, t, t, JSON.stringify(info));
        for (let p = 0; p < 2; p++) {
          const part =
            p === 0
              ? { type: 'text', text: `Message ${m}. ${'Words of the conversation. '.repeat(30)}` }
              : { type: 'reasoning', text: 'Thinking. '.repeat(20), time: { start: t, end: t + 10 } };
          insertPart.run(`prt_${hex(t, 12)}AbCdEfGhIj${hex(m, 2)}${hex(p, 2)}`, mid, sid, t, t, JSON.stringify(part));
        }
      }
    }
  })();
  db.close();
}

async function measure(name: 'claude-code' | 'opencode', from: string, floor: () => Promise<unknown>) {
  const firsts: number[] = [];
  const reruns: number[] = [];
  const floors: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    floors.push(await time(floor));
    const root = join(tmpdir(), `sarc-sync-bench-archive-${name}`);
    rmSync(root, { recursive: true, force: true });
    await initArchive(join(root, 'a'));
    const archive = await openArchive({ dir: join(root, 'a'), stateDir: join(root, 's') });
    let sessions = 0;
    firsts.push(
      await time(async () => {
        sessions = (await syncAgent(archive, name, { from })).sessions.new;
      }),
    );
    if (sessions < SESSIONS) throw new Error(`${name}: ${sessions} sessions synced, expected ${SESSIONS}`);
    reruns.push(await time(() => syncAgent(archive, name, { from })));
  }
  return { floor: median(floors), first: median(firsts), rerun: median(reruns) };
}

const work = join(tmpdir(), 'sarc-sync-bench-source');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
claudeTranscripts(join(work, 'claude'));
opencodeDb(join(work, 'opencode.db'));

const claude = await measure('claude-code', join(work, 'claude'), async () => {
  const { readdir } = await import('node:fs/promises');
  for (const rel of await readdir(join(work, 'claude'), { recursive: true }))
    if (rel.endsWith('.jsonl')) await readFile(join(work, 'claude', rel));
});
const opencode = await measure('opencode', join(work, 'opencode.db'), async () => {
  // The floor: every row's bytes out of SQLite, parsed as nothing.
  const Database = require('better-sqlite3');
  const db = new Database(join(work, 'opencode.db'), { readonly: true });
  for (const table of ['session', 'message', 'part']) db.prepare(`SELECT * FROM ${table}`).all();
  db.close();
});

/**
 * How to read OpenCode: its database directly, or through a running `opencode serve` (the real binary,
 * 100 sessions × 10 messages made through its API). Skipped where the binary is missing.
 */
async function opencodeReadPaths(): Promise<string> {
  const binary = process.env.OPENCODE_BIN || join(here, '..', '.ci', 'tools', 'node_modules', 'opencode-linux-x64', 'bin', 'opencode');
  if (!existsSync(binary)) return `Reading OpenCode through \`opencode serve\` was not measured: no OpenCode binary here (${binary}).`;
  const home = join(tmpdir(), 'sarc-sync-bench-opencode-home');
  rmSync(home, { recursive: true, force: true });
  const repo = join(home, 'repo');
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  execFileSync('git', ['-c', 'user.email=b@example.org', '-c', 'user.name=bench', 'commit', '-q', '--allow-empty', '-m', 'root'], {
    cwd: repo,
  });
  const port = 4700 + Math.floor(Math.random() * 200);
  const env = opencodeEnv(home);
  const child = spawn(binary, ['serve', '--port', String(port), '--hostname', '127.0.0.1'], { cwd: repo, env, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 300; i++) {
      // A request that arrives while it starts gets no answer: each try has its own limit.
      const up = await fetch(`${url}/session`, { signal: AbortSignal.timeout(3_000) }).then(
        (r) => r.arrayBuffer().then(() => r.ok),
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ id: string }>,
      );
    const N = 100;
    for (let s = 0; s < N; s++) {
      const { id } = await post('/session', { title: `Session ${s}` });
      for (let m = 0; m < 10; m++)
        await post(`/session/${id}/message`, { noReply: true, parts: [{ type: 'text', text: `Message ${m}. ${'Words. '.repeat(40)}` }] });
    }
    const viaServe = async () => {
      const sessions = (await (await fetch(`${url}/session`)).json()) as Array<{ id: string }>;
      if (sessions.length < N) throw new Error(`opencode listed ${sessions.length} sessions`);
      for (const s of sessions) {
        await (await fetch(`${url}/session/${s.id}/message`)).json();
        await (await fetch(`${url}/session/${s.id}/todo`)).json();
      }
    };
    const viaDb = async () => {
      const root = join(tmpdir(), 'sarc-sync-bench-opencode-read');
      rmSync(root, { recursive: true, force: true });
      await initArchive(join(root, 'a'));
      const archive = await openArchive({ dir: join(root, 'a'), stateDir: join(root, 's') });
      // A dry run into an empty archive: every session read, converted and validated, nothing written.
      const r = await syncAgent(archive, 'opencode', { from: join(home, 'data', 'opencode', 'opencode.db'), dryRun: true, all: true });
      if (r.sessions.new < N) throw new Error(`read ${r.sessions.new} sessions`);
    };
    const serve: number[] = [];
    const db: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      serve.push(await time(viaServe));
      db.push(await time(viaDb));
    }
    const [a, b] = [median(db), median(serve)];
    return `Reading every session of a real OpenCode 1.18.33 (100 sessions × 10 messages, made through its API): from its database ${a.toFixed(0)} ms (read, converted and validated), through \`opencode serve\` ${b.toFixed(0)} ms (the list, then each session's messages and todos, parsed only) — the database is ${(b / a).toFixed(1)}× faster, needs no running server, and one query tells which sessions changed.`;
  } finally {
    child.kill('SIGKILL');
  }
}

const readPaths = await opencodeReadPaths();

const row = (label: string, r: { floor: number; first: number; rerun: number }) =>
  `| ${label} | ${r.floor.toFixed(0)} | ${r.first.toFixed(0)} (${(r.first / r.floor).toFixed(1)}× floor) | ${r.rerun.toFixed(0)} (${((100 * r.rerun) / r.first).toFixed(1)}% of first) |`;
const section = `## Sync benchmark

\`npm run bench:sync\` on ${cpus().length} × ${cpus()[0]?.model.trim().split(' ').slice(0, 2).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
Medians of ${RUNS} runs in one process (tsx), each first sync into a new archive; the sources are in the page cache.

- **floor**: read the source's bytes and nothing else (every transcript file; every session, message and part row of OpenCode's database).
- **first sync**: \`syncAgent\` into an empty archive: read, convert, validate, write every session with its messages (fsync per file).
- **re-run**: the same again with nothing changed (transcripts skipped by size and mtime; OpenCode sessions by one fingerprint query).

| source | floor ms | first sync ms | re-run ms |
|---|---|---|---|
${row(`Claude Code, ${SESSIONS.toLocaleString('en')} transcripts × 50 records`, claude)}
${row(`OpenCode, ${SESSIONS.toLocaleString('en')} sessions × 20 messages`, opencode)}

Target: a re-run with nothing changed costs ≤ 5% of the first run — ${[claude, opencode].every((r) => r.rerun <= 0.05 * r.first) ? 'met for both' : '**missed**'}.
${readPaths}

The first sync writes one atomic, fsynced file per message (about 26,000 for Claude Code and 20,000 for OpenCode here, plus each session's info); how much of its time that writing takes is not separated in this run, so the first-sync ratios are against reading only.`;
writeSection('sync', section);
console.log(section);
