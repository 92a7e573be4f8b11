import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncAgent } from '../../src/index.js';
import { cursorSessionId } from '../../src/ops/capture/agents/cursor/convert.js';
import { tempArchive, tempDir } from '../helpers.js';
import { cursorFixture } from './contract/cursor.js';
import { runSql } from './contract/opencode-fixture.js';

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

  it('takes a folder only from a workspace database that is a file of its own, never through a link', async () => {
    const root = await tempDir();
    const store = await cursorFixture.make(root);
    const ws = join(store.from, 'workspaceStorage', '5d41402abc4b2a76b9719d911017c592');
    const b = '0c0ffee0-0000-4000-8000-000000000002';
    // The real workspace lists only the first chat; a second workspace's database is a link to one elsewhere that lists the other.
    runSql(
      join(ws, 'state.vscdb'),
      'UPDATE ItemTable SET value = ? WHERE key = ?',
      JSON.stringify({ allComposers: [{ composerId: '0c0ffee0-0000-4000-8000-000000000001' }] }),
      'composer.composerData',
    );
    const elsewhere = join(root, 'elsewhere.vscdb');
    runSql(elsewhere, 'CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)');
    runSql(
      elsewhere,
      'INSERT INTO ItemTable (key, value) VALUES (?, ?)',
      'composer.composerData',
      JSON.stringify({ allComposers: [{ composerId: b }] }),
    );
    const linked = join(store.from, 'workspaceStorage', 'ffffffffffffffffffffffffffffffff');
    await mkdir(linked);
    await writeFile(join(linked, 'workspace.json'), JSON.stringify({ folder: 'file:///elsewhere' }));
    await symlink(elsewhere, join(linked, 'state.vscdb'));
    const { archive } = await tempArchive();
    expect((await syncAgent(archive, 'cursor', { from: store.from })).failures).toEqual([]);
    expect((await archive.sessions.get(cursorSessionId('0c0ffee0-0000-4000-8000-000000000001'))).directory).toBe('/home/dev/shop');
    expect((await archive.sessions.get(cursorSessionId(b))).directory).toBe('/');
  });
});
