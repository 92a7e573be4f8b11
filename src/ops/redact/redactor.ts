import { createHmac } from 'node:crypto';
import { detect, type Span } from './detect.js';

// Replacing secrets with markers: `[REDACTED:<kind>:<hash>]`, the hash an
// HMAC of the secret under the archive's own key, so the same secret gives
// the same marker on every machine and every run (re-syncs stay idempotent,
// diffs quiet), and two sessions that used the same key can be told apart
// from two that used different ones without either key being shown.

/** A marker as it stands in redacted text. */
export const MARKER = /\[REDACTED:[a-z0-9-]{1,48}:[0-9a-f]{8}\]/g;

/** Where a secret was found: the field's path in the value, and its kind (never the secret). */
export interface Finding {
  /** Which of the values given (an index), and the field in it: `parts[2].state.output`. */
  value: number;
  path: string;
  kind: string;
}

export interface RedactionRules {
  /** The archive's key for markers (hex), or how to get it when the first secret is found (an archive without secrets never makes one). */
  key: string | (() => Promise<string>);
  /** Allowed false positives: HMACs of values (see {@link Redactor.valueId}), and patterns. */
  allow?: { values?: readonly string[]; patterns?: readonly string[] };
}

/** Data URLs whose bytes are binary (images, PDFs): not scanned (a secret in a picture cannot be found as text). */
const BINARY_DATA_URL = /^data:(?:image|audio|video|font)\/|^data:application\/(?:pdf|octet-stream|zip|x-[a-z-]*)[;,]/i;
const TEXT_DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?);base64,/i;
/** Leaves joined for one scan are parted by this (no rule matches across it). */
const SEP = '\n\u0000\n';

type Leaf = { value: number; path: string; text: string; offset: number; dataUrl?: string };

/** Every string in a value with its path (a text data URL as its decoded text). */
function collect(value: unknown, index: number, out: Leaf[], path = ''): void {
  if (typeof value === 'string') {
    if (BINARY_DATA_URL.test(value)) return;
    const data = TEXT_DATA_URL.exec(value);
    if (data) {
      out.push({
        value: index,
        path,
        text: Buffer.from(value.slice(data[0].length), 'base64').toString('utf8'),
        offset: 0,
        dataUrl: data[0],
      });
      return;
    }
    out.push({ value: index, path, text: value, offset: 0 });
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) collect(v, index, out, `${path}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(v, index, out, path ? `${path}.${k}` : k);
  }
}

/** A copy of `value` with the strings at the given paths replaced (objects copied only along those paths). */
function replaceAt(value: unknown, replacements: Map<string, string>, path = ''): unknown {
  if (typeof value === 'string') return replacements.get(path) ?? value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v, i) => {
      const r = replaceAt(v, replacements, `${path}[${i}]`);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = replaceAt(v, replacements, path ? `${path}.${k}` : k);
      if (r !== v) changed = true;
      out[k] = r;
    }
    return changed ? out : value;
  }
  return value;
}

export class Redactor {
  private readonly patterns: RegExp[];
  private key?: string;

  constructor(private readonly rules: RedactionRules) {
    this.patterns = (rules.allow?.patterns ?? []).map((p) => new RegExp(p));
    if (typeof rules.key === 'string') this.key = rules.key;
  }

  /** The key, got once (made and written at the first secret, for an archive that has none yet). */
  async ready(): Promise<this> {
    if (this.key === undefined) this.key = await (this.rules.key as () => Promise<string>)();
    return this;
  }

  /** The keyed hash of a value (the marker's, in full): what an allow-list keeps instead of the value. Needs {@link ready}. */
  valueId(secret: string): string {
    if (this.key === undefined) throw new Error('Redactor: the key is not known yet (await ready())');
    return createHmac('sha256', Buffer.from(this.key, 'hex')).update(secret).digest('hex').slice(0, 32);
  }

  /** The marker of a secret. */
  marker(kind: string, secret: string): string {
    return `[REDACTED:${kind}:${this.valueId(secret).slice(0, 8)}]`;
  }

  private allowed(secret: string): boolean {
    return (this.rules.allow?.values ?? []).includes(this.valueId(secret)) || this.patterns.some((p) => p.test(secret));
  }

  /** Secrets in one text, as spans (allowed ones left out). */
  async spans(text: string): Promise<Span[]> {
    const found = await detect(text);
    if (found.length === 0) return found;
    await this.ready();
    return found.filter((s) => !this.allowed(text.slice(s.start, s.end)));
  }

  /**
   * The values with every secret in any string replaced by its marker, and
   * where each was. All strings of all values are scanned at once (one pass
   * of the rules over them joined), so a batch of messages costs one scan.
   */
  async redact<T>(values: readonly T[]): Promise<{ values: T[]; found: Finding[] }> {
    const leaves: Leaf[] = [];
    for (const [i, v] of values.entries()) collect(v, i, leaves);
    let offset = 0;
    for (const leaf of leaves) {
      leaf.offset = offset;
      offset += leaf.text.length + SEP.length;
    }
    const joined = leaves.map((l) => l.text).join(SEP);
    const spans = await this.spans(joined);
    if (spans.length === 0) return { values: [...values], found: [] };
    const found: Finding[] = [];
    const byValue = new Map<number, Map<string, string>>();
    let at = 0;
    for (const leaf of leaves) {
      const end = leaf.offset + leaf.text.length;
      while (at < spans.length && (spans[at] as Span).end <= leaf.offset) at++;
      const mine = [];
      for (let k = at; k < spans.length && (spans[k] as Span).start < end; k++) mine.push(spans[k] as Span);
      if (mine.length === 0) continue;
      let text = '';
      let last = 0;
      for (const s of mine) {
        const start = Math.max(0, s.start - leaf.offset);
        const stop = Math.min(leaf.text.length, s.end - leaf.offset);
        text += leaf.text.slice(last, start) + this.marker(s.kind, leaf.text.slice(start, stop));
        last = stop;
        found.push({ value: leaf.value, path: leaf.path, kind: s.kind });
      }
      text += leaf.text.slice(last);
      const replaced = leaf.dataUrl ? `${leaf.dataUrl}${Buffer.from(text, 'utf8').toString('base64')}` : text;
      const map = byValue.get(leaf.value) ?? new Map<string, string>();
      map.set(leaf.path, replaced);
      byValue.set(leaf.value, map);
    }
    return { values: values.map((v, i) => (byValue.has(i) ? (replaceAt(v, byValue.get(i) as Map<string, string>) as T) : v)), found };
  }
}
