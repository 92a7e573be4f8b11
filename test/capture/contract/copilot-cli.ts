import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copilotSessionId } from '../../../src/ops/capture/agents/copilot-cli/convert.js';
import { appendedStore, type ContractFixture, clock, line } from './fixtures.js';

// Copilot CLI's store as 1.0.102 writes it: session-state/<uuid>/events.jsonl,
// events `{type, data, id, timestamp, parentId}`; and one session of the older
// flat layout (session-state/<uuid>.jsonl).

export const copilotFixture: ContractFixture = {
  agent: 'copilot-cli',
  halfWritten: true,
  unknownType: 'event hologram',
  async make(dir) {
    const from = join(dir, 'session-state');
    const at = clock('2026-06-01T10:00:00.000Z');
    let n = 0;
    const ev = (type: string, data: Record<string, unknown>) => line({ type, data, id: `e-${n++}`, timestamp: at(), parentId: null });
    const start = (sessionId: string) =>
      ev('session.start', { sessionId, copilotVersion: '1.0.102', selectedModel: 'gpt-5', context: { cwd: '/home/dev/shop' } }) +
      ev('system.message', { role: 'system', content: 'You are the GitHub Copilot CLI.' });
    const turn = (text: string) => {
      const call = `api-${n}`;
      return (
        ev('user.message', { content: text, transformedContent: `<current_datetime/>\n\n${text}`, messageId: `u-${n}` }) +
        ev('assistant.turn_start', { turnId: '0' }) +
        ev('session.usage_record', {
          usage: { model: 'gpt-5', inputTokens: 20, outputTokens: 5, cacheReadTokens: 3, cacheWriteTokens: 0, apiCallId: call },
        }) +
        ev('assistant.message', { messageId: `a-${n}`, model: 'gpt-5', content: `Re: ${text}`, toolRequests: [], apiCallId: call }) +
        ev('assistant.turn_end', { turnId: '0' })
      );
    };
    const s1 = '0c0c0000-0000-4000-8000-000000000001';
    const s2 = '0c0c0000-0000-4000-8000-000000000002';
    const s3 = '0c0c0000-0000-4000-8000-000000000003';
    await mkdir(join(from, s1), { recursive: true });
    await mkdir(join(from, s2), { recursive: true });
    await writeFile(
      join(from, s1, 'events.jsonl'),
      start(s1) +
        ev('user.message', { content: 'Run the tests', messageId: 'u-x' }) +
        ev('assistant.message', {
          messageId: 'a-x',
          model: 'gpt-5',
          content: '',
          reasoningText: 'Running them.',
          toolRequests: [{ toolCallId: 'call_1', name: 'bash', arguments: { command: 'npm test' } }],
        }) +
        ev('tool.execution_start', { toolCallId: 'call_1', toolName: 'bash', arguments: { command: 'npm test' } }) +
        ev('tool.execution_complete', {
          toolCallId: 'call_1',
          success: false,
          result: { content: '1 failing' },
          shellExecution: { exitCode: 1 },
        }) +
        ev('hologram', { shimmer: true }),
    );
    const second = join(from, s2, 'events.jsonl');
    await writeFile(second, start(s2) + turn('Why is checkout slow?'));
    await writeFile(join(from, `${s3}.jsonl`), start(s3) + turn('Explain the router'));
    return appendedStore({ from, sessions: 3, children: 0, grownId: copilotSessionId(s2), file: second, turn });
  },
};
