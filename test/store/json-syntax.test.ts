import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/store/json-file.js';
import { locateSyntaxError, numberKeepsItsValue } from '../../src/store/json-syntax.js';

describe('JSON syntax errors', () => {
  it.each([
    ['{\n  "a": oops\n}', 'f.json:2:8: invalid JSON: expected a value, found "o"'],
    ['{\n  "a": 1,\n}', 'f.json:3:1: invalid JSON: expected a property name in double quotes, found "}"'],
    ['{"a": 1', 'f.json:1:8: invalid JSON: unexpected end of file'],
    ['[1 2]', `f.json:1:4: invalid JSON: expected ',' or ']', found "2"`],
    ['{"a" 1}', `f.json:1:6: invalid JSON: expected ':' after a property name, found "1"`],
    ['{}\n{}', 'f.json:2:1: invalid JSON: unexpected text after the JSON value, found "{"'],
    ['', 'f.json:1:1: invalid JSON: unexpected end of file'],
    ['{"a": "tab\there"}', 'f.json:1:11: invalid JSON: expected a valid string (raw control character), found "\\t"'],
    ['{"a": "open', 'f.json:1:7: invalid JSON: unterminated string (no closing quote)'],
    ['{"a": "bad \\x escape"}', 'f.json:1:12: invalid JSON: expected a valid string (bad escape), found "\\\\"'],
  ])('locates the error in %j', (text, message) => {
    expect(() => parseJsonText(text, 'f.json')).toThrow(message);
  });

  it('agrees with JSON.parse on valid documents', () => {
    for (const text of ['{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"],"b":{}}', '[]', '"x"', ' 0 ']) {
      expect(locateSyntaxError(text)).toBeUndefined();
      expect(parseJsonText(text, 'f.json')).toEqual(JSON.parse(text));
    }
  });

  it('numbers: refused only when a save could not write the same value back', () => {
    for (const kept of [
      '0',
      '-1.5',
      '1.0',
      '1e3',
      '1234567890123456',
      '0.30000000000000004',
      '1.7976931348623157e308',
      '5e-324',
      '100000000000000000000',
    ])
      expect(numberKeepsItsValue(kept), kept).toBe(true);
    for (const lost of ['9007199254740993', '12345678901234567890', '1e400', '-1e400', '0.123456789012345678901234567891'])
      expect(numberKeepsItsValue(lost), lost).toBe(false);
    expect(() => parseJsonText('{\n  "n": 9007199254740993\n}', 'f.json')).toThrow(
      'f.json:2:8: invalid JSON: the number 9007199254740993 cannot be kept exactly',
    );
    // Digits in strings are text.
    expect(parseJsonText('{"n": "9007199254740993"}', 'f.json')).toEqual({ n: '9007199254740993' });
    // 17 significant digits with no 16 in a row (the point between them): a save would write 12345678.12345679.
    expect(() => parseJsonText('{"a": [1, {"n": 12345678.123456789}]}', 'f.json')).toThrow(
      'f.json:1:17: invalid JSON: the number 12345678.123456789 cannot be kept exactly',
    );
    expect(parseJsonText('[123456789.123456, -1.5e-7, 1e300]', 'f.json')).toEqual([123456789.123456, -1.5e-7, 1e300]);
  });
});
