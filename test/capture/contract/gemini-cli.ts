import { appendFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { geminiSessionId } from '../../../src/ops/capture/agents/gemini-cli/adapter.js';
import { type ContractFixture, line } from './fixtures.js';

// Gemini CLI's store, built as the agent writes it (0.61): a header line,
// message records, `$set` patches, the tool-call message written twice (before
// and after its call ran), a sub-agent's chat in the parent's folder, and a
// resume in a later minute that starts a second file repeating the history
// (re-timed, results duplicated) before its new turn.

export const geminiFixture: ContractFixture = {
  agent: 'gemini-cli',
  halfWritten: true,
  unknownType: 'gemini-cli message hologram',
  async make(dir) {
    const from = join(dir, '.gemini');
    const project = join(from, 'tmp', 'shop');
    const chats = join(project, 'chats');
    const s1 = 'a1b2c3d4-0000-4000-8000-000000000001';
    const s2 = 'e5f6a7b8-0000-4000-8000-000000000002';
    const child = 'c0c0c0c0-0000-4000-8000-000000000003';
    await mkdir(join(chats, s1), { recursive: true });
    await writeFile(join(project, '.project_root'), '/home/dev/shop');
    let t = Date.parse('2026-06-01T10:00:00.000Z');
    const tick = () => {
      t += 1000;
      return t;
    };
    const at = () => new Date(tick()).toISOString();
    let n = 0;
    const header = (sessionId: string, kind = 'main') =>
      line({ sessionId, projectHash: 'f'.repeat(64), startTime: at(), lastUpdated: at(), kind });
    const user = (text: string) => ({ id: `u-${n++}`, timestamp: at(), type: 'user', content: [{ text }] });
    const answer = (text: string) => ({
      id: `g-${n++}`,
      timestamp: at(),
      type: 'gemini',
      content: text,
      thoughts: [],
      tokens: { input: 30, output: 4, cached: 10, thoughts: 2, tool: 0, total: 36 },
      model: 'gemini-2.5-flash',
    });
    const turn = (text: string) => [user(text), answer(`Re: ${text}`)];
    const head = header(s1);
    const context = {
      $set: {
        messages: [
          {
            id: 'ctx',
            timestamp: at(),
            type: 'user',
            content: [{ text: '<session_context>\n- **Workspace Directories:**\n  - /home/dev/shop\n</session_context>' }],
          },
        ],
      },
    };
    const first = user('Add a cart');
    const call = answer('');
    const callId = 'run_shell_command_1';
    const withCall = {
      ...call,
      toolCalls: [
        {
          id: callId,
          name: 'run_shell_command',
          args: { command: 'npm test' },
          result: [{ functionResponse: { id: callId, name: 'run_shell_command', response: { output: 'ok' } } }],
          status: 'success',
          timestamp: at(),
        },
      ],
    };
    const response = { id: `r-${n++}`, timestamp: at(), type: 'user', content: withCall.toolCalls[0]?.result };
    await writeFile(
      join(chats, 'session-2026-06-01T10-00-a1b2c3d4.jsonl'),
      head +
        line(context) +
        line(first) +
        line({ $set: { lastUpdated: at() } }) +
        line(call) +
        line(withCall) +
        line(response) +
        line(answer('Added.')) +
        line({ id: 'h-1', timestamp: at(), type: 'hologram', shimmer: true }),
    );
    await writeFile(join(chats, s1, `${child}.jsonl`), header(child, 'subagent') + turn('Find the cart code').map(line).join(''));
    // The grown session: each growth is a resume in a later minute, a file of its own.
    const history: Array<Record<string, unknown>> = turn('Why is checkout slow?');
    let minute = 0;
    const fileOf = () => join(chats, `session-2026-06-01T11-${String(minute).padStart(2, '0')}-e5f6a7b8.jsonl`);
    await writeFile(fileOf(), header(s2) + history.map(line).join(''));
    const resume = (records: Array<Record<string, unknown>>) => {
      minute++;
      // The history again, re-timed to the resume, as Gemini CLI re-writes it.
      const rewritten = history.map((m) => ({ ...m, timestamp: new Date(t + 1).toISOString() }));
      history.push(...records);
      return header(s2) + line({ $set: { messages: rewritten } }) + records.map(line).join('');
    };
    let pending = '';
    return {
      from,
      sessions: 3,
      children: 1,
      grownId: geminiSessionId(s2),
      grow: async (text) => {
        const content = resume(turn(text));
        await writeFile(fileOf(), content);
      },
      cut: async () => {
        pending = line(user('half a line'));
        await appendFile(fileOf(), pending.slice(0, 40));
      },
      finish: () => appendFile(fileOf(), pending.slice(40)),
      remove: async () => {
        for (const name of await readdir(chats)) if (name.endsWith('e5f6a7b8.jsonl')) await rm(join(chats, name));
      },
    };
  },
};
