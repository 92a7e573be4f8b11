import { ArchiveError } from '../../errors.js';
import { BUCKET_MS } from './usage.js';

// Local days of a time zone, for usage by day: a bucket's day in the zone asked, and a day as a date.

/** The offset (ms) of a time zone at a time. */
export function offsetAt(format: Intl.DateTimeFormat, ms: number): number {
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return local - Math.floor(ms / 1000) * 1000;
}

/**
 * The local day number (days since 1970-01-01 in the zone) of a bucket, for
 * buckets from `first` to `last`: the zone's offset changes between them are
 * found once (a day at a time, then halved to the bucket) and looked up.
 */
export function localDays(timeZone: string, first: number, last: number): (bucket: number) => number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (cause) {
    throw new ArchiveError('INVALID_INPUT', `unknown time zone ${JSON.stringify(timeZone)}`, { cause });
  }
  const at = (bucket: number) => offsetAt(format, bucket * BUCKET_MS);
  const starts = [first];
  const offsets = [at(first)];
  const DAY = (24 * 3600 * 1000) / BUCKET_MS;
  for (let b = first; b < last; ) {
    const next = Math.min(b + DAY, last);
    if (at(next) !== offsets[offsets.length - 1]) {
      let lo = b;
      let hi = next;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (at(mid) === offsets[offsets.length - 1]) lo = mid;
        else hi = mid;
      }
      starts.push(hi);
      offsets.push(at(hi));
      b = hi;
    } else b = next;
  }
  return (bucket) => {
    let i = starts.length - 1;
    while (i > 0 && bucket < (starts[i] as number)) i--;
    return Math.floor((bucket * BUCKET_MS + (offsets[i] as number)) / 86_400_000);
  };
}

const pad = (v: number) => String(v).padStart(2, '0');
/** A day number as YYYY-MM-DD. */
export const dateOf = (day: number) => {
  const d = new Date(day * 86_400_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};
