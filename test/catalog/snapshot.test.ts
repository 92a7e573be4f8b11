import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type HistoryQuery, openIndex, type SessionIndex } from '../../src/index.js';
import { newId } from '../../src/model/ids.js';
import { SAMPLE, tempArchive } from '../helpers.js';

/** Every page of a history query, following the cursors. */
function pages(index: SessionIndex, query: HistoryQuery): unknown[][] {
  const out: unknown[][] = [];
  let cursor: string | undefined;
  do {
    const page = index.history({ ...query, cursor });
    out.push(page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined && out.length < 100);
  return out;
}

/** The index answers what `expected` answers, asked first what needs no row decoded beyond the page. */
function same(index: SessionIndex, expected: SessionIndex): void {
  const queries: HistoryQuery[] = [
    {},
    { limit: 7 },
    { limit: 3 },
    { limit: 2, archived: 'include' },
    { limit: 5, archived: 'include' },
    { limit: 3, archived: 'only' },
    { limit: 4, invalid: true },
    { limit: 6, roots: true },
    { limit: 4, directory: '/src/p1' },
  ];
  for (const q of queries) expect(pages(index, q), JSON.stringify(q)).toEqual(pages(expected, q));
  expect(index.list({})).toEqual(expected.list({}));
  expect(index.list({ limit: 3, directory: '/src/p2' })).toEqual(expected.list({ limit: 3, directory: '/src/p2' }));
  for (const s of expected.all()) expect(index.get(s.id)).toEqual(expected.get(s.id));
  expect(index.stats()).toEqual(expected.stats());
}

/** The samples with their index snapshot saved: the archive, the snapshot's path and every summary. */
async function saved() {
  const { archive, stateDir } = await tempArchive({ samples: true });
  const fresh = await openIndex(archive, { watch: false });
  const expected = fresh.all();
  await fresh.close();
  return { archive, path: join(stateDir, 'index.ndjson'), expected };
}

describe('the index snapshot', () => {
  it('answers, as loaded, what the decoded table answers, and its check by row finds what changed while closed', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const parentID = i % 5 === 4 ? ids[i - 1] : undefined;
      ids.push((await archive.sessions.create({ title: `session ${i}`, parentID, directory: `/src/p${i % 3}` })).id);
      if (i % 7 === 0) await archive.sessions.update(ids[i] as string, { time: { archived: Date.now() } });
    }
    // Updated out of creation order, so the two orders differ.
    for (const id of [ids[3], ids[17], ids[8]]) await archive.sessions.update(id as string, { title: `again ${id}` });
    // Groups of four created in the same millisecond (by hand): the ID orders them, and a cursor lands among them.
    const info = (id: string) => join(dir, 'sessions', id, 'info.json');
    for (let i = 0; i < ids.length; i++) {
      const session = JSON.parse(readFileSync(info(ids[i - (i % 4)] as string), 'utf8'));
      const own = JSON.parse(readFileSync(info(ids[i] as string), 'utf8'));
      own.time.created = session.time.created;
      writeFileSync(info(ids[i] as string), `${JSON.stringify(own, null, 2)}\n`);
    }
    await (await openIndex(archive, { watch: false })).close(); // saves the snapshot
    const path = join(stateDir, 'index.ndjson');
    const saved = readFileSync(path, 'utf8');

    // Nothing changed: the snapshot answers as loaded, and is left as it was.
    let loaded = await openIndex(archive, { watch: false });
    let rebuilt = await openIndex(archive, { rebuild: true, watch: false });
    same(loaded, rebuilt);
    await loaded.close();
    expect(readFileSync(path, 'utf8')).toBe(saved);
    await rebuilt.close();

    // While no index runs: sessions made, deleted, edited by hand in place, broken; a folder without info.json.
    for (let i = 0; i < 3; i++) ids.push((await archive.sessions.create({ title: `made while closed ${i}` })).id);
    await archive.sessions.delete(ids[10] as string);
    await archive.sessions.delete(ids[20] as string);
    for (const id of [ids[5], ids[30], SAMPLE.notes]) {
      const text = readFileSync(info(id as string), 'utf8');
      writeFileSync(info(id as string), text.replace(/"title": "[^"]*"/, '"title": "edited by hand"'));
    }
    writeFileSync(info(ids[12] as string), '{"broken": ');
    mkdirSync(join(dir, 'sessions', newId('session')));

    loaded = await openIndex(archive, { watch: false });
    rebuilt = await openIndex(archive, { rebuild: true, watch: false });
    same(loaded, rebuilt);
    expect(loaded.get(ids[10] as string)).toBeUndefined();
    expect(loaded.get(ids[5] as string)?.title).toBe('edited by hand');
    expect(loaded.get(ids[41] as string)?.title).toBe('made while closed 1');
    // And decoded whole.
    expect(loaded.all()).toEqual(rebuilt.all());
    expect(loaded.children(ids[3] as string)).toEqual(rebuilt.children(ids[3] as string));
    await loaded.close();
    await rebuilt.close();
  }, 60_000);

  it('that was damaged by hand fails once with a clear error, is removed, and is rebuilt from the files', async () => {
    const { archive, path, expected } = await saved();
    const lines = readFileSync(path, 'utf8').split('\n');
    // The newest row: its ID stays (the load checks the shape), the rest is no JSON.
    lines[2] = `${(lines[2] as string).slice(0, 34)}, oops`;
    writeFileSync(path, lines.join('\n'));
    const damaged = await openIndex(archive, { watch: false });
    expect(() => damaged.list({ limit: 1 })).toThrow(/index snapshot .* was damaged .*removed and rebuilt/);
    expect(existsSync(path)).toBe(false);
    await damaged.close();
    const next = await openIndex(archive, { watch: false });
    expect(next.all()).toEqual(expected);
    await next.close();
    // A watching process (a server) decodes every row at its start: it warns and reads the files instead.
    writeFileSync(path, lines.join('\n'));
    const warnings: string[] = [];
    const watching = await openIndex(archive, { onWarning: (m) => warnings.push(m) });
    expect(watching.all()).toEqual(expected);
    expect(warnings.join('\n')).toMatch(/index snapshot .* was damaged/);
    await watching.close();
    // A change while closed makes the check decode the table: it warns and reads the files instead.
    writeFileSync(path, lines.join('\n'));
    await archive.sessions.update(SAMPLE.notes, { title: 'changed while closed' });
    warnings.length = 0;
    const checked = await openIndex(archive, { watch: false, onWarning: (m) => warnings.push(m) });
    expect(checked.get(SAMPLE.notes)?.title).toBe('changed while closed');
    expect(checked.all().map((s) => s.id)).toEqual(expected.map((s) => s.id));
    expect(warnings.join('\n')).toMatch(/index snapshot .* was damaged/);
    await checked.close();
  });

  it('cut short or out of shape is not used: the index is rebuilt from the files', async () => {
    const { archive, path, expected } = await saved();
    const text = readFileSync(path, 'utf8');
    for (const broken of [
      text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1),
      text.replace('"byCreated":[', '"byCreated":[0,'),
      'nonsense',
    ]) {
      writeFileSync(path, broken);
      const index = await openIndex(archive, { watch: false });
      expect(index.all()).toEqual(expected);
      await index.close();
    }
  });
});
