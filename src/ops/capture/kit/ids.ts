import { createHash } from 'node:crypto';
import type { IdKind } from '../../../model/ids.js';

// IDs for what comes from another agent, derived from the source's own IDs:
// the same source gives the same archive IDs on every run and every machine,
// so a re-run updates in place instead of duplicating.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MAX_48 = 2 ** 48 - 1;
const PREFIX: Record<IdKind, string> = { session: 'ses', message: 'msg', part: 'prt' };

/**
 * An archive ID for a source's ID: the same every time for the same `key`.
 * Its 12 hex characters carry `time` as `newId` does (inverted for
 * sessions) — or, without a time, more of the hash (a session's ID must be
 * known from any of its files, e.g. a sub-agent's) — and its 14 base62
 * characters 80 bits of a SHA-256 of `key`.
 */
export function derivedId(kind: IdKind, time: number | undefined, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex');
  let hex: string;
  if (time === undefined) hex = hash.slice(20, 32);
  else {
    const t = Math.max(0, Math.min(MAX_48, Math.floor(time)));
    hex = (kind === 'session' ? MAX_48 - t : t).toString(16).padStart(12, '0');
  }
  let n = BigInt(`0x${hash.slice(0, 20)}`);
  let tail = '';
  for (let i = 0; i < 14; i++) {
    tail = BASE62.charAt(Number(n % 62n)) + tail;
    n /= 62n;
  }
  return `${PREFIX[kind]}_${hex}${tail}`;
}

/** A UUID (version 4 layout) derived from a key: the same on every call. */
export function derivedUuid(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  const variant = ((Number.parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
