// bench/RESULTS.md is made of sections, one per benchmark, each between
// `<!-- name -->` and `<!-- /name -->`: a benchmark rewrites its own and
// leaves the others as they are.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS = join(import.meta.dirname, 'RESULTS.md');

/** Puts `body` (Markdown) between the `name` markers of RESULTS.md, replacing what was there or adding it at the end. */
export function writeSection(name: string, body: string): void {
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const marked = `<!-- ${name} -->\n${body.trimEnd()}\n<!-- /${name} -->`;
  const re = new RegExp(`<!-- ${name} -->[\\s\\S]*?<!-- /${name} -->`);
  writeFileSync(RESULTS, re.test(old) ? old.replace(re, () => marked) : `${old.trimEnd()}\n\n${marked}\n`);
}

/** Every marked section of RESULTS.md as it is now (kept when the index benchmark rewrites the rest). */
export function sections(): string[] {
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  return [...text.matchAll(/<!-- (\w+) -->[\s\S]*?<!-- \/\1 -->/g)].map((m) => m[0]);
}
