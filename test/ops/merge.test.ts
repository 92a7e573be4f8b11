import { describe, expect, it } from 'vitest';
import { mergeInfo, mergeTodos, mergeValues, type Session } from '../../src/index.js';

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
