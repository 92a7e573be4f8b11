import { readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newId, openArchive } from '../../src/index.js';
import { codeOf, tempArchive, userMessage } from '../helpers.js';

describe('messages and parts', () => {
  it('appends a message with parts, filling in IDs, and moves time.updated', async () => {
    let now = 100;
    const { archive, dir } = await tempArchive({ now: () => now });
    const s = await archive.sessions.create();
    now = 200;
    const m = await archive.messages.append(s.id, userMessage('hello'));
    expect(m.info.id).toMatch(/^msg_/);
    expect(m.info.sessionID).toBe(s.id);
    expect(m.info.time.created).toBe(200);
    expect(m.parts[0]).toMatchObject({ type: 'text', text: 'hello', sessionID: s.id, messageID: m.info.id });
    expect((await archive.sessions.get(s.id)).time.updated).toBe(200);
    expect(await archive.messages.get(s.id, m.info.id)).toEqual(m);
    const file = JSON.parse(await readFile(join(dir, 'sessions', s.id, 'messages', `${m.info.id}.json`), 'utf8'));
    expect(file).toEqual(m);
  });

  it('makes a missing messages folder (a session made by hand has only its info.json)', async () => {
    const { archive, dir } = await tempArchive();
    const s = await archive.sessions.create();
    await rm(join(dir, 'sessions', s.id, 'messages'), { recursive: true });
    const m = await archive.messages.append(s.id, userMessage('first'));
    expect(await readdir(join(dir, 'sessions', s.id, 'messages'))).toEqual([`${m.info.id}.json`]);
    const second = await archive.messages.append(s.id, userMessage('second'));
    expect((await archive.messages.list(s.id)).map((x) => x.info.id)).toEqual([m.info.id, second.info.id]);
  });

  it('an append after info.json changed under it writes the change back, never the copy it kept from its last write', async () => {
    let now = 1_000;
    const { archive, dir, stateDir } = await tempArchive({ now: () => now });
    const s = await archive.sessions.create({ title: 'first title' });
    const path = join(dir, 'sessions', s.id, 'info.json');
    const edit = async (change: (info: Record<string, unknown>) => void, inPlace: (text: string) => Promise<void>) => {
      const info = JSON.parse(await readFile(path, 'utf8'));
      change(info);
      await inPlace(`${JSON.stringify(info, null, 2)}\n`);
    };
    await archive.messages.append(s.id, userMessage('one'));
    // Edited in place (same inode), a longer title: its size differs.
    await edit(
      (info) => {
        info.title = 'a longer title, edited by hand';
      },
      (text) => writeFile(path, text),
    );
    now = 2_000;
    await archive.messages.append(s.id, userMessage('two'));
    expect(await archive.sessions.get(s.id)).toMatchObject({ title: 'a longer title, edited by hand', time: { updated: 2_000 } });
    // The same size, in place: only the mtime tells (set apart from the append's by a second).
    await edit(
      (info) => {
        info.title = 'A LONGER TITLE, EDITED BY HAND';
      },
      async (text) => {
        await writeFile(path, text);
        const t = new Date(Date.now() + 1_000);
        await utimes(path, t, t);
      },
    );
    now = 3_000;
    await archive.messages.append(s.id, userMessage('three'));
    expect(await archive.sessions.get(s.id)).toMatchObject({ title: 'A LONGER TITLE, EDITED BY HAND', time: { updated: 3_000 } });
    // Replaced by another writer (a new file): written back as that writer left it.
    const other = await openArchive({ dir, stateDir });
    const { time } = await other.sessions.update(s.id, { title: 'from another process' });
    now = 4_000; // behind the other writer's clock: time.updated still moves past its value
    await archive.messages.append(s.id, userMessage('four'));
    expect(await archive.sessions.get(s.id)).toMatchObject({ title: 'from another process', time: { updated: time.updated + 1 } });
    expect((await archive.messages.list(s.id)).length).toBe(4);
  });

  it('refuses a duplicate append, bad input, and unknown sessions', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create();
    const m = await archive.messages.append(s.id, userMessage('one'));
    expect(await codeOf(archive.messages.append(s.id, userMessage('two', { id: m.info.id })))).toBe('DUPLICATE_ID');
    expect(await codeOf(archive.messages.append(s.id, userMessage('x', { id: '../../evil' })))).toBe('INVALID_ID');
    expect(await codeOf(archive.messages.append(newId('session'), userMessage('x')))).toBe('NOT_FOUND');
    await expect(archive.messages.append(s.id, { info: { role: 'user' }, parts: [] })).rejects.toThrow(
      'invalid message: info.agent: Invalid input: expected string, received undefined; info.model: Invalid input: expected object, received undefined',
    );
    await expect(
      archive.messages.append(s.id, {
        ...userMessage('x'),
        parts: [{ type: 'tool', tool: 'bash', callID: 'c', state: { status: 'done' } }],
      }),
    ).rejects.toThrow(
      "invalid message: parts[0].state.status: Invalid discriminator value. Expected 'pending' | 'running' | 'completed' | 'error'",
    );
    expect((await archive.messages.list(s.id)).length).toBe(1);
  });

  it('orders by time.created then ID, never by ID alone (OpenCode IDs wrapped)', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create();
    // A wrapped OpenCode ID (small hex) written later than one with a large hex.
    const early = 'msg_ffff00000001AAAAAAAAAAAAAA';
    const late = 'msg_000000000001AAAAAAAAAAAAAA';
    const tieA = 'msg_100000000000AAAAAAAAAAAAAA';
    const tieB = 'msg_100000000000BBBBBBBBBBBBBB';
    await archive.messages.upsert(s.id, userMessage('late', { id: late, time: { created: 3_000 } }));
    await archive.messages.upsert(s.id, userMessage('early', { id: early, time: { created: 1_000 } }));
    await archive.messages.upsert(s.id, userMessage('tieB', { id: tieB, time: { created: 2_000 } }));
    await archive.messages.upsert(s.id, userMessage('tieA', { id: tieA, time: { created: 2_000 } }));
    const ids = (await archive.messages.list(s.id)).map((m) => m.info.id);
    expect(ids).toEqual([early, tieA, tieB, late]);
    expect((await archive.messages.list(s.id, { limit: 2 })).map((m) => m.info.id)).toEqual([tieB, late]);
    expect((await archive.messages.list(s.id, { before: tieB })).map((m) => m.info.id)).toEqual([early, tieA]);
    expect((await archive.messages.list(s.id, { before: tieB, limit: 1 })).map((m) => m.info.id)).toEqual([tieA]);
    expect(await codeOf(archive.messages.list(s.id, { before: newId('message') }))).toBe('NOT_FOUND');
    expect(await codeOf(archive.messages.list(s.id, { limit: -1 }))).toBe('INVALID_INPUT');
  });

  it('upserts replace a whole message; an unchanged upsert writes nothing', async () => {
    let now = 1;
    const { archive, dir } = await tempArchive({ now: () => now });
    const s = await archive.sessions.create();
    const m = await archive.messages.append(s.id, userMessage('v1'));
    now = 50;
    const replaced = await archive.messages.upsert(s.id, { info: m.info, parts: [{ ...m.parts[0], text: 'v2' } as never] });
    expect(replaced.parts[0]).toMatchObject({ text: 'v2' });
    expect((await archive.sessions.get(s.id)).time.updated).toBe(50);
    now = 90;
    await archive.messages.upsert(s.id, replaced);
    expect((await archive.sessions.get(s.id)).time.updated).toBe(50);
    expect(await readdir(join(dir, 'sessions', s.id, 'messages'))).toEqual([`${m.info.id}.json`]);
  });

  it('upserts and deletes parts in place, keeping their order', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create();
    const m = await archive.messages.append(s.id, userMessage('first'));
    const second = await archive.messages.upsertPart(s.id, m.info.id, { type: 'text', text: 'second' });
    const edited = await archive.messages.upsertPart(s.id, m.info.id, { ...(m.parts[0] as object), type: 'text', text: 'first, edited' });
    expect(edited.id).toBe(m.parts[0]?.id);
    let parts = (await archive.messages.get(s.id, m.info.id)).parts;
    expect(parts.map((p) => (p.type === 'text' ? p.text : p.type))).toEqual(['first, edited', 'second']);
    await archive.messages.deletePart(s.id, m.info.id, edited.id);
    parts = (await archive.messages.get(s.id, m.info.id)).parts;
    expect(parts.map((p) => p.id)).toEqual([second.id]);
    expect(await codeOf(archive.messages.deletePart(s.id, m.info.id, edited.id))).toBe('NOT_FOUND');
    expect(await codeOf(archive.messages.upsertPart(s.id, newId('message'), { type: 'text', text: 'x' }))).toBe('NOT_FOUND');
    expect(await codeOf(archive.messages.upsertPart(s.id, m.info.id, { type: 'text', text: 'x', messageID: newId('message') }))).toBe(
      'INVALID_INPUT',
    );
  });

  it('deletes messages', async () => {
    let now = 1;
    const { archive } = await tempArchive({ now: () => now });
    const s = await archive.sessions.create();
    const a = await archive.messages.append(s.id, userMessage('a'));
    const b = await archive.messages.append(s.id, userMessage('b'));
    now = 77;
    await archive.messages.delete(s.id, a.info.id);
    expect((await archive.messages.list(s.id)).map((m) => m.info.id)).toEqual([b.info.id]);
    expect((await archive.sessions.get(s.id)).time.updated).toBe(77);
    expect(await codeOf(archive.messages.delete(s.id, a.info.id))).toBe('NOT_FOUND');
    expect(await codeOf(archive.messages.get(s.id, a.info.id))).toBe('NOT_FOUND');
  });

  it('keeps unknown fields in messages and parts at every level', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const sid = 'ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA';
    const mid = 'msg_019a8b7c6d02Zq8Wm3Nx5Rv7Tb';
    const path = join(dir, 'sessions', sid, 'messages', `${mid}.json`);
    const raw = JSON.parse(await readFile(path, 'utf8'));
    raw.extraTop = true;
    raw.info.extraInfo = 1;
    raw.info.tokens.cache.extraCache = 2;
    raw.info.path.extraPath = 3;
    raw.parts[2].state.extraState = 4;
    raw.parts[2].state.time.extraTime = 5;
    raw.parts[2].state.input.anything = { deep: [6] };
    await writeFile(path, JSON.stringify(raw));
    const textPart = raw.parts.find((p: { type: string }) => p.type === 'text');
    await archive.messages.upsertPart(sid, mid, { ...textPart, text: 'changed' });
    const after = JSON.parse(await readFile(path, 'utf8'));
    expect(after.extraTop).toBe(true);
    expect(after.info.extraInfo).toBe(1);
    expect(after.info.tokens.cache.extraCache).toBe(2);
    expect(after.info.path.extraPath).toBe(3);
    expect(after.parts[2].state.extraState).toBe(4);
    expect(after.parts[2].state.time.extraTime).toBe(5);
    expect(after.parts[2].state.input.anything).toEqual({ deep: [6] });
  });
});

describe('todos and projects', () => {
  it('sets and gets the whole todo list; empty removes the file', async () => {
    const { archive, dir } = await tempArchive();
    const s = await archive.sessions.create();
    expect(await archive.todos.get(s.id)).toEqual([]);
    const todos = [
      { content: 'a', status: 'pending', priority: 'high' },
      { id: 't2', content: 'b', status: 'completed', priority: 'low', extra: 1 },
    ];
    await archive.todos.set(s.id, todos);
    expect(await archive.todos.get(s.id)).toEqual(todos);
    await archive.todos.set(s.id, []);
    expect(await readdir(join(dir, 'sessions', s.id))).not.toContain('todos.json');
    expect(await codeOf(archive.todos.set(s.id, [{ content: 'x' } as never]))).toBe('INVALID_INPUT');
    expect(await codeOf(archive.todos.get(newId('session')))).toBe('NOT_FOUND');
  });

  it('upserts, gets and lists projects', async () => {
    let now = 5;
    const { archive } = await tempArchive({ now: () => now });
    const p = await archive.projects.upsert({ id: 'abc123', worktree: '/w' });
    expect(p).toEqual({ id: 'abc123', worktree: '/w', time: { created: 5, updated: 5 }, sandboxes: [] });
    now = 9;
    const named = await archive.projects.upsert({ id: 'abc123', worktree: '/w', name: 'web' });
    expect(named.time).toEqual({ created: 5, updated: 9 });
    expect(await archive.projects.get('abc123')).toEqual(named);
    expect((await archive.projects.list()).map((x) => x.id)).toEqual(['abc123']);
    expect(await codeOf(archive.projects.get('nope'))).toBe('NOT_FOUND');
    expect(await codeOf(archive.projects.get('../x'))).toBe('INVALID_ID');
  });
});
