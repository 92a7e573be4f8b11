import { describe, expect, it } from 'vitest';
import { syncAgent } from '../../src/index.js';
import { cursorSessionId } from '../../src/ops/capture/agents/cursor/convert.js';
import { tempArchive, tempDir } from '../helpers.js';
import { cursorFixture } from './contract/cursor.js';

// What a Cursor chat carries over: its name, the workspace folder that lists it, each message in the order of the
// chat's headers, the tool call with its parsed arguments and result, reasoning, tokens, the model.

describe.skipIf(cursorFixture.missing !== undefined)('Cursor', () => {
  it('maps a chat from the global database, its folder from the workspace that lists it', async () => {
    const store = await cursorFixture.make(await tempDir());
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'cursor', { from: store.from });
    expect(r.failures).toEqual([]);
    const id = cursorSessionId('0c0ffee0-0000-4000-8000-000000000001');
    expect(await archive.sessions.get(id)).toMatchObject({ title: 'Cart', directory: '/home/dev/shop' });
    const messages = await archive.messages.list(id);
    expect(messages.map((m) => `${m.info.role}:${m.parts.map((p) => p.type).join(',')}`)).toEqual([
      'user:text',
      'assistant:text',
      'assistant:reasoning,tool',
    ]);
    expect(messages[1]?.info).toMatchObject({ modelID: 'claude-4.5-sonnet', tokens: { input: 12, output: 4 } });
    expect(messages[2]?.parts[1]).toMatchObject({
      tool: 'run_terminal_cmd',
      state: { status: 'completed', input: { command: 'ls' }, output: '{"output":"cart.py"}' },
    });
  });
});
