import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { piSessionId } from '../../../src/ops/capture/agents/pi/convert.js';
import { appendedStore, type ContractFixture, clock, line } from './fixtures.js';

// Pi's store as 0.73 writes it (format version 3): a header, then entries in a
// tree by id/parentId. The first session went back to an earlier answer and
// went on from there, so its file holds two ways: the way to its last entry is
// the session, the other a fork of it.

export const piFixture: ContractFixture = {
  agent: 'pi',
  halfWritten: true,
  unknownType: 'entry hologram',
  async make(dir) {
    const from = join(dir, 'sessions');
    const folder = join(from, '--home-dev-shop--');
    await mkdir(folder, { recursive: true });
    const at = clock('2026-06-01T10:00:00.000Z');
    let n = 0;
    const entry = (parentId: string | null, r: Record<string, unknown>) => {
      const id = (n++).toString(16).padStart(8, '0');
      return { id, text: line({ id, parentId, timestamp: at(), ...r }) };
    };
    const user = (parent: string | null, text: string) => entry(parent, { type: 'message', message: { role: 'user', content: text } });
    const answer = (parent: string, text: string) =>
      entry(parent, {
        type: 'message',
        message: {
          role: 'assistant',
          content: [{ type: 'text', text }],
          provider: 'anthropic',
          model: 'claude-sonnet-4-5',
          usage: { input: 10, output: 3, cacheRead: 5, cacheWrite: 0, totalTokens: 18, cost: { total: 0.0012 } },
          stopReason: 'stop',
        },
      });
    const header = (id: string) => line({ type: 'session', version: 3, id, timestamp: at(), cwd: '/home/dev/shop' });
    const s1 = '01a20000-0000-7000-8000-000000000001';
    const s2 = '01a20000-0000-7000-8000-000000000002';
    const a = user(null, 'Add a cart');
    const b = answer(a.id, 'Which store?');
    const c = user(b.id, 'Use Redux');
    const d = answer(c.id, 'Done with Redux.');
    const e = user(b.id, 'Use a context instead');
    const f = answer(e.id, 'Done with a context.');
    await writeFile(
      join(folder, `2026-06-01T10-00-00-000Z_${s1}.jsonl`),
      header(s1) +
        [a, b, c, d, e, f].map((x) => x.text).join('') +
        line({ type: 'hologram', id: 'ffffffff', parentId: f.id, timestamp: at(), shimmer: true }),
    );
    const second = join(folder, `2026-06-01T11-00-00-000Z_${s2}.jsonl`);
    let last: string | null = null;
    const turn = (text: string) => {
      const u = user(last, text);
      const r = answer(u.id, `Re: ${text}`);
      last = r.id;
      return u.text + r.text;
    };
    await writeFile(second, header(s2) + turn('Why is checkout slow?'));
    return appendedStore({ from, sessions: 3, children: 0, grownId: piSessionId(s2), file: second, turn });
  },
};
