import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cursorSessionId } from '../../../src/ops/capture/agents/cursor/convert.js';
import type { ContractFixture } from './fixtures.js';
import { HAVE_SQLITE, runSql } from './opencode-fixture.js';

// Cursor: the global state.vscdb's cursorDiskKV (composerData:<id> with its message headers, bubbleId:<id>:<bubble>
// per message), and a workspace whose state.vscdb lists its chats and whose workspace.json names its folder.

const KV = 'CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)';
const T0 = Date.parse('2026-06-01T10:00:00.000Z');

export const cursorFixture: ContractFixture = {
  agent: 'cursor',
  ...(HAVE_SQLITE ? {} : { missing: 'needs SQLite for Node (node:sqlite or better-sqlite3)' }),
  halfWritten: false,
  unknownType: 'bubble type 30',
  async make(dir) {
    const user = join(dir, 'Cursor', 'User');
    const ws = join(user, 'workspaceStorage', '5d41402abc4b2a76b9719d911017c592');
    await mkdir(join(user, 'globalStorage'), { recursive: true });
    await mkdir(ws, { recursive: true });
    const path = join(user, 'globalStorage', 'state.vscdb');
    const run = runSql;
    run(path, KV);
    run(join(ws, 'state.vscdb'), 'CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)');
    await writeFile(join(ws, 'workspace.json'), JSON.stringify({ folder: 'file:///home/dev/shop' }));
    const put = (key: string, v: unknown) => run(path, 'INSERT INTO cursorDiskKV (key, value) VALUES (?, ?)', key, JSON.stringify(v));
    const chats = new Map<string, Array<{ bubbleId: string; type: number }>>();
    let n = 0;
    const composer = (id: string, name: string) =>
      put(`composerData:${id}`, {
        _v: 10,
        composerId: id,
        name,
        createdAt: T0,
        lastUpdatedAt: T0 + n * 1000,
        status: 'completed',
        isAgentic: true,
        modelConfig: { modelName: 'claude-4.5-sonnet' },
        fullConversationHeadersOnly: chats.get(id),
      });
    const bubble = (id: string, type: number, extra: Record<string, unknown>) => {
      const bubbleId = `b${++n}`;
      put(`bubbleId:${id}:${bubbleId}`, { _v: 3, type, bubbleId, createdAt: new Date(T0 + n * 1000).toISOString(), ...extra });
      chats.set(id, [...(chats.get(id) ?? []), { bubbleId, type }]);
    };
    const turn = (id: string, text: string) => {
      bubble(id, 1, { text });
      bubble(id, 2, { text: `Re: ${text}`, tokenCount: { inputTokens: 12, outputTokens: 4 } });
    };
    const a = '0c0ffee0-0000-4000-8000-000000000001';
    const b = '0c0ffee0-0000-4000-8000-000000000002';
    chats.set(a, []);
    chats.set(b, []);
    turn(a, 'Add a cart');
    bubble(a, 2, {
      thinking: { text: 'List the files.' },
      toolFormerData: { name: 'run_terminal_cmd', rawArgs: '{"command":"ls"}', result: '{"output":"cart.py"}', status: 'completed' },
    });
    bubble(a, 30, { shimmer: true });
    composer(a, 'Cart');
    turn(b, 'Why is checkout slow?');
    composer(b, 'Checkout');
    run(
      join(ws, 'state.vscdb'),
      'INSERT INTO ItemTable (key, value) VALUES (?, ?)',
      'composer.composerData',
      JSON.stringify({ allComposers: [{ composerId: a }, { composerId: b }] }),
    );
    return {
      from: user,
      sessions: 2,
      children: 0,
      grownId: cursorSessionId(b),
      grow: async (text) => {
        turn(b, text);
        composer(b, 'Checkout');
      },
      cut: async () => {},
      finish: async () => {},
      remove: async () => run(path, 'DELETE FROM cursorDiskKV WHERE key = ?', `composerData:${b}`),
    };
  },
};
