// JSON text in pieces: a message of hundreds of megabytes is written to disk
// or to a socket without ever being one string (a string that size costs as
// much memory again, and past ~512 MB cannot exist at all).

/** Characters a piece holds before it is handed out (pieces may be somewhat longer). */
const PIECE = 1 << 16;

type Out = { parts: string[]; length: number };

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A value small enough to be written as one string: one piece from the native JSON.stringify. */
const ONE_PIECE = 1 << 20;

/**
 * Whether `value`'s text (at `indent`) is surely under `limit` characters,
 * found without building it: a bound for each value — its characters all
 * escaped, its line's indentation — is summed, stopping as soon as the sum
 * passes the limit.
 */
function smallerThan(value: unknown, limit: number, indent: number): boolean {
  let total = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    total += 2 + depth * indent; // a comma and a line break, and the line's indentation
    if (typeof v === 'string')
      total += v.length * 6 + 2; // at worst every character as \u00XX
    else if (v !== null && typeof v === 'object') {
      total += 2 + depth * indent; // the brackets, the closing one on its own line
      if (Array.isArray(v)) for (const item of v) stack.push([item, depth + 1]);
      else {
        for (const key of Object.keys(v)) {
          total += key.length * 6 + 4;
          stack.push([(v as Record<string, unknown>)[key], depth + 1]);
        }
      }
    } else total += 24; // a number, true, false or null
    if (total > limit) return false;
  }
  return true;
}

/**
 * `JSON.stringify(value, null, indent)`, the same text to the character, as
 * pieces of about `size` characters; a long string is cut into slices (never
 * inside a surrogate pair, which JSON.stringify would escape differently).
 * Returns nothing for a value JSON.stringify makes `undefined`.
 */
export function* jsonChunks(value: unknown, indent = 0, size = PIECE): Generator<string> {
  // The common case — a message of a few kilobytes — is one native call, about 8× faster than the walk below.
  if (size === PIECE && smallerThan(value, ONE_PIECE, indent)) {
    const text = JSON.stringify(value, null, indent);
    if (text !== undefined) yield text;
    return;
  }
  const out: Out = { parts: [], length: 0 };
  const step = ' '.repeat(indent);

  function push(text: string): void {
    out.parts.push(text);
    out.length += text.length;
  }
  function* flush(force: boolean): Generator<string> {
    if (out.length >= size || (force && out.length > 0)) {
      const piece = out.parts.join('');
      out.parts = [];
      out.length = 0;
      yield piece;
    }
  }
  function* string(text: string): Generator<string> {
    if (text.length <= size) return push(JSON.stringify(text));
    push('"');
    for (let at = 0; at < text.length; ) {
      let end = Math.min(at + size, text.length);
      // Never between the halves of a pair: back one, or (a piece of one) on one.
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end += end - 1 > at ? -1 : 1;
      push(JSON.stringify(text.slice(at, end)).slice(1, -1));
      at = end;
      yield* flush(false);
    }
    push('"');
  }
  /** The value as JSON.stringify sees it: after toJSON; `undefined` for what it leaves out. */
  function resolve(v: unknown, key: string): unknown {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      return (v as { toJSON: (key: string) => unknown }).toJSON(key);
    }
    return v;
  }
  function* write(v: unknown, pad: string): Generator<string> {
    if (typeof v === 'string') return yield* string(v);
    if (v === null || typeof v !== 'object' || v instanceof Number || v instanceof String || v instanceof Boolean) {
      return push(JSON.stringify(v) ?? 'null');
    }
    const inner = pad + step;
    const open = indent > 0 ? `\n${inner}` : '';
    const separator = indent > 0 ? `,\n${inner}` : ',';
    const close = indent > 0 ? `\n${pad}` : '';
    if (Array.isArray(v)) {
      if (v.length === 0) return push('[]');
      push(`[${open}`);
      for (let i = 0; i < v.length; i++) {
        if (i > 0) push(separator);
        const item = resolve(v[i], String(i));
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') push('null');
        else yield* write(item, inner);
        yield* flush(false);
      }
      return push(`${close}]`);
    }
    let first = true;
    for (const key of Object.keys(v)) {
      const item = resolve((v as Record<string, unknown>)[key], key);
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      push(`${first ? `{${open}` : separator}${JSON.stringify(key)}:${indent > 0 ? ' ' : ''}`);
      first = false;
      yield* write(item, inner);
      yield* flush(false);
    }
    push(first ? '{}' : `${close}}`);
  }

  const top = resolve(value, '');
  if (top === undefined || typeof top === 'function' || typeof top === 'symbol') return;
  yield* write(top, '');
  yield* flush(true);
}

/** True when the pieces, joined, are exactly `text` (compared piece by piece; stops at the first difference). */
export function piecesEqual(pieces: Iterable<string>, text: string): boolean {
  let at = 0;
  for (const piece of pieces) {
    if (at + piece.length > text.length) return false;
    // startsWith at a position compares in place, without slicing `text`.
    if (!text.startsWith(piece, at)) return false;
    at += piece.length;
  }
  return at === text.length;
}
