import { ArchiveError } from '../../errors.js';

/** One piece of a search: a word, a word's beginning (`retr*`) or an exact phrase (`"connection reset"`); `-` in front excludes it. */
export interface SearchTerm {
  text: string;
  kind: 'word' | 'prefix' | 'phrase';
  exclude: boolean;
}

const WORDY = /[\p{L}\p{N}]/u;

/**
 * Reads what a person types into a search box: words (all must match, in any
 * form: `retry` finds "retries"), `word*` for a beginning, `"…"` for a phrase,
 * `-word` or `-"…"` to leave out. Punctuation is never syntax beyond that, so
 * `c++`, `foo-bar` or a stray `"` can be searched without an error.
 */
export function parseSearch(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const re = /(-?)"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(query); m; m = re.exec(query)) {
    if (m[2] !== undefined) {
      if (WORDY.test(m[2])) terms.push({ text: m[2].trim(), kind: 'phrase', exclude: m[1] === '-' });
      continue;
    }
    let word = m[3] as string;
    const exclude = word.length > 1 && word.startsWith('-');
    if (exclude) word = word.slice(1);
    const prefix = word.length > 1 && word.endsWith('*');
    if (prefix) word = word.replace(/\*+$/, '');
    if (!WORDY.test(word)) continue;
    terms.push({ text: word, kind: prefix ? 'prefix' : 'word', exclude });
  }
  return terms;
}

const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** The terms as an SQLite FTS5 query: every included term, none of the excluded ones. */
export function ftsQuery(terms: readonly SearchTerm[]): string {
  const include = terms.filter((t) => !t.exclude);
  if (include.length === 0) {
    throw new ArchiveError(
      'INVALID_INPUT',
      terms.length ? 'a search needs at least one word that is not excluded' : 'nothing to search for: give a word or a "phrase"',
    );
  }
  const fts = (t: SearchTerm) => (t.kind === 'prefix' ? `${quoted(t.text)}*` : quoted(t.text));
  let q = include.map(fts).join(' AND ');
  const exclude = terms.filter((t) => t.exclude);
  if (exclude.length) q = `(${q}) NOT (${exclude.map(fts).join(' OR ')})`;
  return q;
}
