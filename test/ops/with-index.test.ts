// Operations that would read every info.json to select sessions take an open
// index instead; given one, they answer exactly as without it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Archive, exportSessions, migrate, openIndex, orphans, type SessionIndex } from '../../src/index.js';
import { SAMPLE, tempArchive } from '../helpers.js';

async function exported(archive: Archive, ids: string[], index?: SessionIndex) {
  let text = '';
  for await (const piece of exportSessions(archive, ids, { children: true, index })) text += piece;
  const { exportedAt: _, ...doc } = JSON.parse(text);
  return doc;
}

describe('with an open index', () => {
  it('export with children, orphans and a migrate plan equal what reading every file gives', async () => {
    const { archive, root } = await tempArchive({ samples: true });
    const home = join(root, 'home');
    await mkdir(join(home, 'repo', 'pkg'), { recursive: true });
    const parent = await archive.sessions.create({ title: 'p', directory: join(home, 'repo') });
    const kids = [];
    for (let i = 0; i < 3; i++)
      kids.push(await archive.sessions.create({ title: `k${i}`, parentID: parent.id, directory: join(home, 'repo', 'pkg') }));
    await archive.sessions.create({ title: 'grandchild', parentID: kids[1]?.id, directory: join(home, 'repo') });
    await archive.sessions.create({ title: 'gone', directory: join(home, 'nowhere') });
    const index = await openIndex(archive, { watch: false });

    const withIndex = await exported(archive, [parent.id, SAMPLE.main], index);
    expect(withIndex).toEqual(await exported(archive, [parent.id, SAMPLE.main]));
    expect(withIndex.sessions.map((s: { info: { title: string } }) => s.info.title).slice(0, 5)).toEqual([
      'p',
      'k0',
      'k1',
      'grandchild',
      'k2',
    ]);

    const rows = await orphans(archive, { index });
    expect(rows).toEqual(await orphans(archive));
    expect(rows.some((r) => r.reason === 'missing-directory' && r.title === 'gone')).toBe(true);

    const selection = { fromDir: join(home, 'repo'), ids: [SAMPLE.notes] };
    const planned = await migrate(archive, selection, { to: join(home, 'moved'), dryRun: true, index });
    expect(planned).toEqual(await migrate(archive, selection, { to: join(home, 'moved'), dryRun: true }));
    expect(planned.moved.length).toBe(6);

    // A session the index has not seen yet can still be named by ID.
    const late = await archive.sessions.create({ title: 'late', directory: join(home, 'repo') });
    const moved = await migrate(archive, { ids: [late.id] }, { to: join(home, 'moved'), index });
    expect(moved.moved.map((r) => r.id)).toEqual([late.id]);
    expect((await archive.sessions.get(late.id)).directory).toBe(join(home, 'moved'));
    await index.close();
  });
});
