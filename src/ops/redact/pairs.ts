// Secrets by where they stand rather than by their shape: the value of a key
// that names a credential (`PASSWORD=…`, `"api_key": "…"`, `token: …`), kept
// when it is a literal and not a placeholder, a type, a variable or a call;
// for keys other than passwords the value must also look random (its Shannon
// entropy), which is the check for credentials of formats no rule knows.

export interface Span {
  kind: string;
  start: number;
  end: number;
}

const SECRET_KEY =
  /(?:^|[_.-])(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?token|credentials?|session[_-]?(?:key|secret)|signing[_-]?key|encryption[_-]?key|dsn)$|^(?:pass(?:word|wd)?|pwd|secret|token|apikey|api_key)$/i;
const PASSWORD_KEY = /pass(?:word|wd|phrase)?$|pwd$/i;
const PLACEHOLDER =
  /^(?:\*+|[xX]+|\.{3,}|_+|-+|changeme|change_me|changethis|example|sample|dummy|test|testing|secret|password|passw0rd|null|none|nil|undefined|true|false|string|number|boolean|bool|any|str|int|bytes|required|optional|redacted|todo|tbd|fixme|your[_-].*|my[_-].*|<.*>|\$\{.*\}|\$[A-Za-z_][A-Za-z0-9_]*|%\(.*\)s|\{\{.*\}\}|\[REDACTED.*)$/i;
const IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/** Bits per character of a string (Shannon entropy of its characters). */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Whether a value looks random enough to be a generated credential. */
export function looksRandom(value: string): boolean {
  if (value.length < 12) return false;
  // Hex of a hash (a git SHA, a checksum) and UUIDs are identifiers, not credentials, however random.
  if (/^[0-9a-f]+$/i.test(value) && value.length !== 32 && value.length !== 64) return false;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  return classes >= 2 && entropy(value) >= (value.length >= 24 ? 3.7 : 3.3);
}

const KEY_CHAR = /[A-Za-z0-9_.-]/;
const VALUE_CHAR = /[^\s"'`,;{}()<>[\]\\]/;
const BOUNDARY = /[\s"'`,;})\]\\]/;

/** The pair whose separator (`=`, `:`, `:=`, `=>`) stands at `at`, if any: its key, and its value's place. */
function pairAt(text: string, at: number) {
  const sep = text[at] === ':' && text[at + 1] === '=' ? 2 : text[at] === '=' && text[at + 1] === '>' ? 2 : 1;
  // Backwards: blanks, a closing quote (maybe escaped), the key.
  let k = at;
  while (k > 0 && (text[k - 1] === ' ' || text[k - 1] === '\t')) k--;
  const before = at - k;
  let keyQuote = '';
  if (k > 0 && (text[k - 1] === '"' || text[k - 1] === "'")) {
    keyQuote = text[k - 1] as string;
    if (k > 1 && text[k - 2] === '\\') keyQuote = `\\${keyQuote}`;
    k -= keyQuote.length;
  }
  const keyEnd = k;
  while (k > 0 && keyEnd - k < 64 && KEY_CHAR.test(text[k - 1] as string)) k--;
  const key = text.slice(k, keyEnd);
  if (!/^[A-Za-z_]/.test(key)) return undefined;
  if (keyQuote && text.slice(k - keyQuote.length, k) !== keyQuote) return undefined;
  const keyStart = k - keyQuote.length;
  // Forwards: blanks, an opening quote (maybe escaped), the value, its closing quote, a boundary.
  let v = at + sep;
  while (text[v] === ' ' || text[v] === '\t') v++;
  const after = v - at - sep;
  let quote = '';
  if (text[v] === '\\' && /["'`]/.test(text[v + 1] ?? '')) quote = text.slice(v, v + 2);
  else if (/["'`]/.test(text[v] ?? '')) quote = text[v] as string;
  v += quote.length;
  const valueStart = v;
  while (v < text.length && v - valueStart < 256 && VALUE_CHAR.test(text[v] as string)) v++;
  const value = text.slice(valueStart, v);
  if (value.length < 6) return undefined;
  if (quote && text.slice(v, v + quote.length) !== quote) return undefined;
  const end = v + quote.length;
  if (end < text.length && !BOUNDARY.test(text[end] as string)) return undefined;
  return { key, keyQuote, keyStart, before, after, quote, value, valueStart, colon: sep === 1 && text[at] === ':' };
}

/** The values of credential keys in a text, found from each `=` and `:` (linear in the text, however long its words). */
export function pairSpans(text: string): Span[] {
  const out: Span[] = [];
  const separators = /[:=]/g;
  const following = (from: number) => {
    separators.lastIndex = from;
    return separators.exec(text)?.index ?? -1;
  };
  for (let at = following(0); at !== -1; ) {
    const p = pairAt(text, at);
    const step = () => following(at + 1);
    if (!p || !SECRET_KEY.test(p.key) || PLACEHOLDER.test(p.value)) {
      at = step();
      continue;
    }
    // `key: value` unquoted is YAML only where the key starts its line ("without a password: anyone" is prose).
    if (p.colon && !p.keyQuote && !p.quote && !/^[ \t]*(?:- )?$/.test(text.slice(text.lastIndexOf('\n', p.keyStart) + 1, p.keyStart))) {
      at = step();
      continue;
    }
    const password = PASSWORD_KEY.test(p.key);
    // `password = userInput` in code: a variable, not a literal (env files and YAML have no spaces around `=`).
    const code = p.before > 0 && p.after > 0 && !p.quote;
    const skip =
      (!p.quote && IDENTIFIER.test(p.value) && (code || p.value.includes('.') || (!password && !looksRandom(p.value)))) ||
      (!password && !looksRandom(p.value));
    if (!skip) out.push({ kind: password ? 'password' : 'secret', start: p.valueStart, end: p.valueStart + p.value.length });
    at = step();
  }
  return out;
}
