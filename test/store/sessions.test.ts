import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ArchiveError, newId, openIndex } from '../../src/index.js';
import { codeOf, gitRepo, hasTool, tempArchive, tempDir } from '../helpers.js';

describe('sessions', () => {
  it('creates with OpenCode defaults and reads back what it wrote', async () => {
    const { archive, dir } = await tempArchive({ now: () => Date.UTC(2026, 10, 21, 8, 0, 0) });
    const cwd = await tempDir();
    const s = await archive.sessions.create({ directory: cwd });
    expect(s.title).toBe('New session - 2026-11-21T08:00:00.000Z');
    expect(s.slug).toMatch(/^[a-z]+-[a-z]+$/);
    expect(s.projectID).toBe('global');
    expect(s.directory).toBe(cwd);
    expect(s.time).toEqual({ created: Date.UTC(2026, 10, 21, 8), updated: Date.UTC(2026, 10, 21, 8) });
    expect(Object.values(s)).not.toContain(undefined);
    expect(await archive.sessions.get(s.id)).toEqual(s);
    const onDisk = JSON.parse(await readFile(join(dir, 'sessions', s.id, 'info.json'), 'utf8'));
    expect(onDisk).toEqual(s);
    const child = await archive.sessions.create({ parentID: s.id, directory: cwd });
    expect(child.title).toBe('Child session - 2026-11-21T08:00:00.000Z');
    expect(child.parentID).toBe(s.id);
  });

  it.skipIf(!hasTool('git'))('derives the project from the git repository of the directory', async () => {
    const { archive } = await tempArchive();
    const repo = await tempDir();
    const root = gitRepo(repo);
    await mkdir(join(repo, 'pkg', 'a'), { recursive: true });
    const s = await archive.sessions.create({ directory: join(repo, 'pkg', 'a') });
    expect(s.projectID).toBe(root);
    expect(s.path).toBe('pkg/a');
    const project = await archive.projects.get(root);
    expect(project.worktree).toBe(execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: repo }).toString().trim());
    expect(project.vcs).toBe('git');
    expect(project.sandboxes).toEqual([]);
  });

  it('takes a valid custom ID and refuses a duplicate without writing anything', async () => {
    const { archive, dir } = await tempArchive();
    const id = 'ses_0123456789abCustomIdAbCdEf';
    const s = await archive.sessions.create({ id, title: 'mine' });
    expect(s.id).toBe(id);
    const before = await readFile(join(dir, 'sessions', id, 'info.json'), 'utf8');
    expect(await codeOf(archive.sessions.create({ id, title: 'again' }))).toBe('DUPLICATE_ID');
    expect(await readFile(join(dir, 'sessions', id, 'info.json'), 'utf8')).toBe(before);
    expect(await readdir(join(dir, 'sessions'))).toEqual([id]);
  });

  it('makes sessions/ again when it is gone (a hand emptied the archive) and creates into it', async () => {
    const { archive, dir } = await tempArchive();
    await rm(join(dir, 'sessions'), { recursive: true });
    const s = await archive.sessions.create({ title: 'after the folder went' });
    expect(await readdir(join(dir, 'sessions'))).toEqual([s.id]);
    expect((await archive.sessions.get(s.id)).title).toBe('after the folder went');
  });

  it('locks a session ID the caller gave while making it, and none it made itself (no other writer can know it yet)', async () => {
    const { archive, stateDir } = await tempArchive();
    const locks = async () =>
      (await readdir(join(stateDir, 'locks')).catch(() => [] as string[])).filter((n) => n.startsWith('ses_') && n.endsWith('.lock'));
    const made = await archive.sessions.create({ title: 'made here' });
    // A lock is kept 25 ms after its last use: one taken would still be there.
    expect(await locks()).toEqual([]);
    const given = await archive.sessions.create({ id: 'ses_0123456789abCustomIdAbCdEf', title: 'given' });
    expect(await locks()).toEqual([`${given.id}.lock`]);
    expect((await archive.sessions.list()).map((s) => s.id).sort()).toEqual([given.id, made.id].sort());
  });

  it.each([
    'ses_short',
    'msg_0123456789abCustomIdAbCdEf',
    'ses_0123456789ABCustomIdAbCdEf',
    'ses_0123456789abCustom-dAbCdEf',
    '../ses_0123456789abCustomIdAb',
    'ses_0123456789abCustomIdAbCdEf/../../x',
    `ses_${'a'.repeat(10_000)}`,
    'ses_0123456789abCustomIdAbCdＥf',
    'ses_0123456789abCustomIdAbCd\0f',
  ])('refuses the custom ID %j with INVALID_ID and writes nothing', async (id) => {
    const { archive, dir } = await tempArchive();
    expect(await codeOf(archive.sessions.create({ id }))).toBe('INVALID_ID');
    expect(await readdir(join(dir, 'sessions'))).toEqual([]);
  });

  it('refuses an unknown parent', async () => {
    const { archive } = await tempArchive();
    const missing = newId('session');
    await expect(archive.sessions.create({ parentID: missing })).rejects.toThrow(`parent session not found: ${missing}`);
  });

  it('updates fields, moves time.updated on every change and not on a no-op', async () => {
    let now = 1_000;
    const { archive, dir } = await tempArchive({ now: () => now });
    const s = await archive.sessions.create({ title: 'one' });
    now = 2_000;
    const u = await archive.sessions.update(s.id, { title: 'two', metadata: { a: 1 }, time: { archived: 1_500 } });
    expect(u.title).toBe('two');
    expect(u.metadata).toEqual({ a: 1 });
    expect(u.time).toEqual({ created: 1_000, updated: 2_000, archived: 1_500 });
    const path = join(dir, 'sessions', s.id, 'info.json');
    const bytes = await readFile(path, 'utf8');
    now = 3_000;
    expect(await archive.sessions.update(s.id, { title: 'two' })).toEqual(u);
    expect(await readFile(path, 'utf8')).toBe(bytes);
    const cleared = await archive.sessions.update(s.id, {
      metadata: null,
      time: { archived: null },
      share: { url: 'https://x/share/abc' },
    });
    expect(cleared.metadata).toBeUndefined();
    expect(cleared.time).toEqual({ created: 1_000, updated: 3_000 });
    expect(cleared.share).toEqual({ url: 'https://x/share/abc' });
    // Within one millisecond, time.updated still moves.
    const again = await archive.sessions.update(s.id, { title: 'three' });
    expect(again.time.updated).toBe(3_001);
  });

  it('refuses updates that break the schema or change fixed fields', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create();
    await expect(archive.sessions.update(s.id, { title: 42 as unknown as string })).rejects.toThrow(
      `invalid update of session ${s.id}: title: Invalid input: expected string, received number`,
    );
    expect(await codeOf(archive.sessions.update(s.id, { id: newId('session') }))).toBe('INVALID_INPUT');
    expect(await codeOf(archive.sessions.update(s.id, { time: { created: 5 } as never }))).toBe('INVALID_INPUT');
    expect(await codeOf(archive.sessions.update(newId('session'), { title: 'x' }))).toBe('NOT_FOUND');
  });

  it('keeps unknown fields at every level through an update', async () => {
    const { archive, dir } = await tempArchive();
    const s = await archive.sessions.create({ model: { id: 'm', providerID: 'p' } });
    const path = join(dir, 'sessions', s.id, 'info.json');
    const raw = JSON.parse(await readFile(path, 'utf8'));
    raw.futureTop = { nested: [1, 2] };
    raw.time.futureTime = 7;
    raw.model.futureModel = 'x';
    await writeFile(path, JSON.stringify(raw, null, 2));
    const u = await archive.sessions.update(s.id, { title: 'kept' });
    const after = JSON.parse(await readFile(path, 'utf8'));
    expect(after.futureTop).toEqual({ nested: [1, 2] });
    expect(after.time.futureTime).toBe(7);
    expect(after.model.futureModel).toBe('x');
    expect(Object.keys(after).slice(-1)).toEqual(['futureTop']);
    expect(u).toMatchObject({ futureTop: { nested: [1, 2] } });
  });

  it('deletes a session with its child sessions, recursively, and nothing else', async () => {
    const { archive, dir } = await tempArchive();
    const root = await archive.sessions.create({ title: 'root' });
    const child = await archive.sessions.create({ parentID: root.id });
    const grandchild = await archive.sessions.create({ parentID: child.id });
    const other = await archive.sessions.create({ title: 'other' });
    const deleted = await archive.sessions.delete(root.id);
    expect(new Set(deleted)).toEqual(new Set([root.id, child.id, grandchild.id]));
    expect(deleted[0]).toBe(root.id);
    expect(await readdir(join(dir, 'sessions'))).toEqual([other.id]);
    expect(await codeOf(archive.sessions.get(root.id))).toBe('NOT_FOUND');
    expect(await codeOf(archive.sessions.delete(root.id))).toBe('NOT_FOUND');
  });

  it('deletes the tree a children lookup (an index) names, keeping a child the lookup missed and ignoring what is not an ID', async () => {
    const { archive, dir } = await tempArchive();
    const root = await archive.sessions.create({ title: 'root' });
    const child = await archive.sessions.create({ parentID: root.id });
    const grandchild = await archive.sessions.create({ parentID: child.id });
    const index = await openIndex(archive, { watch: false });
    // Created after the index looked: the lookup does not know it.
    const late = await archive.sessions.create({ parentID: root.id });
    const asked: string[] = [];
    const deleted = await archive.sessions.delete(root.id, {
      children: (id) => {
        asked.push(id);
        return id === root.id ? [...index.childIds(id), '../../escape', root.id] : index.childIds(id);
      },
    });
    expect(deleted).toEqual([root.id, child.id, grandchild.id]);
    expect(asked).toEqual([root.id, child.id, grandchild.id]);
    expect(await readdir(join(dir, 'sessions'))).toEqual([late.id]);
    expect((await archive.sessions.get(late.id)).parentID).toBe(root.id);
    await index.close();
  });

  it('lists sessions newest-updated first, skipping and reporting broken ones', async () => {
    let now = 10;
    const { archive, dir } = await tempArchive({ now: () => now++ });
    const a = await archive.sessions.create({ title: 'a' });
    const b = await archive.sessions.create({ title: 'b' });
    const c = await archive.sessions.create({ title: 'c' });
    await archive.sessions.update(a.id, { title: 'a2' });
    await writeFile(join(dir, 'sessions', b.id, 'info.json'), '{"id": ');
    const invalid: ArchiveError[] = [];
    const list = await archive.sessions.list({ onInvalid: (e) => invalid.push(e) });
    expect(list.map((s) => s.title)).toEqual(['a2', 'c']);
    expect(invalid.map((e) => e.code)).toEqual(['CORRUPT']);
    expect(invalid[0]?.path).toBe(join(dir, 'sessions', b.id, 'info.json'));
    expect(c.id).toBeDefined();
  });
});
