import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathStamp } from '../../src/catalog/index/path-stamp.js';
import { fileStamp } from '../../src/catalog/index/scan.js';
import { StatScan } from '../../src/catalog/index/stat-scan.js';
import { newId, openIndex } from '../../src/index.js';
import { tempArchive, tempDir, until, writeSessionFolders } from '../helpers.js';

describe('StatScan', () => {
  it('takes the same stamps on worker threads as a stat on this thread, whatever each entry is', async () => {
    const dir = await tempDir();
    const ids: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const id = `s${i}`;
      ids.push(id);
      const kind = i % 5;
      if (kind === 0) continue; // missing
      if (kind === 1)
        writeFileSync(join(dir, id), 'a file where a folder belongs'); // ENOTDIR below it
      else {
        mkdirSync(join(dir, id));
        if (kind === 2)
          mkdirSync(join(dir, id, 'info.json')); // not a file
        else writeFileSync(join(dir, id, 'info.json'), 'x'.repeat(i));
      }
    }
    // Two paths per ID: the file, and the folder itself (or the stray file in its place).
    const scan = new StatScan(`${dir}${sep}`, ids, [`${sep}info.json`, ''], { workersFrom: 0 });
    // The workers start and take every chunk while this thread waits: all but, on Node 20, the
    // ENOTDIR ones, whose stat throws there and is taken again here (Node 22 answers "missing").
    const enotdirThrows = (() => {
      try {
        statSync(join(dir, 's1', 'info.json'), { throwIfNoEntry: false });
        return false;
      } catch {
        return true;
      }
    })();
    const byWorkers = 2 * ids.length - (enotdirThrows ? ids.length / 5 : 0);
    await until(() => scan.byWorkers === byWorkers, 30_000);
    await scan.join();
    expect(scan.byWorkers).toBe(byWorkers);
    ids.forEach((id, i) => {
      expect(scan.stamp(i), id).toEqual(fileStamp(join(dir, id, 'info.json')));
      expect(scan.entry(i, 1), id).toEqual(pathStamp(join(dir, id)));
    });
    expect(scan.entry(1, 1)).toEqual(expect.objectContaining({ file: true }));
    expect(scan.entry(2, 1)).toEqual(expect.objectContaining({ file: false }));
    expect(scan.entry(2, 0)).toEqual(expect.objectContaining({ file: false }));
    expect(scan.stamp(3)).toEqual(expect.objectContaining({ size: 3 }));
    expect(scan.stamp(0)).toBeUndefined();
    expect(scan.stamp(1)).toBeUndefined();
    expect(scan.stamp(2)).toBeUndefined();
  });

  it('stamps everything on the caller’s thread when no worker is wanted, and throws what a stat there throws', async () => {
    const dir = await tempDir();
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'f'), 'abc');
    const scan = new StatScan(`${dir}${sep}`, ['a', 'b'], [`${sep}f`]);
    await scan.join();
    expect(scan.byWorkers).toBe(0);
    expect(scan.stamp(0)?.size).toBe(3);
    expect(scan.stamp(1)).toBeUndefined();
    if (process.getuid?.() === 0) return; // root reads through any mode
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'locked', 'f'), 'x');
    chmodSync(join(dir, 'locked'), 0o000);
    try {
      await expect(new StatScan(`${dir}${sep}`, ['locked'], [`${sep}f`], { workersFrom: 0 }).join()).rejects.toThrow(/EACCES/);
    } finally {
      chmodSync(join(dir, 'locked'), 0o755);
    }
  });

  it('cancel stops handing out files', async () => {
    const dir = await tempDir();
    const ids = Array.from({ length: 5_000 }, (_, i) => `x${i}`);
    const scan = new StatScan(`${dir}${sep}`, ids, [`${sep}f`], { workersFrom: 0 });
    // Before any worker has started: none of them takes a file.
    await scan.cancel();
    expect(scan.byWorkers).toBe(0);
  });
});

describe('a file in sessions/ named like a session', () => {
  it('is no session, and the index opens over it (it used to fail with ENOTDIR once a snapshot was saved)', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const before = await openIndex(archive, { watch: false });
    const count = before.stats().sessions;
    await before.close();
    await writeFile(join(dir, 'sessions', newId('session')), 'not a folder');
    for (let i = 0; i < 2; i++) {
      const index = await openIndex(archive, { watch: false });
      expect(index.stats().sessions).toBe(count);
      expect(await index.reconcile()).toBe(0);
      await index.close();
    }
  });
});

describe('opening the index of a large archive (its check runs on worker threads)', () => {
  it('sees what changed while no index watched: edits, deletions, new sessions, a stray file named like a session', async () => {
    const { archive, dir } = await tempArchive();
    const sessions = join(dir, 'sessions');
    const ids = writeSessionFolders(dir, 21_000);
    const first = await openIndex(archive, { watch: false });
    expect(first.stats().sessions).toBe(21_000);
    await first.close(); // saves the snapshot

    const edited = ids[10_500] as string;
    const gone = ids[20_999] as string;
    const stray = newId('session');
    await writeFile(
      join(sessions, edited, 'info.json'),
      readFileSync(join(sessions, edited, 'info.json'), 'utf8').replace('session 10500', 'edited by hand, and longer'),
    );
    await rm(join(sessions, gone), { recursive: true });
    const [added] = writeSessionFolders(dir, 1, 'added while closed', 1_800_000_000_000);
    await writeFile(join(sessions, stray), 'not a folder');

    const index = await openIndex(archive, { watch: false });
    try {
      const all = index.all();
      expect(all.length).toBe(21_000); // one gone, one added, the stray file not a session
      expect(all.find((s) => s.id === edited)?.title).toBe('edited by hand, and longer');
      expect(all.some((s) => s.id === gone)).toBe(false);
      expect(all.some((s) => s.id === stray)).toBe(false);
      expect(index.list({ limit: 1 })[0]?.id).toBe(added);
    } finally {
      await index.close();
    }
  }, 120_000);
});
