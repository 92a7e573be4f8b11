import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ArchiveError, isArchiveError } from '../../src/index.js';
import { tempArchive } from '../helpers.js';

const SID = 'ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA';
const OTHER = 'ses_fe5e0a1b2a10Lm4NbV8cXz3QeR';
const MID = 'msg_019a8b7c6d03Zq8Wm3Nx5Rv7Tb';

async function errorOf(p: Promise<unknown>): Promise<ArchiveError> {
  try {
    await p;
  } catch (error) {
    if (isArchiveError(error)) return error;
    throw error;
  }
  throw new Error('expected an ArchiveError');
}

describe('broken files', () => {
  const infoPath = (dir: string) => join(dir, 'sessions', SID, 'info.json');

  it('reports bad JSON with path and line:column, and never rewrites the file', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const broken = '{\n  "id": "x",\n  "title": oops\n}\n';
    await writeFile(infoPath(dir), broken);
    const before = await stat(infoPath(dir));
    const e = await errorOf(archive.sessions.get(SID));
    expect(e.code).toBe('CORRUPT');
    expect(e.path).toBe(infoPath(dir));
    expect(e.message).toMatch(new RegExp(`^${infoPath(dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:12: invalid JSON: `));
    for (const op of [
      archive.sessions.update(SID, { title: 'x' }),
      archive.messages.append(SID, { info: { role: 'user', agent: 'a', model: { providerID: 'p', modelID: 'm' } } }),
      archive.todos.set(SID, []),
    ]) {
      expect((await errorOf(op)).code).toBe('CORRUPT');
    }
    expect(await readFile(infoPath(dir), 'utf8')).toBe(broken);
    expect((await stat(infoPath(dir))).mtimeMs).toBe(before.mtimeMs);
    // Every other session keeps working.
    expect((await archive.sessions.update(OTHER, { title: 'still fine' })).title).toBe('still fine');
    expect((await archive.sessions.list()).map((s) => s.id)).not.toContain(SID);
  });

  it('says "merge conflict" for git conflict markers, with the line', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const text = await readFile(infoPath(dir), 'utf8');
    const conflicted = text.replace(
      / {2}"title": (.*)\n/,
      '<<<<<<< HEAD\n  "title": "mine",\n=======\n  "title": "theirs",\n>>>>>>> origin/main\n',
    );
    await writeFile(infoPath(dir), conflicted);
    const line = conflicted.split('\n').findIndex((l) => l.startsWith('<<<<<<<')) + 1;
    const e = await errorOf(archive.sessions.get(SID));
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toBe(`${infoPath(dir)}:${line}: merge conflict (git conflict markers); resolve it by hand or with \`git mergetool\``);
  });

  it('names the field path of a schema violation', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const path = join(dir, 'sessions', SID, 'messages', 'msg_019a8b7c6d02Zq8Wm3Nx5Rv7Tb.json');
    const raw = JSON.parse(await readFile(path, 'utf8'));
    raw.parts[2].state.status = 'finished';
    raw.info.time.created = 'yesterday';
    await writeFile(path, JSON.stringify(raw, null, 2));
    const e = await errorOf(archive.messages.list(SID));
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toBe(
      `${path}: info.time.created: Invalid input: expected number, received string; parts[2].state.status: Invalid discriminator value. Expected 'pending' | 'running' | 'completed' | 'error'`,
    );
    expect(e.details).toEqual({
      issues: [
        { path: 'info.time.created', message: 'Invalid input: expected number, received string' },
        { path: 'parts[2].state.status', message: "Invalid discriminator value. Expected 'pending' | 'running' | 'completed' | 'error'" },
      ],
    });
  });

  it('reports an ID that disagrees with its file or folder name', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const raw = JSON.parse(await readFile(infoPath(dir), 'utf8'));
    raw.id = OTHER;
    await writeFile(infoPath(dir), JSON.stringify(raw));
    const e = await errorOf(archive.sessions.get(SID));
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toBe(`${infoPath(dir)}: id: ${OTHER} does not match its folder name ${SID}`);

    const mpath = join(dir, 'sessions', OTHER, 'messages', 'msg_019a8b7c6d11Zq8Wm3Nx5Rv7Tb.json');
    const m = JSON.parse(await readFile(mpath, 'utf8'));
    m.info.id = MID;
    await writeFile(mpath, JSON.stringify(m));
    const me = await errorOf(archive.messages.get(OTHER, 'msg_019a8b7c6d11Zq8Wm3Nx5Rv7Tb'));
    expect(me.message).toBe(`${mpath}: info.id: ${MID} does not match its file name msg_019a8b7c6d11Zq8Wm3Nx5Rv7Tb`);
    m.info.id = 'msg_019a8b7c6d11Zq8Wm3Nx5Rv7Tb';
    m.parts[0].sessionID = SID;
    await writeFile(mpath, JSON.stringify(m));
    const pe = await errorOf(archive.messages.get(OTHER, 'msg_019a8b7c6d11Zq8Wm3Nx5Rv7Tb'));
    expect(pe.message).toBe(`${mpath}: parts[0].sessionID: ${SID} does not match its session ${OTHER}`);
  });

  it('accepts a UTF-8 BOM and CRLF line ends from hand edits, and keeps them until a real change', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const text = await readFile(infoPath(dir), 'utf8');
    const edited = `\uFEFF${text.replace('"Add retries to the HTTP client"', '"Hand edited"').replace(/\n/g, '\r\n')}`;
    await writeFile(infoPath(dir), edited);
    expect((await archive.sessions.get(SID)).title).toBe('Hand edited');
    await archive.sessions.update(SID, { title: 'Hand edited' });
    expect(await readFile(infoPath(dir), 'utf8')).toBe(edited);
    await archive.sessions.update(SID, { title: 'Saved' });
    const saved = await readFile(infoPath(dir), 'utf8');
    expect(saved.startsWith('{\n  "id"')).toBe(true);
    expect(saved).not.toContain('\r');
  });
});
