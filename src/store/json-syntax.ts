// What JSON.parse does not tell: where a syntax error is (V8's messages do not
// always carry a position), and whether an object names one key twice
// (JSON.parse silently keeps the last, so a hand edit could lose the other).
// Both scans are iterative: a 10k-deep document cannot overflow the stack.

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

class SyntaxFound extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The offset and reason of the first JSON syntax error in `text`, or undefined if it parses. */
export function locateSyntaxError(text: string): { offset: number; reason: string } | undefined {
  const n = text.length;
  let i = 0;
  const ws = () => {
    while (i < n && isWs(text.charCodeAt(i))) i++;
  };
  const fail = (reason: string): never => {
    throw new SyntaxFound(i, i >= n ? 'unexpected end of file' : `${reason}, found ${JSON.stringify(text.charAt(i))}`);
  };
  // A string at i (which holds '"'), scanned by hand: a regex over a 50 MB string could exhaust its backtrack stack.
  const string = () => {
    let j = i + 1;
    for (;;) {
      if (j >= n) throw new SyntaxFound(i, 'unterminated string (no closing quote)');
      const c = text.charCodeAt(j);
      if (c === 0x22) {
        i = j + 1;
        return;
      }
      if (c < 0x20) {
        i = j;
        fail('expected a valid string (raw control character)');
      }
      if (c === 0x5c) {
        const e = text.charAt(j + 1);
        if (e !== '' && '"\\/bfnrt'.includes(e)) j += 2;
        else if (e === 'u' && HEX4.test(text.slice(j + 2, j + 6))) j += 6;
        else {
          i = j;
          fail('expected a valid string (bad escape)');
        }
        continue;
      }
      j++;
    }
  };
  const key = () => {
    ws();
    if (text.charAt(i) !== '"') fail('expected a property name in double quotes');
    string();
    ws();
    if (text.charAt(i) !== ':') fail("expected ':' after a property name");
    i++;
  };
  // The closers of the open objects and arrays, innermost last.
  const open: string[] = [];
  try {
    for (;;) {
      // A value starts here.
      ws();
      const c = text.charAt(i);
      if (c === '{' || c === '[') {
        const close = c === '{' ? '}' : ']';
        i++;
        ws();
        if (text.charAt(i) === close) i++;
        else {
          open.push(close);
          if (close === '}') key();
          continue;
        }
      } else if (c === '"') string();
      else if (c === '-' || (c >= '0' && c <= '9')) {
        NUMBER.lastIndex = i;
        if (!NUMBER.exec(text)) fail('expected a number');
        i = NUMBER.lastIndex;
      } else {
        const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
        if (!word) fail('expected a value');
        i += (word as string).length;
      }
      // A value ended: close what ends here, or go on to the next item.
      for (;;) {
        ws();
        const close = open.at(-1);
        if (close === undefined) {
          if (i < n) fail('unexpected text after the JSON value');
          return undefined;
        }
        if (text.charAt(i) === ',') {
          i++;
          if (close === '}') key();
          break;
        }
        if (text.charAt(i) !== close) fail(`expected ',' or '${close}'`);
        i++;
        open.pop();
      }
    }
  } catch (error) {
    if (error instanceof SyntaxFound) return { offset: error.offset, reason: error.reason };
    throw error;
  }
}

/** `digits` without leading and trailing zeros, and the power of ten of the first: the value of a decimal, exactly. */
function decimal(token: string): { digits: string; exponent: number } | undefined {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!m) return undefined;
  const int = m[1] as string;
  const all = int + (m[2] ?? '');
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(lead).replace(/0+$/, '');
  return { digits, exponent: digits === '' ? 0 : int.length - lead - 1 + Number(m[3] ?? 0) };
}

/**
 * True when the number `token` survives parsing into a double and writing it
 * back (JSON.stringify) with its value: up to 15 significant digits always do;
 * longer ones only when the double's shortest form is that value
 * (`9007199254740993` is not, and `1e400` is no double at all).
 */
export function numberKeepsItsValue(token: string): boolean {
  const exact = decimal(token);
  if (!exact) return true;
  const n = Number(token);
  if (!Number.isFinite(n)) return false;
  if (exact.digits.length <= 15 && Math.abs(exact.exponent) < 300) return true;
  // What a save writes: the shortest decimal that reads back as the same double.
  const back = decimal(String(Math.abs(n)));
  return back !== undefined && back.digits === exact.digits && back.exponent === exact.exponent;
}

/** How deep objects and arrays may nest in the archive's files and inputs (JSON.stringify and structuredClone give up near 2,000). */
export const MAX_DEPTH = 256;

/**
 * The first thing in `text` — valid JSON, as JSON.parse accepted it — that a
 * data file must not hold, with its offset: a key named twice in one object
 * (JSON.parse keeps the last, and the next save would drop the other), a
 * `__proto__` key (a plain object cannot hold it as data), nesting deeper
 * than {@link MAX_DEPTH}, or a number a double cannot hold exactly (the next
 * save would write a different one).
 */
export function findStructureProblem(text: string, maxDepth = MAX_DEPTH): { offset: number; reason: string } | undefined {
  const n = text.length;
  // Per open container: the keys seen so far (objects) or null (arrays).
  const open: Array<Set<string> | null> = [];
  // One pass over the character codes (a regex jump per token cost more than the walk): strings are
  // skipped with indexOf, and what is left is brackets, separators, literals and numbers.
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // The closing quote: the next '"' not escaped by an odd run of backslashes.
      let end = text.indexOf('"', i + 1);
      for (;;) {
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      const keys = open.at(-1);
      if (keys) {
        let k = end + 1;
        while (isWs(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === 0x3a) {
          const raw = text.slice(i + 1, end);
          const name = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
          if (name === '__proto__') return { offset: i, reason: 'the key "__proto__" is not allowed' };
          if (keys.has(name)) return { offset: i, reason: `key ${JSON.stringify(name)} appears twice in one object` };
          keys.add(name);
        }
      }
      i = end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      open.push(c === 0x7b ? new Set() : null);
      if (open.length > maxDepth) return { offset: i, reason: `nested deeper than ${maxDepth} levels` };
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      // A number: up to 15 characters without an exponent hold at most 15 digits, which a double always keeps.
      let end = i + 1;
      let exponent = false;
      for (; end < n; end++) {
        const d = text.charCodeAt(end);
        if (d === 0x65 || d === 0x45) exponent = true;
        else if (!((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x2b || d === 0x2d)) break;
      }
      if (exponent || end - i > 15) {
        const token = text.slice(i, end);
        if (!numberKeepsItsValue(token)) {
          return {
            offset: i,
            reason: `the number ${token.length > 40 ? `${token.slice(0, 40)}…` : token} cannot be kept exactly (a double holds about 15 digits); write it as a string`,
          };
        }
      }
      i = end;
    } else i++;
  }
  return undefined;
}
