import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../src/store/map-limit.js';

/** Synchronous work of about `ms` (what reading and validating a small file with synchronous calls is). */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe('mapLimit', () => {
  it('lets timers run during a long loop of synchronous work, and keeps results in order', async () => {
    const seen: string[] = [];
    setTimeout(() => seen.push('timer'), 0);
    const items = Array.from({ length: 400 }, (_, i) => i);
    // 400 × 0.1 ms: far longer than one slice, with no real I/O to wait for in between.
    const results = await mapLimit(items, 4, async (i) => {
      busy(0.1);
      if (i === items.length - 1) seen.push('last');
      return i * 2;
    });
    seen.push('done');
    expect(results).toEqual(items.map((i) => i * 2));
    // Without a yield the whole loop runs in microtasks and the timer fires only after it.
    expect(seen.indexOf('timer')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('timer')).toBeLessThan(seen.indexOf('last'));
  });
});
