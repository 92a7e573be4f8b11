import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copilotVscodeSessionId } from '../../../src/ops/capture/agents/copilot-vscode/convert.js';
import { appendedStore, type ContractFixture, line } from './fixtures.js';

// VS Code Copilot Chat: a workspace's chatSessions/<id>.jsonl mutation log (the first line the state, then sets and
// pushes), an older one-document .json, and a chat of a window with no folder.

const T0 = Date.parse('2026-06-01T10:00:00.000Z');
let n = 0;
const request = (text: string, extra: unknown[] = []) => {
  n++;
  return {
    requestId: `request_${n}`,
    timestamp: T0 + n * 60_000,
    modelId: 'copilot/claude-sonnet-4.5',
    message: { text, parts: [{ kind: 'text', text }] },
    response: [
      { kind: 'thinking', value: 'Look at the code first.' },
      {
        kind: 'toolInvocationSerialized',
        toolId: 'copilot_readFile',
        toolCallId: `call_${n}`,
        invocationMessage: { value: 'Reading cart.py' },
        pastTenseMessage: { value: 'Read cart.py' },
        isComplete: true,
      },
      { value: `Re: ${text}`, supportThemeIcons: false },
      { kind: 'codeblockUri', uri: { path: '/home/dev/shop/cart.py' } },
      ...extra,
    ],
    result: { timings: { firstProgress: 400, totalElapsed: 2500 }, details: 'Claude Sonnet 4.5 • 1x' },
  };
};

export const copilotVscodeFixture: ContractFixture = {
  agent: 'copilot-vscode',
  halfWritten: true,
  unknownType: 'response hologram',
  async make(dir) {
    const from = join(dir, 'User');
    const ws = join(from, 'workspaceStorage', '0a1b2c3d4e5f');
    await mkdir(join(ws, 'chatSessions'), { recursive: true });
    await mkdir(join(from, 'globalStorage', 'emptyWindowChatSessions'), { recursive: true });
    await writeFile(join(ws, 'workspace.json'), JSON.stringify({ folder: 'file:///home/dev/shop' }));
    const id = 'c0de0000-0000-4000-8000-000000000001';
    const log = join(ws, 'chatSessions', `${id}.jsonl`);
    await writeFile(
      log,
      line({ kind: 0, v: { version: 3, sessionId: id, creationDate: T0, requests: [], mode: { id: 'agent', kind: 'agent' } } }) +
        line({ kind: 2, k: ['requests'], v: [request('Add a cart', [{ kind: 'hologram', shimmer: true }])] }) +
        line({ kind: 1, k: ['customTitle'], v: 'Cart work' }),
    );
    const old = 'c0de0000-0000-4000-8000-000000000002';
    await writeFile(
      join(ws, 'chatSessions', `${old}.json`),
      JSON.stringify({ version: 3, sessionId: old, creationDate: T0, requests: [request('Why is checkout slow?')] }),
    );
    const empty = 'c0de0000-0000-4000-8000-000000000003';
    await writeFile(
      join(from, 'globalStorage', 'emptyWindowChatSessions', `${empty}.json`),
      JSON.stringify({ version: 3, sessionId: empty, creationDate: T0, requests: [request('What is a monad?')] }),
    );
    return appendedStore({
      from,
      sessions: 3,
      children: 0,
      grownId: copilotVscodeSessionId(id),
      file: log,
      turn: (text) => line({ kind: 2, k: ['requests'], v: [request(text)] }),
    });
  },
};
