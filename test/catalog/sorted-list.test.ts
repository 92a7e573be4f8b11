import { describe, expect, it } from 'vitest';
import { SortedList } from '../../src/catalog/index/sorted-list.js';

describe('SortedList', () => {
  it('takes 300k items at once (no argument spreading) and keeps order through inserts and removes', () => {
    const list = new SortedList<number>((a, b) => a - b);
    const n = 300_000;
    // A fixed shuffle: i * 7919 mod n visits every number below n once (7919 is prime, n is not its multiple).
    list.reset(Array.from({ length: n }, (_, i) => (i * 7919) % n));
    expect(list.length).toBe(n);
    expect(list.at(0)).toBe(0);
    expect(list.at(n - 1)).toBe(n - 1);
    expect(list.at(n)).toBeUndefined();
    expect(list.lowerBound(1000)).toBe(1000);
    list.remove(5);
    list.insert(n + 1);
    list.insert(-1);
    list.remove(n + 5); // not there: nothing changes
    expect(list.length).toBe(n + 1);
    const items = [...list.values()];
    expect(items.slice(0, 7)).toEqual([-1, 0, 1, 2, 3, 4, 6]);
    expect(items.at(-1)).toBe(n + 1);
    expect(list.filterReversed(() => true)).toEqual([...items].reverse());
    expect(list.filterReversed((x) => x % 2 === 1 && x < 10)).toEqual([9, 7, 3, 1]);
    expect(list.lowerBound(5)).toBe(6);
    for (let i = 1; i < items.length; i++) if ((items[i - 1] as number) >= (items[i] as number)) throw new Error(`out of order at ${i}`);
  });

  it('replaces an item in place when it sorts the same, and refuses when it does not', () => {
    type Row = { key: number; name: string };
    const list = new SortedList<Row>((a, b) => a.key - b.key || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const rows = [1, 2, 3].map((key) => ({ key, name: `r${key}` }));
    list.reset(rows);
    const same = { key: 2, name: 'r2' };
    expect(list.replace(rows[1] as Row, same)).toBe(true);
    expect(list.at(1)).toBe(same);
    // A different sort key: nothing changes, the caller removes and inserts.
    expect(list.replace(same, { key: 9, name: 'r2' })).toBe(false);
    expect(list.at(1)).toBe(same);
    // An item not in the list is not replaced.
    expect(list.replace({ key: 3, name: 'r3' }, { key: 3, name: 'r3' })).toBe(false);
    expect(list.at(2)).toBe(rows[2]);
  });
});
