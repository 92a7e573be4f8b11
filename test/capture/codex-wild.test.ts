import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codexSessionId, type MessageWithParts, syncAgent } from '../../src/index.js';
import { tempArchive, tempDir } from '../helpers.js';

// Codex rollouts as they are in the wild (../shared/AGENTS.md): content that
// exists only as events, tools beyond function calls, and the oldest formats.

const ID = '01b00000-0000-7000-8000-000000000001';
const line = (r: unknown) => `${JSON.stringify(r)}\n`;
let t = 0;
const rec = (type: string, payload: unknown) =>
  line({ timestamp: new Date(Date.parse('2026-07-01T10:00:00.000Z') + ++t * 1000).toISOString(), type, payload });
const item = (payload: unknown) => rec('response_item', payload);
const event = (payload: unknown) => rec('event_msg', payload);
const say = (role: string, text: string) =>
  item({ type: 'message', role, content: [{ type: role === 'assistant' ? 'output_text' : 'input_text', text }] });
const meta =
  rec('session_meta', { id: ID, cwd: '/home/dev/api', cli_version: '0.105.0', originator: 'codex_cli_rs' }) +
  rec('turn_context', { cwd: '/home/dev/api', model: 'gpt-5-codex' });

async function rollout(text: string, name = `rollout-2026-07-01T10-00-00-${ID}.jsonl`): Promise<string> {
  const from = join(await tempDir(), 'sessions');
  await mkdir(join(from, '2026', '07', '01'), { recursive: true });
  await writeFile(join(from, '2026', '07', '01', name), text);
  return from;
}

const describeMessage = (m: MessageWithParts) =>
  `${m.info.role}${(m.info as { origin?: string }).origin ? `(${(m.info as { origin?: string }).origin})` : ''}: ${m.parts
    .map((p) => (p.type === 'text' ? p.text : p.type === 'tool' ? `${p.tool}:${p.state.status}` : p.type))
    .join(' | ')}`;

describe('Codex rollouts as they are in the wild', () => {
  it('keeps content that exists only as events: an interrupted answer, a /review request and its findings, a plan update', async () => {
    const from = await rollout(
      meta +
        say('user', 'Tidy the handler') +
        event({ type: 'user_message', message: 'Tidy the handler' }) +
        event({ type: 'agent_message', message: 'I started tidying, then' }) +
        event({ type: 'turn_aborted', reason: 'interrupted' }) +
        event({ type: 'task_started' }) +
        event({ type: 'user_message', message: 'Review my current changes' }) +
        event({ type: 'entered_review_mode', target: { type: 'uncommittedChanges' } }) +
        event({
          type: 'exited_review_mode',
          review_output: {
            overall_explanation: 'One problem.',
            findings: [
              {
                title: 'Missing await',
                body: 'The promise is dropped.',
                priority: 1,
                code_location: { absolute_file_path: '/home/dev/api/h.ts' },
              },
            ],
          },
        }) +
        event({ type: 'plan_update', plan: [{ step: 'Fix the await', status: 'pending' }] }) +
        event({ type: 'task_complete' }),
    );
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'codex', { from });
    expect(r.unknown).toEqual({});
    const messages = await archive.messages.list(codexSessionId(ID));
    expect(messages.map(describeMessage)).toEqual([
      'user: Tidy the handler',
      'assistant: I started tidying, then',
      'user: Review my current changes',
      'assistant: One problem.\n- [P1] Missing await (/home/dev/api/h.ts)\n  The promise is dropped.',
    ]);
    expect(await archive.todos.get(codexSessionId(ID))).toEqual([{ content: 'Fix the await', status: 'pending', priority: 'medium' }]);
  });

  it('maps web searches, compactions and ghost snapshots, and a failed command known only from its output', async () => {
    const from = await rollout(
      meta +
        say('developer', '<permissions instructions>sandboxed</permissions instructions>') +
        say('user', '<environment_context><cwd>/home/dev/api</cwd></environment_context>') +
        say('user', 'Find the docs and run the tests') +
        item({ type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'hono docs' } }) +
        item({ type: 'function_call', name: 'exec_command', arguments: '{"cmd":"npm test"}', call_id: 'c1' }) +
        item({ type: 'function_call_output', call_id: 'c1', output: 'Chunk ID: 1\nProcess exited with code 2\nOutput:\n2 failing\n' }) +
        item({ type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: 'c2' }) +
        item({ type: 'function_call_output', call_id: 'c2', output: 'Exit code: 0\nOutput:\na.ts\n' }) +
        item({ type: 'ghost_snapshot', ghost_commit: { id: 'abc123', parent: 'def456' } }) +
        rec('compacted', { message: 'Summary of the work so far', replacement_history: [] }) +
        say('user', 'Continue'),
    );
    const { archive } = await tempArchive();
    await syncAgent(archive, 'codex', { from });
    const messages = await archive.messages.list(codexSessionId(ID));
    expect(messages.map(describeMessage)).toEqual([
      'user(developer): <permissions instructions>sandboxed</permissions instructions>',
      'user(environment): <environment_context><cwd>/home/dev/api</cwd></environment_context>',
      'user: Find the docs and run the tests',
      'assistant: web_search:completed | exec_command:error | shell:completed | snapshot',
      'user(compaction): compaction | Summary of the work so far',
      'user: Continue',
    ]);
    // Environment and developer messages are not the user's words: not the title either.
    expect((await archive.sessions.get(codexSessionId(ID))).title).toBe('Find the docs and run the tests');
    expect(messages[0]?.parts[0]).toMatchObject({ synthetic: true });
  });

  it('reads the spring-2025 one-document sessions (.json)', async () => {
    const doc = {
      session: { id: ID, timestamp: '2025-04-20T09:00:00.000Z', instructions: '' },
      items: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What does this do?' }] },
        { type: 'function_call', name: 'shell', arguments: '{"command":["cat","README.md"]}', call_id: 'c1' },
        { type: 'function_call_output', call_id: 'c1', output: '{"output":"# API","metadata":{"exit_code":0}}' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'It serves an API.' }] },
      ],
    };
    const from = join(await tempDir(), 'sessions');
    await mkdir(from, { recursive: true });
    await writeFile(join(from, `rollout-2025-04-20-${ID}.json`), JSON.stringify(doc, null, 2));
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'codex', { from });
    expect(r.sessions.new).toBe(1);
    const messages = await archive.messages.list(codexSessionId(ID));
    expect(messages.map(describeMessage)).toEqual(['user: What does this do?', 'assistant: shell:completed | It serves an API.']);
    expect((await archive.sessions.get(codexSessionId(ID))).time.created).toBe(Date.parse('2025-04-20T09:00:00.000Z'));
    // A pretty-printed document is not cut at its last line: a second run reads nothing.
    expect((await syncAgent(archive, 'codex', { from })).files).toEqual({ found: 1, read: 0, skipped: 1 });
  });
});
