import { describe, expect, it } from 'vitest';
import { SortedList } from '../../src/catalog/sorted-list.js';

describe('SortedList', () => {
  it('takes 300k items at once (no argument spreading) and keeps order through inserts and removes', () => {
    const list = new SortedList<number>((a, b) => a - b);
    const n = 300_000;
    // A fixed shuffle: i * 7919 mod n visits every number below n once (7919 is prime, n is not its multiple).
    list.reset(Array.from({ length: n }, (_, i) => (i * 7919) % n));
    expect(list.items.length).toBe(n);
    expect(list.items[0]).toBe(0);
    expect(list.items[n - 1]).toBe(n - 1);
    list.remove(5);
    list.insert(n + 1);
    list.insert(-1);
    expect(list.items.length).toBe(n + 1);
    expect(list.items.slice(0, 7)).toEqual([-1, 0, 1, 2, 3, 4, 6]);
    expect(list.items.at(-1)).toBe(n + 1);
    for (let i = 1; i < list.items.length; i++)
      if ((list.items[i - 1] as number) >= (list.items[i] as number)) throw new Error(`out of order at ${i}`);
  });
});
