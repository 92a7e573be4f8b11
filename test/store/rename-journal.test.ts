import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isArchiveError, newId, openArchive } from '../../src/index.js';
import { formatCanonical } from '../../src/store/json-file.js';
import { ownerTag } from '../../src/store/temp-names.js';
import { tempArchive } from '../helpers.js';

describe('multi-session commits', () => {
  it('openArchive finishes a commit whose process died between renames', async () => {
    const { archive, dir, stateDir } = await tempArchive();
    const template = await archive.sessions.create({ title: 'template' });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const host =
      (await readdir(join(dir, 'sessions'))).length >= 0 ? (await import('../../src/store/temp-names.js')).ownerTag().split('-')[0] : '';
    const sessions = join(dir, 'sessions');
    const moves = [];
    for (let i = 0; i < 3; i++) {
      const id = newId('session');
      const stage = join(sessions, `.${id}.sarc-${host}-${dead}-0000000${i}.tmp`);
      await mkdir(join(stage, 'messages'), { recursive: true });
      await writeFile(join(stage, 'info.json'), formatCanonical({ ...template, id, title: `moved ${i}` }));
      moves.push({ stage, target: join(sessions, id) });
    }
    // The first one was already renamed when the process died.
    await rename(moves[0]?.stage as string, moves[0]?.target as string);
    await mkdir(join(stateDir, 'journal'), { recursive: true });
    await writeFile(join(stateDir, 'journal', `${host}-${dead}-00000000000000aa.json`), JSON.stringify({ moves }));
    // A journal naming paths outside sessions/ is not followed.
    await writeFile(
      join(stateDir, 'journal', `${host}-${dead}-00000000000000bb.json`),
      JSON.stringify({ moves: [{ stage: '/etc', target: join(sessions, newId('session')) }] }),
    );

    const reopened = await openArchive({ dir, stateDir });
    const titles = (await reopened.sessions.list()).map((s) => s.title).sort();
    expect(titles).toEqual(['moved 0', 'moved 1', 'moved 2', 'template']);
    expect(await readdir(join(stateDir, 'journal'))).toEqual([]);
    expect((await readdir(sessions)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a journal a killed writer left half-written (its temp, never renamed) is removed when the archive is opened', async () => {
    const { dir, stateDir } = await tempArchive();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const host = ownerTag().split('-')[0];
    await mkdir(join(stateDir, 'journal'), { recursive: true });
    const temp = `.${host}-${dead}-00000000000000bb.json.sarc-${host}-${dead}-0000abcd.tmp`;
    await writeFile(join(stateDir, 'journal', temp), '{"moves": [');
    await openArchive({ dir, stateDir });
    expect(await readdir(join(stateDir, 'journal'))).toEqual([]);
  });

  it('a live process’s journal is left alone', async () => {
    const { dir, stateDir } = await tempArchive();
    const tag = ownerTag();
    await mkdir(join(stateDir, 'journal'), { recursive: true });
    await writeFile(join(stateDir, 'journal', `${tag}-00000000000000cc.json`), JSON.stringify({ moves: [] }));
    await openArchive({ dir, stateDir });
    expect(await readdir(join(stateDir, 'journal'))).toEqual([`${tag}-00000000000000cc.json`]);
  });

  it('modifyMany writes nothing when a file changed after it was read (a late lock holder raced it)', async () => {
    const { archive, dir } = await tempArchive();
    const a = await archive.sessions.create({ title: 'a' });
    const b = await archive.sessions.create({ title: 'b' });
    const pathA = join(dir, 'sessions', a.id, 'info.json');
    const raced = formatCanonical({ ...a, title: 'written by the writer that took the lock over' });
    const error = await archive.sessions
      .modifyMany([a.id, b.id], (info) => {
        // By the time b is read, a's file was replaced behind the lock's back.
        if (info.id === b.id) writeFileSync(pathA, raced);
        return { ...info, title: `${info.title} renamed` };
      })
      .catch((e: unknown) => e);
    expect(isArchiveError(error, 'CONFLICT')).toBe(true);
    expect(await readFile(pathA, 'utf8')).toBe(raced);
    expect((await archive.sessions.get(b.id)).title).toBe('b');
    // No staged file is left beside either info.json.
    for (const id of [a.id, b.id]) expect(await readdir(join(dir, 'sessions', id))).toEqual(['info.json', 'messages']);
    // Without a race the same call changes both.
    const both = await archive.sessions.modifyMany([a.id, b.id], (info) => ({ ...info, title: `${info.title}!` }));
    expect(both.map((s) => s.title)).toEqual(['written by the writer that took the lock over!', 'b!']);
  });
});
