import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempArchive } from '../helpers.js';

const WEBAPP = '8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5c4b3a291';

/** The cache file, read as the store wrote it. */
function readCache(stateDir: string): { version: number; projects: Record<string, { stamp: number[]; project: { name?: string } }> } {
  return JSON.parse(readFileSync(join(stateDir, 'projects.json'), 'utf8'));
}

describe('the project cache (projects.json in the state dir)', () => {
  it('takes an unchanged project file from the cache, and reads a changed, broken or removed one again', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const listed = await archive.projects.list();
    expect(listed.map((p) => p.id)).toEqual([WEBAPP, 'global']);
    const cache = readCache(stateDir);
    expect(Object.keys(cache.projects).sort()).toEqual([WEBAPP, 'global']);

    // The cache is what answers while the file's stamp holds: a name planted in it comes back.
    const entry = cache.projects[WEBAPP] as { project: { name?: string } };
    entry.project.name = 'planted in the cache';
    writeFileSync(join(stateDir, 'projects.json'), JSON.stringify(cache));
    expect((await archive.projects.list()).find((p) => p.id === WEBAPP)?.name).toBe('planted in the cache');
    // `get` always reads the file.
    expect((await archive.projects.get(WEBAPP)).name).not.toBe('planted in the cache');

    // A hand edit moves the file's stamp: the file is read again.
    const file = join(dir, 'projects', `${WEBAPP}.json`);
    const text = readFileSync(file, 'utf8');
    const edited = JSON.parse(text);
    edited.name = 'edited by hand';
    writeFileSync(file, `${JSON.stringify(edited, null, 2)}\n`);
    expect((await archive.projects.list()).find((p) => p.id === WEBAPP)?.name).toBe('edited by hand');
    expect(readCache(stateDir).projects[WEBAPP]?.project.name).toBe('edited by hand');

    // Broken, even with the old stamp put back: size differs, so it is read, and skipped as broken.
    writeFileSync(file, '{ "id": ');
    expect((await archive.projects.list()).map((p) => p.id)).toEqual(['global']);

    // Removed: gone from the list and from the cache.
    rmSync(file);
    expect((await archive.projects.list()).map((p) => p.id)).toEqual(['global']);
    expect(Object.keys(readCache(stateDir).projects)).toEqual(['global']);
  });

  it('the same size and a new time is a change; a cache that is not ours is ignored and written again', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    await archive.projects.list();
    const file = join(dir, 'projects', 'global.json');
    const text = readFileSync(file, 'utf8');
    // Same length, other bytes, a later time.
    const same = text.replace(/"worktree": "\/"/, '"worktree": "!"');
    expect(same.length).toBe(text.length);
    expect(same).not.toBe(text);
    writeFileSync(file, same);
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect((await archive.projects.list()).find((p) => p.id === 'global')?.worktree).toBe('!');

    for (const junk of ['not json', '{"version": 99, "projects": {}}', '{"version": 1, "projects": {"global": {"stamp": 7}}}']) {
      writeFileSync(join(stateDir, 'projects.json'), junk);
      expect((await archive.projects.list()).map((p) => p.id)).toEqual([WEBAPP, 'global']);
      expect(readCache(stateDir).version).toBe(1);
    }
  });
});
