import { describe, expect, it } from 'vitest';
import { inSlice } from '../../src/catalog/index/scan.js';
import { newId } from '../../src/index.js';

describe('periodic checks spread over rounds', () => {
  it('every session falls in exactly one of the rounds, and the rounds share them about evenly', () => {
    const ids = Array.from({ length: 20_000 }, () => newId('session'));
    const of = 10;
    const counts = Array.from({ length: of }, (_, index) => ids.filter((id) => inSlice(id, { index, of })).length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(ids.length);
    for (const id of ids.slice(0, 500))
      expect(Array.from({ length: of }, (_, index) => inSlice(id, { index, of })).filter(Boolean)).toHaveLength(1);
    for (const n of counts) expect(Math.abs(n - ids.length / of)).toBeLessThan(ids.length / of / 5);
    // Round numbers keep counting up: round 13 of 10 is round 3.
    expect(ids.filter((id) => inSlice(id, { index: 13, of })).length).toBe(counts[3]);
    // One round of one: everything.
    expect(ids.every((id) => inSlice(id, { index: 7, of: 1 }) && inSlice(id, undefined))).toBe(true);
  });
});
