import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { qwenSessionId } from '../../../src/ops/capture/agents/qwen-code/convert.js';
import { appendedStore, type ContractFixture, clock, line } from './fixtures.js';

// Qwen Code's store as 0.24 writes it (projects/<folder>/chats/<id>.jsonl,
// records chained by parentUuid, Gemini-shaped parts, system records), and
// one session of its older layout (Gemini CLI's: one JSON document).

export const qwenFixture: ContractFixture = {
  agent: 'qwen-code',
  halfWritten: true,
  unknownType: 'record hologram',
  async make(dir) {
    const from = join(dir, '.qwen');
    const chats = join(from, 'projects', '-home-dev-shop', 'chats');
    const older = join(from, 'tmp', 'a'.repeat(64), 'chats');
    await mkdir(chats, { recursive: true });
    await mkdir(older, { recursive: true });
    const at = clock('2026-06-01T10:00:00.000Z');
    let n = 0;
    let parent: string | null = null;
    const record = (sessionId: string, r: Record<string, unknown>) => {
      const uuid = `00000000-0000-4000-8000-${String(n++).padStart(12, '0')}`;
      const out = { uuid, parentUuid: parent, sessionId, timestamp: at(), cwd: '/home/dev/shop', version: '0.24.4', ...r };
      parent = uuid;
      return line(out);
    };
    const turn = (sessionId: string, text: string) =>
      record(sessionId, { type: 'user', provenance: 'real_user', message: { role: 'user', parts: [{ text }] } }) +
      record(sessionId, {
        type: 'system',
        subtype: 'ui_telemetry',
        systemPayload: { uiEvent: { 'event.name': 'qwen-code.api_response' } },
      }) +
      record(sessionId, {
        type: 'assistant',
        model: 'qwen3-coder-plus',
        message: { role: 'model', parts: [{ text: `Re: ${text}` }] },
        usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 4, thoughtsTokenCount: 0, cachedContentTokenCount: 10 },
      });
    const s1 = 'a1a1a1a1-0000-4000-8000-000000000001';
    const s2 = 'b2b2b2b2-0000-4000-8000-000000000002';
    await writeFile(
      join(chats, `${s1}.jsonl`),
      turn(s1, 'Add a cart') +
        record(s1, {
          type: 'assistant',
          model: 'qwen3-coder-plus',
          message: { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'run_shell_command', args: { command: 'npm test' } } }] },
        }) +
        record(s1, {
          type: 'tool_result',
          message: {
            role: 'user',
            parts: [{ functionResponse: { id: 'call_1', name: 'run_shell_command', response: { output: 'Exit Code: 1' } } }],
          },
          toolCallResult: { callId: 'call_1', status: 'error' },
        }) +
        record(s1, { type: 'hologram', shimmer: true }),
    );
    parent = null;
    const second = join(chats, `${s2}.jsonl`);
    await writeFile(
      second,
      turn(s2, 'Why is checkout slow?') +
        record(s2, { type: 'system', subtype: 'custom_title', systemPayload: { customTitle: 'Slow checkout' } }),
    );
    await writeFile(
      join(older, 'session-2025-08-01T09-00-c3c3c3c3.json'),
      JSON.stringify({
        sessionId: 'c3c3c3c3-0000-4000-8000-000000000003',
        projectHash: 'a'.repeat(64),
        startTime: '2025-08-01T09:00:00.000Z',
        lastUpdated: '2025-08-01T09:01:00.000Z',
        messages: [
          { id: 'm1', timestamp: '2025-08-01T09:00:01.000Z', type: 'user', content: 'Explain the router' },
          { id: 'm2', timestamp: '2025-08-01T09:00:05.000Z', type: 'gemini', content: 'It maps paths.', model: 'qwen3-coder-plus' },
        ],
      }),
    );
    return appendedStore({ from, sessions: 3, children: 0, grownId: qwenSessionId(s2), file: second, turn: (text) => turn(s2, text) });
  },
};
