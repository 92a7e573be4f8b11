import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isArchiveError } from '../../src/index.js';
import { preconditionOf, writeFileAtomic } from '../../src/store/atomic-write.js';
import { isTempName, sweepTemps, tempPathFor } from '../../src/store/temp-names.js';
import { tempArchive, tempDir } from '../helpers.js';

describe('atomic writes', () => {
  it('writes through a recognisable temp in the same folder and leaves no temp behind', async () => {
    const dir = await tempDir();
    const target = join(dir, 'info.json');
    expect(isTempName(tempPathFor(target).slice(dir.length + 1))).toBe(true);
    await writeFileAtomic(target, 'one\n');
    await writeFileAtomic(target, 'two\n');
    expect(await readFile(target, 'utf8')).toBe('two\n');
    expect(await readdir(dir)).toEqual(['info.json']);
  });

  it('refuses to replace a file that changed since it was read (a late lock holder)', async () => {
    const dir = await tempDir();
    const target = join(dir, 'info.json');
    await writeFileAtomic(target, 'read\n');
    const seen = preconditionOf(await stat(target));
    await writeFileAtomic(target, 'newer, by another writer\n');
    const error = await writeFileAtomic(target, 'stale\n', seen).catch((e: unknown) => e);
    expect(isArchiveError(error, 'CONFLICT')).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('newer, by another writer\n');
    expect(await readdir(dir)).toEqual(['info.json']);
    const absent = await writeFileAtomic(join(dir, 'x.json'), 'x', { absent: true }).then(() => 'ok');
    expect(absent).toBe('ok');
    expect(isArchiveError(await writeFileAtomic(join(dir, 'x.json'), 'y', { absent: true }).catch((e: unknown) => e), 'CONFLICT')).toBe(
      true,
    );
  });

  it('sweeps temps of dead processes and old ones, keeps live writers’ temps', async () => {
    const dir = await tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const mine = tempPathFor(join(dir, 'a.json'));
    const theirs = mine.replace(`-${process.pid}-`, `-${dead}-`);
    const foreignOld = join(dir, '.b.json.sarc-zzzzzz-1-0badf00d.tmp');
    const foreignNew = join(dir, '.c.json.sarc-zzzzzz-1-0badf00d.tmp');
    for (const f of [mine, theirs, foreignOld, foreignNew]) await writeFile(f, 'partial');
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(foreignOld, old, old);
    await mkdir(join(dir, '.ses_x.sarc-zzzzzz-1-0badf00d.tmp'));
    await utimes(join(dir, '.ses_x.sarc-zzzzzz-1-0badf00d.tmp'), old, old);
    const removed = await sweepTemps(dir);
    expect(new Set(removed)).toEqual(new Set([theirs, foreignOld, join(dir, '.ses_x.sarc-zzzzzz-1-0badf00d.tmp')]));
    expect((await readdir(dir)).sort()).toEqual([mine, foreignNew].map((p) => p.slice(dir.length + 1)).sort());
  });

  it('never loads temps or sync conflict copies as sessions or messages', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const sid = 'ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA';
    const sessions = join(dir, 'sessions');
    const messages = join(sessions, sid, 'messages');
    const info = await readFile(join(sessions, sid, 'info.json'), 'utf8');
    const msg = await readFile(join(messages, 'msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json'), 'utf8');
    await mkdir(join(sessions, `${sid} (dev's conflicted copy 2026-01-02)`));
    await writeFile(join(sessions, `${sid} (dev's conflicted copy 2026-01-02)`, 'info.json'), info);
    await mkdir(join(sessions, `${sid}.sync-conflict-20260102-101010-ABCDEFG`));
    for (const name of [
      "msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb (dev's conflicted copy 2026-01-02).json",
      'msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.sync-conflict-20260102-101010-ABCDEFG.json',
      '.msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json.ab12Cd',
      'msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json.tmp',
      '.msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json.swp',
      '~syncthing~msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json.tmp',
    ]) {
      await writeFile(join(messages, name), msg);
    }
    expect((await archive.sessions.list()).length).toBe(4);
    expect((await archive.messages.list(sid)).length).toBe(5);
  });
});
