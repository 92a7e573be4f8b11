import { mkdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ListingCache } from '../../src/catalog/index/listing.js';
import { newId } from '../../src/index.js';
import { ArchivePaths } from '../../src/store/paths.js';
import { tempDir } from '../helpers.js';

async function archiveWith(n: number): Promise<{ paths: ArchivePaths; ids: string[] }> {
  const paths = new ArchivePaths(await tempDir());
  await mkdir(paths.sessions, { recursive: true });
  const ids = Array.from({ length: n }, () => newId('session'));
  for (const id of ids) await mkdir(join(paths.sessions, id));
  return { paths, ids };
}

/** Sets `sessions/`'s mtime (and atime) to `ms`, as a folder last changed then. */
async function ageFolder(paths: ArchivePaths, ms: number): Promise<void> {
  await utimes(paths.sessions, ms / 1000, ms / 1000);
}

describe('the listing of sessions/ shared between checks', () => {
  it('is used again while the folder’s mtime vouches for it, and read anew when it moves', async () => {
    const { paths, ids } = await archiveWith(3);
    const old = Date.now() - 60_000;
    await ageFolder(paths, old);
    const cache = new ListingCache(paths);
    const first = await cache.current();
    expect([...first.ids].sort()).toEqual([...ids].sort());

    // A folder added behind the mtime's back (its mtime put back as it was): the kept listing is
    // what comes back — proof that it is not read again…
    const hidden = newId('session');
    await mkdir(join(paths.sessions, hidden));
    await ageFolder(paths, old);
    expect(await cache.current()).toBe(first);
    expect(first.has(hidden)).toBe(false);

    // …until it has served its uses, whatever the mtime says.
    const again = await cache.current(2);
    expect(again).not.toBe(first);
    expect(again.has(hidden)).toBe(true);

    // An added folder moves the mtime: seen at once.
    const added = newId('session');
    await mkdir(join(paths.sessions, added));
    expect((await cache.current()).has(added)).toBe(true);
  });

  it('is not kept on the word of an mtime too fresh to vouch (a change in the same clock tick leaves it as it was)', async () => {
    const { paths } = await archiveWith(2);
    const cache = new ListingCache(paths);
    const first = await cache.current();
    const mtime = (await stat(paths.sessions)).mtimeMs;
    const late = newId('session');
    await mkdir(join(paths.sessions, late));
    await ageFolder(paths, mtime);
    const second = await cache.current();
    expect(second).not.toBe(first);
    expect(second.has(late)).toBe(true);
  });

  it('tells links, files and strays apart from session folders, and shares rounds out once', async () => {
    const { paths, ids } = await archiveWith(40);
    const link = newId('session');
    const file = newId('session');
    await symlink(join(paths.sessions, ids[0] as string), join(paths.sessions, link));
    await writeFile(join(paths.sessions, file), '{}');
    await writeFile(join(paths.sessions, 'notes.txt'), 'mine');
    await ageFolder(paths, Date.now() - 60_000);
    const listing = await new ListingCache(paths).current();
    expect(listing.ids).toHaveLength(42);
    expect([...listing.links]).toEqual([link]);
    expect(listing.folders().sort()).toEqual([...ids].sort());
    expect(listing.strays.map((s) => s.path)).toEqual([join('sessions', 'notes.txt')]);
    const shares = Array.from({ length: 4 }, (_, index) => listing.share({ index, of: 4 }));
    expect(shares.flat().sort()).toEqual([...listing.ids].sort());
    expect(listing.share({ index: 5, of: 4 })).toBe(shares[1]);
    expect(listing.share(undefined)).toBe(listing.ids);
  });
});
