// V8's JSON.parse messages do not always carry a position ("Unexpected token
// 'o', ... is not valid JSON"), so a failed parse is re-scanned here to find
// the offset and a plain description of the first error. Only runs on failure.

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters inside strings; this is that rule.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

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
  let i = 0;
  const ws = () => {
    while (i < text.length && WS.has(text.charAt(i))) i++;
  };
  const fail = (reason: string): never => {
    throw new SyntaxFound(i, i >= text.length ? 'unexpected end of file' : `${reason}, found ${JSON.stringify(text.charAt(i))}`);
  };
  const match = (re: RegExp, what: string) => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) fail(`expected ${what}`);
    i = re.lastIndex;
  };
  // The items of an object or array, after its opening bracket, up to `close`.
  const sequence = (close: string, item: () => void): void => {
    ws();
    if (text.charAt(i) === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      ws();
      if (text.charAt(i) === ',') {
        i++;
        continue;
      }
      if (text.charAt(i) === close) {
        i++;
        return;
      }
      fail(`expected ',' or '${close}'`);
    }
  };
  const value = (): void => {
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      sequence('}', () => {
        ws();
        if (text.charAt(i) !== '"') fail('expected a property name in double quotes');
        match(STRING, 'a string');
        ws();
        if (text.charAt(i) !== ':') fail("expected ':' after a property name");
        i++;
        value();
      });
    } else if (c === '[') {
      i++;
      sequence(']', value);
    } else if (c === '"') {
      match(STRING, 'a valid string');
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      match(NUMBER, 'a number');
    } else {
      for (const word of ['true', 'false', 'null']) {
        if (text.startsWith(word, i)) {
          i += word.length;
          return;
        }
      }
      fail('expected a value');
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail('unexpected text after the JSON value');
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxFound) return { offset: error.offset, reason: error.reason };
    throw error;
  }
}
