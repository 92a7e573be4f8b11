import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openIndex } from '../../src/index.js';
import { SAMPLE, tempArchive, userMessage } from '../helpers.js';

/** A small seeded PRNG (mulberry32), so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('incremental index', () => {
  it('equals a rebuild from scratch after 1,000 random operations', async () => {
    const seed = Date.now() % 100_000;
    const rnd = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const { archive, dir } = await tempArchive({ samples: true });
    const index = await openIndex(archive, { reconcileMs: 3_600_000, onWarning: () => {} });
    await index.ready();
    const ids = (await archive.sessions.list()).map((s) => s.id);
    let events = 0;
    index.on(() => events++);
    const info = (id: string) => join(dir, 'sessions', id, 'info.json');
    const ops = [
      async () =>
        ids.push((await archive.sessions.create({ title: `c${rnd()}`, parentID: rnd() < 0.3 && ids.length ? pick(ids) : undefined })).id),
      async () => archive.sessions.update(pick(ids), { title: `t${rnd()}` }),
      async () => archive.sessions.update(pick(ids), { time: { archived: rnd() < 0.5 ? Date.now() : null } }),
      async () => archive.sessions.update(pick(ids), { share: rnd() < 0.5 ? { url: `https://s/${rnd()}` } : null }),
      async () => archive.messages.append(pick(ids), userMessage('m')),
      async () => {
        const id = pick(ids);
        if (ids.length > 3) for (const gone of await archive.sessions.delete(id)) ids.splice(ids.indexOf(gone), 1);
      },
      async () => {
        // A hand edit, in place.
        const id = pick(ids);
        const text = await readFile(info(id), 'utf8').catch(() => '');
        if (text.includes('"title"')) await writeFile(info(id), text.replace(/"title": "[^"]*"/, `"title": "hand ${rnd()}"`));
      },
      async () => writeFile(info(pick(ids)), '{"broken": '),
    ];
    for (let i = 0; i < 1_000; i++) await pick(ops)().catch(() => {});
    // Let the watcher settle: the index stops changing.
    let last = '';
    for (let quiet = 0; quiet < 5; ) {
      await new Promise((r) => setTimeout(r, 60));
      const now = JSON.stringify(index.all());
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
    const rebuilt = await openIndex(archive, { rebuild: true, watch: false });
    expect(index.all(), `seed ${seed}`).toEqual(rebuilt.all());
    expect(index.stats().invalid).toBe(rebuilt.stats().invalid);
    // The watcher, not a reconcile, did the work (the reconcile interval is an hour).
    expect(events).toBeGreaterThan(50);
    await rebuilt.close();
    await index.close();
  }, 120_000);
});

describe('opening with verify: background', () => {
  it('answers from the snapshot at once, then corrects what changed while closed, with events', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const [kept, edited, removed] = [SAMPLE.main, SAMPLE.fork, SAMPLE.notes]; // none of them has children
    await (await openIndex(archive, { watch: false })).close(); // the snapshot
    // While no index watches: an in-place edit, a deletion, a new session.
    const path = join(dir, 'sessions', edited, 'info.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace(/"title": "[^"]*"/, '"title": "edited while closed"'));
    await archive.sessions.delete(removed);
    const added = await archive.sessions.create({ title: 'added while closed' });

    const index = await openIndex(archive, { watch: false, verify: 'background' });
    // The snapshot as it was.
    expect(index.get(edited)?.title).not.toBe('edited while closed');
    expect(index.get(removed)).toBeDefined();
    expect(index.get(added.id)).toBeUndefined();
    const events: string[] = [];
    index.on((e) => events.push(`${e.type} ${(e.properties as { sessionID: string }).sessionID}`));
    await index.verified();
    expect(index.get(edited)?.title).toBe('edited while closed');
    expect(index.get(removed)).toBeUndefined();
    expect(index.get(added.id)?.title).toBe('added while closed');
    expect(index.get(kept)).toBeDefined();
    expect(events.sort()).toEqual([`session.updated ${edited}`, `session.deleted ${removed}`, `session.created ${added.id}`].sort());
    const rebuilt = await openIndex(archive, { watch: false, rebuild: true });
    expect(JSON.stringify(index.all())).toBe(JSON.stringify(rebuilt.all()));
    await rebuilt.close();
    await index.close();

    // The default checks before answering.
    const checked = await openIndex(archive, { watch: false });
    expect(checked.get(edited)?.title).toBe('edited while closed');
    await checked.close();
  });
});
