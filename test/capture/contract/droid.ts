import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { droidSessionId } from '../../../src/ops/capture/agents/droid/convert.js';
import { appendedStore, type ContractFixture, clock, line } from './fixtures.js';

// Factory Droid's store: sessions/<folder>/<uuid>.jsonl (a session_start line,
// then Anthropic-style messages) with <uuid>.settings.json beside it; one
// session of the older flat layout.

export const droidFixture: ContractFixture = {
  agent: 'droid',
  halfWritten: true,
  unknownType: 'record hologram',
  async make(dir) {
    const from = join(dir, 'sessions');
    const folder = join(from, '-home-dev-shop');
    await mkdir(folder, { recursive: true });
    const at = clock('2026-06-01T10:00:00.000Z');
    let n = 0;
    const start = (id: string, title: string) =>
      line({ type: 'session_start', id, title, owner: 'dev', version: 2, cwd: '/home/dev/shop' });
    const message = (role: string, content: unknown, extra: Record<string, unknown> = {}) =>
      line({ type: 'message', id: `m-${n++}`, timestamp: at(), message: { role, content, ...extra } });
    const turn = (text: string) =>
      message('user', [
        { type: 'text', text: '<system-reminder>Todo list is empty.</system-reminder>' },
        { type: 'text', text },
      ]) +
      message('assistant', [{ type: 'text', text: `Re: ${text}` }], {
        model: 'claude-sonnet-4-5',
        usage: { input_tokens: 9, output_tokens: 2 },
      });
    const s1 = 'd0d00000-0000-4000-8000-000000000001';
    const s2 = 'd0d00000-0000-4000-8000-000000000002';
    const s3 = 'd0d00000-0000-4000-8000-000000000003';
    await writeFile(
      join(folder, `${s1}.jsonl`),
      start(s1, 'Add a cart') +
        message('user', [{ type: 'text', text: 'Add a cart' }]) +
        message('assistant', [{ type: 'tool_use', id: 'toolu_1', name: 'Execute', input: { command: 'npm test' } }]) +
        message('user', [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'exit 1', is_error: true }]) +
        line({ type: 'hologram', shimmer: true }),
    );
    await writeFile(join(folder, `${s1}.settings.json`), JSON.stringify({ model: 'claude-sonnet-4-5', tokenUsage: { inputTokens: 9 } }));
    const second = join(folder, `${s2}.jsonl`);
    await writeFile(second, start(s2, 'Slow checkout') + turn('Why is checkout slow?'));
    await writeFile(join(from, `${s3}.jsonl`), start(s3, 'Router') + turn('Explain the router'));
    return appendedStore({ from, sessions: 3, children: 0, grownId: droidSessionId(s2), file: second, turn });
  },
};
