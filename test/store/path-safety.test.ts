import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isArchiveError } from '../../src/index.js';
import { tempArchive, userMessage } from '../helpers.js';

async function listAll(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

describe('path safety', () => {
  it('no hostile ID, title or directory makes the store touch a path outside the archive and state dirs', async () => {
    const { archive, root, dir } = await tempArchive();
    const victim = join(root, 'victim');
    await mkdir(victim);
    const s = await archive.sessions.create({ title: 'ok' });
    const m = await archive.messages.append(s.id, userMessage('hi'));
    const hostile = [
      '../victim/x',
      '../../victim',
      `${victim}/ses_0123456789abCustomIdAbCdEf`,
      '/etc/passwd',
      'ses_0123456789abCustomIdAbCd\0f',
      `ses_${'a'.repeat(10_000)}`,
      'ses_0123456789abCustomIdAbCdＥf', // full-width E
      'ses_0123456789abCustomIdAbCd․f', // one-dot leader, looks like "."
      'ses_../../../victim/abcdefghijk',
      '..',
      '',
    ];
    const ops: Array<(id: string) => Promise<unknown>> = [
      (id) => archive.sessions.get(id),
      (id) => archive.sessions.create({ id }),
      (id) => archive.sessions.create({ parentID: id }),
      (id) => archive.sessions.update(id, { title: 'x' }),
      (id) => archive.sessions.delete(id),
      (id) => archive.messages.list(id),
      (id) => archive.messages.get(s.id, id),
      (id) => archive.messages.append(s.id, userMessage('x', { id })),
      (id) => archive.messages.upsert(id, userMessage('x')),
      (id) => archive.messages.delete(s.id, id),
      (id) => archive.messages.upsertPart(s.id, m.info.id, { type: 'text', text: 'x', id }),
      (id) => archive.messages.deletePart(s.id, m.info.id, id),
      (id) => archive.todos.set(id, []),
      (id) => archive.projects.get(id),
      (id) => archive.projects.upsert({ id, worktree: '/' }),
    ];
    for (const id of hostile) {
      for (const op of ops) {
        const outcome = await op(id).then(
          () => 'resolved',
          (e: unknown) => (isArchiveError(e) ? e.code : `unexpected ${String(e)}`),
        );
        expect(['INVALID_ID', 'INVALID_INPUT'], `${op.toString()} with ${JSON.stringify(id.slice(0, 40))}`).toContain(outcome);
      }
    }
    // Hostile values that are data, not paths, stay data.
    const odd = await archive.sessions.create({ title: '../../victim/owned', directory: '/tmp/../../victim' });
    expect(odd.title).toBe('../../victim/owned');
    expect(odd.directory).toBe('/victim');
    await expect(archive.sessions.create({ directory: '/tmp/\0x' })).rejects.toThrow('invalid directory "/tmp/\\u0000x"');
    expect(await listAll(victim)).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['archive', 'state', 'victim']);
    expect((await listAll(join(dir, 'sessions'))).filter((p) => !p.startsWith(s.id) && !p.startsWith(odd.id))).toEqual([]);
  });
});
