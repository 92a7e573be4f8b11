import { describe, expect, it } from 'vitest';
import { syncAgent } from '../../src/index.js';
import { crushSessionId } from '../../src/ops/capture/agents/crush/convert.js';
import { tempArchive, tempDir } from '../helpers.js';
import { crushFixture } from './contract/crush.js';

// What a Crush session carries over: the tool call with its result from the `tool` message, the model and provider,
// the finish reason, the session's totals, a sub-agent session as a child.

describe.skipIf(crushFixture.missing !== undefined)('Crush', () => {
  it('maps a session: tool call and result, model, finish, totals kept, the child under its parent', async () => {
    const store = await crushFixture.make(await tempDir());
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'crush', { from: store.from });
    expect(r.failures).toEqual([]);
    const id = crushSessionId('8f1e0c2a-0000-4000-8000-000000000001');
    const info = await archive.sessions.get(id);
    expect(info.title).toBe('Add a cart');
    expect(info.directory.endsWith('/shop')).toBe(true);
    expect(info.metadata?.crush).toMatchObject({ promptTokens: 120, completionTokens: 30, cost: 0.0042 });
    const messages = await archive.messages.list(id);
    expect(messages.map((m) => m.info.role)).toEqual(['user', 'assistant']);
    const reply = messages[1];
    expect(reply?.info).toMatchObject({ modelID: 'claude-sonnet-4-5', providerID: 'anthropic', finish: 'end_turn' });
    const tool = reply?.parts.find((p) => p.type === 'tool');
    expect(tool).toMatchObject({
      tool: 'bash',
      callID: 'call_1',
      state: { status: 'completed', input: { command: 'ls' }, output: 'cart.py' },
    });
    const child = await archive.sessions.get(crushSessionId('8f1e0c2a-0000-4000-8000-000000000003'));
    expect(child.parentID).toBe(id);
  });
});
