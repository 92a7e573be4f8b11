import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncAgent } from '../../src/index.js';
import { cursorSessionId } from '../../src/ops/capture/agents/cursor/convert.js';
import { userWords } from '../../src/ops/capture/agents/cursor/transcripts.js';
import { sarc } from '../cli/helpers.js';
import { tempArchive, tempDir } from '../helpers.js';
import { cursorFixture } from './contract/cursor.js';
import { CLI_A, CLI_B, CLI_C, CliChat, cursorCliFixture, FOLDER } from './contract/cursor-cli.js';
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

// The command-line agent's chats: a database per chat whose messages are a tree of content-addressed blobs, and the
// newer JSONL transcripts. What comes across: the chat's name, its folder (from the root blob), the person's words
// out of the agent's context, reasoning, tool calls with their results, the model; a transcript only where no store has the chat.
describe.skipIf(cursorCliFixture.missing !== undefined)("Cursor's command-line agent", () => {
  it('maps a chat store and a transcript, and reads a chat once though both have it', async () => {
    const store = await cursorCliFixture.make(await tempDir());
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'cursor', { from: store.from });
    expect(r.failures).toEqual([]);
    expect((await archive.sessions.list()).map((s) => s.title).sort()).toEqual(['Cart', 'Checkout', 'Name the tests']);
    const a = cursorSessionId(CLI_A);
    expect(await archive.sessions.get(a)).toMatchObject({
      title: 'Cart',
      directory: FOLDER,
      time: { created: Date.parse('2026-06-01T10:00:00.000Z') },
    });
    const messages = await archive.messages.list(a);
    expect(messages.map((m) => `${m.info.role}:${m.parts.map((p) => p.type).join(',')}`)).toEqual([
      'user:text',
      'assistant:text',
      'assistant:reasoning,tool',
    ]);
    // The person's words, not the context the agent wrapped them in.
    expect(messages[0]?.parts[0]).toMatchObject({ type: 'text', text: 'Add a cart' });
    expect(messages[2]?.info).toMatchObject({ modelID: 'gpt-5-high' });
    expect(messages[2]?.parts[1]).toMatchObject({
      tool: 'Shell',
      state: { status: 'completed', input: { command: 'ls' }, output: 'cart.py' },
    });
    // Messages keep their order though none has a time.
    const times = messages.map((m) => m.info.time.created);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    const c = await archive.messages.list(cursorSessionId(CLI_C));
    expect(c.map((m) => m.parts.map((p) => ('text' in p ? p.text : p.type)).join())).toEqual(['Name the tests', 'test_cart.py']);
    expect((await archive.sessions.get(cursorSessionId(CLI_C))).metadata).toMatchObject({ cursor: { project: 'home-dev-shop' } });
  });

  it('a chat whose tree loops or names a missing blob syncs what it can, and says what it passed over', async () => {
    const root = join(await tempDir(), '.cursor');
    const chat = new CliChat(root, CLI_B, 'Loops');
    await chat.create();
    chat.turn('First');
    // A node that names itself, and a node that names a blob that is not there.
    const self = Buffer.concat([Buffer.from([0x0a, 0x20]), Buffer.alloc(32, 7)]);
    runSql(chat.path, 'INSERT INTO blobs (id, data) VALUES (?, ?)', '07'.repeat(32), self);
    chat.add({ role: 'user', content: 'Second' });
    const meta = JSON.parse(Buffer.from(String((await readMeta(chat.path)) ?? ''), 'hex').toString('utf8'));
    const root2 = Buffer.concat([
      Buffer.from([0x0a, 0x20]),
      Buffer.from(meta.latestRootBlobId, 'hex'),
      Buffer.from([0x0a, 0x20]),
      Buffer.alloc(32, 7),
      Buffer.from([0x0a, 0x20]),
      Buffer.alloc(32, 9),
    ]);
    runSql(chat.path, 'INSERT INTO blobs (id, data) VALUES (?, ?)', 'ab'.repeat(32), root2);
    runSql(
      chat.path,
      'UPDATE meta SET value = ? WHERE key = ?',
      Buffer.from(JSON.stringify({ ...meta, latestRootBlobId: 'ab'.repeat(32) })).toString('hex'),
      '0',
    );
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'cursor', { from: root });
    expect(r.failures).toEqual([]);
    const texts = (await archive.messages.list(cursorSessionId(CLI_B))).map((m) =>
      m.parts.map((p) => ('text' in p ? p.text : p.type)).join(),
    );
    expect(texts).toEqual(['First', 'Re: First', 'Second']);
    expect(JSON.stringify(r)).toMatch(/under itself/);
    expect(JSON.stringify(r)).toMatch(/is missing/);
  });

  it("a prompt's words are read out of the agent's context, in one pass whatever the prompt holds", () => {
    expect(userWords('<user_info>OS: linux</user_info>\n<user_query>\n Fix it \n</user_query>')).toEqual({
      text: 'Fix it',
      context: false,
    });
    expect(userWords('<user_info>OS: linux</user_info>\n\n<attached_files>a.py</attached_files>\n')).toMatchObject({ context: true });
    expect(userWords('<user_info>OS</user_info> and my words')).toMatchObject({ context: false });
    expect(userWords('plain words')).toEqual({ text: 'plain words', context: false });
    // Hostile prompts that a backtracking pattern would take minutes over: many tags never closed, a query never closed.
    const open = '<a>'.repeat(1_000_000);
    expect(userWords(open).context).toBe(false);
    const unclosed = `<user_query>${' '.repeat(1_000_000)}x`;
    expect(userWords(unclosed)).toEqual({ text: unclosed, context: false });
  });

  it('the same words said twice are two messages (one blob, named twice)', async () => {
    const root = join(await tempDir(), '.cursor');
    const chat = new CliChat(root, CLI_A, 'Twice');
    await chat.create();
    chat.turn('Yes');
    chat.turn('Yes');
    const { archive } = await tempArchive();
    expect((await syncAgent(archive, 'cursor', { from: root })).failures).toEqual([]);
    const texts = (await archive.messages.list(cursorSessionId(CLI_A))).map((m) =>
      m.parts.map((p) => ('text' in p ? p.text : p.type)).join(),
    );
    expect(texts).toEqual(['Yes', 'Re: Yes', 'Yes', 'Re: Yes']);
  });

  it('sources shows ~/.cursor and a plain sync reads it without being told where', async () => {
    const home = await tempDir();
    await cursorCliFixture.make(home);
    const { dir, stateDir } = await tempArchive();
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, HOME: home };
    const sources = await sarc(['sources', '--json'], { env });
    expect(sources.code, sources.stderr).toBe(0);
    expect((JSON.parse(sources.stdout) as Array<{ agent: string; path: string }>).find((s) => s.agent === 'cursor')?.path).toBe(
      join(home, '.cursor'),
    );
    const run = await sarc(['sync', 'cursor', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ sessions: { new: 3 } });
  });
});

/** A chat store's meta row as stored (hex text). */
async function readMeta(path: string): Promise<unknown> {
  const { openSqlite } = await import('../../src/store/sqlite.js');
  const db = openSqlite(path, { readOnly: true, purpose: 'test' });
  try {
    return db.prepare("SELECT value FROM meta WHERE key = '0'").get()?.value;
  } finally {
    db.close();
  }
}
