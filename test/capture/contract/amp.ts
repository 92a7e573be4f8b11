import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ampSessionId } from '../../../src/ops/capture/agents/amp/convert.js';
import type { ContractFixture } from './fixtures.js';

// Amp's store: threads/T-<uuid>.json, one document per thread, rewritten whole
// as the thread goes on.

export const ampFixture: ContractFixture = {
  agent: 'amp',
  halfWritten: true,
  unknownType: 'assistant block hologram',
  async make(dir) {
    const from = join(dir, 'threads');
    await mkdir(from, { recursive: true });
    const created = Date.parse('2026-06-01T10:00:00.000Z');
    const thread = (id: string, prompts: string[], extra: unknown[] = []) => ({
      v: 42,
      id,
      created,
      agentMode: 'smart',
      env: {
        initial: {
          trees: [{ displayName: 'shop', uri: 'file:///home/dev/shop' }],
          platform: { client: 'CLI', clientVersion: '0.0.1765000000' },
        },
      },
      messages: prompts.flatMap((prompt, i) => [
        { role: 'user', messageId: 2 * i, content: [{ type: 'text', text: prompt }], meta: { sentAt: created + i * 10_000 } },
        {
          role: 'assistant',
          messageId: 2 * i + 1,
          content: [{ type: 'text', text: `Re: ${prompt}` }, ...(i === 0 ? extra : [])],
          state: { type: 'complete', stopReason: 'end_turn' },
          usage: { model: 'claude-sonnet-4-5', inputTokens: 10, outputTokens: 3, cacheReadInputTokens: 4, cacheCreationInputTokens: 1 },
        },
      ]),
    });
    const write = (id: string, doc: unknown, cut = false) => {
      const text = JSON.stringify(doc);
      return writeFile(join(from, `${id}.json`), cut ? text.slice(0, -10) : text);
    };
    const t1 = 'T-0a0a0000-0000-4000-8000-000000000001';
    const t2 = 'T-0a0a0000-0000-4000-8000-000000000002';
    const t3 = 'T-0a0a0000-0000-4000-8000-000000000003';
    await write(t1, thread(t1, ['Add a cart'], [{ type: 'hologram', shimmer: true }]));
    const prompts = ['Why is checkout slow?'];
    await write(t2, thread(t2, prompts));
    await write(t3, thread(t3, ['Explain the router']));
    let cut: string[] = [];
    return {
      from,
      sessions: 3,
      children: 0,
      grownId: ampSessionId(t2),
      async grow(text) {
        prompts.push(text);
        await write(t2, thread(t2, prompts));
      },
      async cut() {
        cut = [...prompts, 'half written'];
        await write(t2, thread(t2, cut), true);
      },
      async finish() {
        prompts.splice(0, prompts.length, ...cut);
        await write(t2, thread(t2, prompts));
      },
      remove: () => rm(join(from, `${t2}.json`)),
    };
  },
};
