import { randomFillSync } from 'node:crypto';
import { decodeTime, monotonicFactory } from 'ulid';
import { ArchiveError } from '../errors.js';

/** The kinds of ID the archive uses, by their prefix. */
export type IdKind = 'session' | 'message' | 'part';

const PREFIX: Record<IdKind, string> = { session: 'ses', message: 'msg', part: 'prt' };

/**
 * OpenCode's ID shape: prefix, `_`, 12 hex characters of time, 14 base62
 * characters; a message OpenCode 2 copied into a fork adds `_` and its
 * sequence number (up to 9 digits). Every ID is checked against it before it
 * is used as a path segment, so no ID can name a path outside its folder.
 */
const ID_PATTERN: Record<IdKind, RegExp> = {
  session: /^ses_[0-9a-f]{12}[0-9A-Za-z]{14}$/,
  message: /^msg_[0-9a-f]{12}[0-9A-Za-z]{14}(?:_[0-9]{1,9})?$/,
  part: /^prt_[0-9a-f]{12}[0-9A-Za-z]{14}$/,
};

/** The pattern a caller-chosen session ID must match. */
export const SESSION_ID_PATTERN = ID_PATTERN.session;

/** True when `value` is a well-formed ID of the given kind. */
export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN[kind].test(value);
}

/** Throws `INVALID_ID` unless `value` is a well-formed ID of the given kind. */
export function assertId(kind: IdKind, value: unknown): asserts value is string {
  if (!isId(kind, value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : String(value);
    throw new ArchiveError(
      'INVALID_ID',
      `invalid ${kind} ID ${shown}: expected ${PREFIX[kind]}_ followed by 12 lowercase hex and 14 letters or digits${kind === 'message' ? " (an OpenCode 2 fork's copy: then _ and up to 9 digits)" : ''} (pattern ${ID_PATTERN[kind].source})`,
    );
  }
}

// Crockford base32 (ULID's alphabet) and base62 in ASCII order, so that a
// fixed-width base62 string sorts like the number it encodes.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MAX_48 = 2 ** 48 - 1;
const MAX_80 = (1n << 80n) - 1n;

function base32ToBigInt(text: string): bigint {
  let n = 0n;
  for (const ch of text) n = n * 32n + BigInt(CROCKFORD.indexOf(ch));
  return n;
}

function toBase62(n: bigint, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE62.charAt(Number(n % 62n)) + out;
    n /= 62n;
  }
  return out;
}

// Random bytes are drawn from a pool refilled 4 KB at a time: ulid's own
// source asks the system for one byte per character (16 calls an ID), which
// was a measurable part of an append.
const pool = new Uint8Array(4096);
let poolAt = pool.length;

/** `n` cryptographically random bytes (n ≤ 4096), from the pool. */
export function randomBytesPooled(n: number): Uint8Array {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

/** `n` random bytes from the pool as text: for temp names, event IDs, nonces. */
export function randomText(n: number, encoding: 'hex' | 'base64'): string {
  const bytes = randomBytesPooled(n);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding);
}

// One monotonic ULID source per process: within one millisecond it increments
// the 80 random bits, and it never goes back in time when the clock does.
const nextUlid = monotonicFactory(() => (randomBytesPooled(1)[0] as number) / 256);

/**
 * A new ID of the given kind. The 12 hex characters are the 48-bit
 * millisecond time (no wrap-around until the year 10889), the 14 base62
 * characters 80 bits of randomness incremented within a millisecond, so IDs of
 * one process are strictly monotonic. Message and part IDs ascend; session IDs
 * invert both halves so a folder listing shows the newest session first.
 */
export function newId(kind: IdKind): string {
  const u = nextUlid();
  let time = decodeTime(u);
  let random = base32ToBigInt(u.slice(10));
  if (kind === 'session') {
    time = MAX_48 - time;
    random = MAX_80 - random;
  }
  return `${PREFIX[kind]}_${time.toString(16).padStart(12, '0')}${toBase62(random, 14)}`;
}

/** The creation time encoded in an ID made by {@link newId} (not for OpenCode's wrapped IDs). */
export function idTime(id: string): number {
  const time = Number.parseInt(id.slice(4, 16), 16);
  return id.startsWith('ses_') ? MAX_48 - time : time;
}
