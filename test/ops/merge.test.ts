import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type MergeConflict, mergeFiles, mergeInfo, mergeTodos, mergeValues, type Session } from '../../src/index.js';
import { formatCanonical } from '../../src/store/json-file.js';
import { codeOf, tempDir } from '../helpers.js';

const info = (fields: Partial<Session>): Session =>
  ({
    id: 'ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA',
    slug: 's',
    projectID: 'p',
    directory: '/',
    title: 't',
    version: 'v',
    time: { created: 1, updated: 10 },
    ...fields,
  }) as Session;

describe('field-wise merge', () => {
  it('takes each side’s own changes, keeps unknown fields, and removes what one side removed', () => {
    const base = { a: 1, b: 1, gone: true, nested: { x: 1, y: 1 } };
    const ours = { a: 2, b: 1, gone: true, nested: { x: 2, y: 1 }, extraOurs: 'o' };
    const theirs = { a: 1, b: 3, nested: { x: 1, y: 3 }, extraTheirs: 't' };
    expect(mergeValues(base, ours, theirs, false)).toEqual({ a: 2, b: 3, nested: { x: 2, y: 3 }, extraOurs: 'o', extraTheirs: 't' });
  });

  it('where both changed one field, the flag decides; lists merge as sets', () => {
    expect(mergeValues({ t: 'base' }, { t: 'ours' }, { t: 'theirs' }, true)).toEqual({ t: 'theirs' });
    expect(mergeValues({ t: 'base' }, { t: 'ours' }, { t: 'theirs' }, false)).toEqual({ t: 'ours' });
    expect(mergeValues([1, 2, 3], [1, 2, 4], [2, 3, 5], false)).toEqual([2, 4, 5]);
  });

  it('on a tie the same side wins whichever is "ours", and every field both changed is reported', () => {
    const base = info({ title: 'base', metadata: { a: 1 } });
    const ours = info({ title: 'from a', metadata: { a: 2 }, time: { created: 1, updated: 20 } });
    const theirs = info({ title: 'from b', metadata: { a: 3 }, time: { created: 1, updated: 20 } });
    const one: MergeConflict[] = [];
    const other: MergeConflict[] = [];
    const merged = mergeInfo(base, ours, theirs, one);
    expect(mergeInfo(base, theirs, ours, other)).toEqual(merged);
    expect(one).toEqual([
      { field: 'title', kept: merged.title, dropped: merged.title === 'from a' ? 'from b' : 'from a' },
      { field: 'metadata.a', kept: merged.metadata?.a, dropped: merged.metadata?.a === 2 ? 3 : 2 },
    ]);
    expect(other.map((c) => [c.field, c.kept])).toEqual(one.map((c) => [c.field, c.kept]));
    // Parts are named by their ID.
    const found: MergeConflict[] = [];
    const part = (text: string) => ({
      parts: [
        { id: 'prt_1', text },
        { id: 'prt_2', text: 'same' },
      ],
    });
    mergeValues(part('base'), part('ours'), part('theirs'), true, found);
    expect(found).toEqual([{ field: 'parts[prt_1].text', kept: 'theirs', dropped: 'ours' }]);
  });

  it('session info: the newer time.updated wins a field both changed; time.updated is the later one', () => {
    const base = info({ title: 'base' });
    const ours = info({ title: 'ours', time: { created: 1, updated: 20, archived: 15 } });
    const theirs = info({ title: 'theirs', time: { created: 1, updated: 30 } });
    expect(mergeInfo(base, ours, theirs)).toEqual(info({ title: 'theirs', time: { created: 1, updated: 30, archived: 15 } }));
    expect(mergeInfo(base, theirs, ours).title).toBe('theirs');
  });

  it('without a base (a conflict copy), fields only one side has are kept', () => {
    expect(
      mergeInfo(undefined, info({ metadata: { a: 1 } }), info({ share: { url: 'u' }, time: { created: 1, updated: 11 } })),
    ).toMatchObject({
      metadata: { a: 1 },
      share: { url: 'u' },
      time: { updated: 11 },
    });
  });

  it('todos merge by id, keeping additions from both sides and honouring removals', () => {
    const t = (id: string, status = 'pending') => ({ id, content: id, status, priority: 'low' });
    expect(mergeTodos([t('a'), t('b')], [t('a', 'completed'), t('b'), t('c')], [t('a'), t('d')])).toEqual([
      t('a', 'completed'),
      t('c'),
      t('d'),
    ]);
  });
});

describe('the merge driver on files', () => {
  const write = async (dir: string, name: string, value: unknown) => {
    const path = join(dir, name);
    await writeFile(path, value === undefined ? '' : formatCanonical(value));
    return path;
  };

  it('merges info, todos and message files into ours, canonically; refuses what it cannot merge', async () => {
    const dir = await tempDir();
    const base = await write(dir, 'b', info({ title: 'base' }));
    const ours = await write(dir, 'o', info({ title: 'ours', time: { created: 1, updated: 20 } }));
    const theirs = await write(dir, 't', info({ title: 'base', metadata: { k: 1 } }));
    await mergeFiles(base, ours, theirs, 'sessions/ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA/info.json');
    const merged = await readFile(ours, 'utf8');
    expect(JSON.parse(merged)).toEqual(info({ title: 'ours', metadata: { k: 1 }, time: { created: 1, updated: 20 } }));
    expect(merged).toBe(formatCanonical(JSON.parse(merged)));

    // Todos: a side without the file is an empty list.
    const todo = (id: string) => ({ id, content: id, status: 'pending', priority: 'low' });
    const tb = await write(dir, 'tb', undefined);
    const to = await write(dir, 'to', undefined);
    const tt = await write(dir, 'tt', [todo('a')]);
    await mergeFiles(tb, to, tt, 'sessions/x/todos.json');
    expect(JSON.parse(await readFile(to, 'utf8'))).toEqual([todo('a')]);

    // Messages: parts of both sides by ID.
    const message = (parts: string[]) => ({
      info: {
        id: 'msg_fe5e0a1b2c3d001aaaaaaaaaaa',
        sessionID: 'ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA',
        role: 'user',
        time: { created: 1 },
        agent: 'build',
        model: { providerID: 'p', modelID: 'm' },
      },
      parts: parts.map((id) => ({
        id,
        sessionID: 'ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA',
        messageID: 'msg_fe5e0a1b2c3d001aaaaaaaaaaa',
        type: 'text',
        text: id,
      })),
    });
    const p1 = 'prt_fe5e0a1b2c3d001aaaaaaaaaaa';
    const p2 = 'prt_fe5e0a1b2c3d002aaaaaaaaaaa';
    const p3 = 'prt_fe5e0a1b2c3d003aaaaaaaaaaa';
    const mb = await write(dir, 'mb', message([p1]));
    const mo = await write(dir, 'mo', message([p1, p2]));
    const mt = await write(dir, 'mt', message([p1, p3]));
    await mergeFiles(mb, mo, mt, 'sessions/x/messages/msg_fe5e0a1b2c3d001aaaaaaaaaaa.json');
    expect(JSON.parse(await readFile(mo, 'utf8')).parts.map((p: { id: string }) => p.id)).toEqual([p1, p2, p3]);

    // One side deleted the info (empty file), a side that does not validate, a file it does not know.
    const empty = await write(dir, 'e', undefined);
    const bad = await write(dir, 'bad', { id: 'nope' });
    const before = await readFile(ours, 'utf8');
    expect(await codeOf(mergeFiles(base, ours, empty, 'sessions/x/info.json'))).toBe('CORRUPT');
    expect(await codeOf(mergeFiles(base, ours, bad, 'sessions/x/info.json'))).toBe('CORRUPT');
    expect(await codeOf(mergeFiles(base, ours, theirs, 'sessions/x/notes.txt'))).toBe('INVALID_INPUT');
    expect(await readFile(ours, 'utf8')).toBe(before);
  });
});
