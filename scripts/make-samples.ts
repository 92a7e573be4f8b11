// Writes samples/: a small archive with a fork, a child session, todos and
// every common part type, through the library so every byte is canonical.
// Run with `npx tsx scripts/make-samples.ts` after changing the model.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { initArchive, type MessageWithParts, openArchive, type Session } from '../src/index.js';

const root = join(import.meta.dirname, '..', 'samples');
const T0 = Date.UTC(2026, 9, 3, 9, 15, 0); // 2026-10-03T09:15:00Z
const at = (minutes: number, seconds = 0) => T0 + minutes * 60_000 + seconds * 1000;

const WEBAPP = { id: '8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5c4b3a291', worktree: '/home/dev/src/webapp' };
const S = {
  main: 'ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA',
  child: 'ses_fe5e0a1b2a10Lm4NbV8cXz3QeR',
  fork: 'ses_fe5e0a1b1f00Hs6TjK1pWd5UfG',
  notes: 'ses_fe5e0a1b0e00Pa2QrS7tUv4WxY',
};
const M = (n: number) => `msg_019a8b7c6d${String(n).padStart(2, '0')}Zq8Wm3Nx5Rv7Tb`;
const P = (m: number, n: number) => `prt_019a8b7c6d${String(m).padStart(2, '0')}Pp${String(n).padStart(2, '0')}Kd4Hs6Jf8L`;

const model = { providerID: 'anthropic', modelID: 'claude-sonnet-4-5' };
const tokens = (input: number, output: number) => ({ input, output, reasoning: 0, cache: { read: 0, write: 0 } });

function user(sessionID: string, n: number, time: number, parts: Record<string, unknown>[]): MessageWithParts {
  return {
    info: { id: M(n), sessionID, role: 'user', time: { created: time }, agent: 'build', model },
    parts: parts.map((p, i) => ({ id: P(n, i), sessionID, messageID: M(n), ...p })),
  } as MessageWithParts;
}

function assistant(
  sessionID: string,
  n: number,
  parent: number,
  time: number,
  parts: Record<string, unknown>[],
  extra = {},
): MessageWithParts {
  return {
    info: {
      id: M(n),
      sessionID,
      role: 'assistant',
      time: { created: time, completed: time + 20_000 },
      parentID: M(parent),
      modelID: model.modelID,
      providerID: model.providerID,
      mode: 'build',
      agent: 'build',
      path: { cwd: WEBAPP.worktree, root: WEBAPP.worktree },
      cost: 0.0123,
      tokens: tokens(5120, 640),
      finish: 'stop',
      ...extra,
    },
    parts: parts.map((p, i) => ({ id: P(n, i), sessionID, messageID: M(n), ...p })),
  } as MessageWithParts;
}

function conversation(sid: string): MessageWithParts[] {
  return [
    user(sid, 1, at(0), [
      { type: 'text', text: 'The HTTP client gives up after one failed request. Add retries with exponential backoff.' },
      {
        type: 'file',
        mime: 'text/plain',
        filename: 'client.ts',
        url: 'file:///home/dev/src/webapp/src/client.ts',
        source: { type: 'file', path: 'src/client.ts', text: { value: '@src/client.ts', start: 0, end: 14 } },
      },
    ]),
    assistant(sid, 2, 1, at(0, 5), [
      { type: 'step-start', snapshot: '4f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6' },
      {
        type: 'reasoning',
        text: 'Look at how requests are sent, then wrap them in a retry loop.',
        time: { start: at(0, 6), end: at(0, 8) },
      },
      {
        type: 'tool',
        callID: 'toolu_01ReadClient',
        tool: 'read',
        state: {
          status: 'completed',
          input: { filePath: '/home/dev/src/webapp/src/client.ts' },
          output: 'export async function get(url: string) {\n  return fetch(url);\n}\n',
          title: 'src/client.ts',
          metadata: { lines: 3 },
          time: { start: at(0, 9), end: at(0, 10) },
        },
      },
      {
        type: 'tool',
        callID: 'toolu_02EditClient',
        tool: 'edit',
        state: {
          status: 'completed',
          input: {
            filePath: '/home/dev/src/webapp/src/client.ts',
            oldString: 'return fetch(url);',
            newString: 'return withRetry(() => fetch(url));',
          },
          output: 'Edit applied.',
          title: 'src/client.ts',
          metadata: { diff: '@@ -1,3 +1,3 @@' },
          time: { start: at(0, 11), end: at(0, 12) },
        },
      },
      { type: 'patch', hash: '9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3', files: ['/home/dev/src/webapp/src/client.ts'] },
      { type: 'text', text: 'I wrapped `fetch` in `withRetry`, which retries 3 times with 200 ms, 400 ms and 800 ms pauses.' },
      {
        type: 'step-finish',
        reason: 'stop',
        snapshot: '5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b',
        cost: 0.0123,
        tokens: tokens(5120, 640),
      },
    ]),
    user(sid, 3, at(2), [{ type: 'text', text: 'Run the tests, and only retry on 5xx and network errors.' }]),
    assistant(sid, 4, 3, at(2, 5), [
      { type: 'step-start' },
      {
        type: 'tool',
        callID: 'toolu_03Test',
        tool: 'bash',
        state: {
          status: 'error',
          input: { command: 'npm test' },
          error: 'Process exited with code 1: 1 failing (retries on 404)',
          time: { start: at(2, 6), end: at(2, 30) },
        },
      },
      { type: 'text', text: 'One test fails: a 404 is retried. I will restrict retries to 5xx and network errors.' },
      { type: 'step-finish', reason: 'tool-calls', cost: 0.0087, tokens: tokens(6400, 210) },
    ]),
    user(sid, 5, at(4), [
      { type: 'text', text: 'Ask the explore agent to find every other caller of fetch.' },
      { type: 'agent', name: 'explore', source: { value: '@explore', start: 0, end: 8 } },
      {
        type: 'subtask',
        prompt: 'Find every direct call of fetch() outside src/client.ts',
        description: 'Find fetch callers',
        agent: 'explore',
      },
    ]),
  ];
}

const todos = [
  { id: 'todo-1', content: 'Wrap fetch in withRetry', status: 'completed', priority: 'high' },
  { id: 'todo-2', content: 'Retry only on 5xx and network errors', status: 'in_progress', priority: 'high' },
  { id: 'todo-3', content: 'Document the retry policy in README', status: 'pending', priority: 'low' },
];

function info(id: string, fields: Partial<Session> & { title: string; time: Session['time'] }): Session {
  return { id, slug: 'brave-forest', projectID: WEBAPP.id, directory: WEBAPP.worktree, path: '', version: '1.18.33', ...fields } as Session;
}

await rm(root, { recursive: true, force: true });
await initArchive(root);
const archive = await openArchive({ dir: root, stateDir: join(root, '..', 'node_modules', '.sarc-samples-state'), now: () => T0 });
await archive.projects.upsert({ ...WEBAPP, vcs: 'git', name: 'webapp' });
await archive.projects.upsert({ id: 'global', worktree: '/' });

const main = conversation(S.main);
await archive.sessions.insert(info(S.main, { title: 'Add retries to the HTTP client', time: { created: at(0), updated: at(4, 1) } }), {
  messages: main,
  todos,
});

const childMessages = [
  user(S.child, 11, at(4, 2), [{ type: 'text', text: 'Find every direct call of fetch() outside src/client.ts' }]),
  assistant(
    S.child,
    12,
    11,
    at(4, 3),
    [
      {
        type: 'tool',
        callID: 'toolu_04Grep',
        tool: 'grep',
        state: {
          status: 'completed',
          input: { pattern: 'fetch\\(' },
          output: 'src/api/users.ts:12\nsrc/api/orders.ts:40',
          title: 'fetch\\(',
          metadata: { matches: 2 },
          time: { start: at(4, 4), end: at(4, 5) },
        },
      },
      { type: 'text', text: 'Two callers: src/api/users.ts:12 and src/api/orders.ts:40.' },
    ],
    { agent: 'explore', mode: 'explore' },
  ),
];
await archive.sessions.insert(
  info(S.child, {
    slug: 'swift-otter',
    parentID: S.main,
    title: 'Find fetch callers (@explore subagent)',
    time: { created: at(4, 2), updated: at(4, 30) },
  }),
  { messages: childMessages },
);

// The fork copies the messages before message 3, with new IDs.
const forkMessages = conversation(S.fork)
  .slice(0, 2)
  .map((m) => {
    const n = Number(m.info.id.slice(14, 16)) + 20;
    const copy = structuredClone(m);
    copy.info.id = M(n);
    if (copy.info.role === 'assistant') copy.info.parentID = M(n - 1);
    copy.parts = copy.parts.map((p, i) => ({ ...p, id: P(n, i), messageID: M(n) }));
    return copy;
  });
await archive.sessions.insert(
  info(S.fork, {
    slug: 'calm-harbor',
    forkedFrom: { sessionID: S.main, messageID: M(3) },
    title: 'Add retries to the HTTP client (fork #1)',
    time: { created: at(10), updated: at(10) },
  }),
  { messages: forkMessages },
);

const notes = [
  user(S.notes, 31, at(30), [{ type: 'text', text: 'Summarise my meeting notes from this week.' }]),
  assistant(S.notes, 32, 31, at(30, 5), [
    {
      type: 'retry',
      attempt: 1,
      error: { name: 'APIError', data: { message: 'Overloaded', statusCode: 529, isRetryable: true } },
      time: { created: at(30, 6) },
    },
    { type: 'snapshot', snapshot: '0f9e8d7c6b5a49382716a5b4c3d2e1f0a9b8c7d6' },
    { type: 'text', text: 'Three decisions this week: ship retries, freeze the API, hire a designer.' },
  ]),
  user(S.notes, 33, at(40), [{ type: 'compaction', auto: true }]),
];
for (const m of notes) if (m.info.role === 'assistant') m.info.path = { cwd: '/home/dev/notes', root: '/' };
await archive.sessions.insert(
  info(S.notes, {
    slug: 'quiet-meadow',
    projectID: 'global',
    directory: '/home/dev/notes',
    title: 'Weekly notes summary',
    time: { created: at(30), updated: at(40), archived: at(60) },
  }),
  { messages: notes },
);
console.log(`samples written to ${root}`);
