import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveMeta, GITIGNORE, initArchive, locateArchive, openArchive, stateDirFor } from '../../src/index.js';
import { codeOf, tempDir } from '../helpers.js';

describe('init and open', () => {
  it('init writes archive.json, .gitignore and the folders, and is safe to repeat', async () => {
    const dir = join(await tempDir(), 'a');
    await initArchive(dir);
    expect(await readFile(join(dir, 'archive.json'), 'utf8')).toBe('{\n  "format": "session-archive",\n  "version": 1\n}\n');
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe(GITIGNORE);
    expect((await readdir(dir)).sort()).toEqual(['.gitignore', 'archive.json', 'projects', 'schema', 'sessions']);
    await writeFile(join(dir, '.gitignore'), 'mine\n');
    await initArchive(dir);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('mine\n');
  });

  it('refuses a folder that is not an archive, with a hint', async () => {
    const dir = await tempDir();
    await expect(openArchive({ dir, stateDir: join(dir, 's') })).rejects.toThrow(
      `${dir} is not a session archive (no archive.json); create one with \`sarc init ${dir}\``,
    );
    expect(await codeOf(openArchive({ dir: join(dir, 'missing'), stateDir: join(dir, 's') }))).toBe('NOT_AN_ARCHIVE');
    await writeFile(join(dir, 'archive.json'), '{"format": "something-else", "version": 1}');
    expect(await codeOf(openArchive({ dir, stateDir: join(dir, 's') }))).toBe('NOT_AN_ARCHIVE');
  });

  it('refuses a newer format version', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'archive.json'), '{"format": "session-archive", "version": 2}');
    await expect(openArchive({ dir, stateDir: join(dir, 's') })).rejects.toThrow(
      `${join(dir, 'archive.json')}: format version 2 is newer than this session-archive reads (1); upgrade session-archive`,
    );
    expect(await codeOf(initArchive(dir))).toBe('UNSUPPORTED_VERSION');
  });

  it("checks archive.json's version by hand as its schema does (opening loads no schema library)", async () => {
    const dir = await tempDir();
    for (const version of ['1', '0', '-1', '1.5', '"1"', 'null', 'true', '[1]', '1e0', '2']) {
      await writeFile(join(dir, 'archive.json'), `{"format": "session-archive", "version": ${version}}`);
      const value = JSON.parse(`{"format": "session-archive", "version": ${version}}`);
      const schema = archiveMeta.safeParse(value).success ? (value.version > 1 ? 'UNSUPPORTED_VERSION' : 'ok') : 'CORRUPT';
      const opened = await openArchive({ dir, stateDir: join(dir, 's') }).then(
        () => 'ok',
        (error: unknown) => (error as { code?: string }).code,
      );
      expect(opened, version).toBe(schema);
    }
  });

  it('keeps derived state out of the archive folder', async () => {
    const root = await tempDir();
    const dir = join(root, 'a');
    await initArchive(dir);
    const archive = await openArchive({ dir, stateDir: join(root, 'state') });
    const s = await archive.sessions.create({ directory: root });
    await archive.sessions.update(s.id, { title: 'x' });
    expect(await readdir(join(root, 'state'))).toEqual(['locks']);
    const everything = await readdir(dir, { recursive: true });
    expect(everything.filter((p) => p.includes('lock') || p.endsWith('.tmp'))).toEqual([]);
  });
});

describe('locating the archive and its state dir', () => {
  it('prefers --archive, then SARC_ARCHIVE, then an ancestor .sessions, then XDG data home', async () => {
    const root = await tempDir();
    const project = join(root, 'proj', 'sub');
    await mkdir(project, { recursive: true });
    const env = { HOME: join(root, 'home') };
    expect(locateArchive({ cwd: project, env })).toBe(join(root, 'home', '.local', 'share', 'session-archive'));
    expect(locateArchive({ cwd: project, env: { ...env, XDG_DATA_HOME: join(root, 'xdg') } })).toBe(join(root, 'xdg', 'session-archive'));
    await initArchive(join(root, 'proj', '.sessions'));
    expect(locateArchive({ cwd: project, env })).toBe(join(root, 'proj', '.sessions'));
    expect(locateArchive({ cwd: project, env: { ...env, SARC_ARCHIVE: '/x/y' } })).toBe('/x/y');
    expect(locateArchive({ cwd: project, env: { ...env, SARC_ARCHIVE: '/x/y' }, explicit: 'rel' })).toBe(join(project, 'rel'));
  });

  it('puts state under SARC_STATE_DIR or XDG state home, hashed by the archive path', async () => {
    const root = await tempDir();
    expect(stateDirFor('/a', { SARC_STATE_DIR: join(root, 's') })).toBe(join(root, 's'));
    const one = stateDirFor('/a', { HOME: root });
    const two = stateDirFor('/b', { HOME: root });
    expect(one.startsWith(join(root, '.local', 'state', 'session-archive'))).toBe(true);
    expect(one).not.toBe(two);
    expect(stateDirFor('/a', { XDG_STATE_HOME: join(root, 'st') }).startsWith(join(root, 'st', 'session-archive'))).toBe(true);
  });
});
