import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDate, formatTime } from '../../src/format-time.js';

describe('formatDate', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('is the day formatTime gives, in UTC and in local zones either side of it (Node reads TZ at run time)', () => {
    for (const tz of ['UTC', 'Asia/Tokyo', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/Berlin']) {
      process.env.TZ = tz;
      fc.assert(
        fc.property(fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }), (ms) => {
          expect(formatDate(ms)).toBe(formatTime(ms).slice(0, 10));
          expect(formatDate(ms, { utc: true })).toBe(formatTime(ms, { utc: true }).slice(0, 10));
        }),
        { numRuns: 300 },
      );
    }
    process.env.TZ = 'Asia/Tokyo';
    // 2026-10-03 20:00 UTC is the 4th in Tokyo.
    expect(formatDate(Date.UTC(2026, 9, 3, 20))).toBe('2026-10-04');
    expect(formatDate(Date.UTC(2026, 9, 3, 20), { utc: true })).toBe('2026-10-03');
  });
});
