import { type BrokenMessage, type MessageWithParts, scannerFor } from '../../index.js';
import { html, type Raw } from './html.js';

/** Roughly how many characters of text a value holds (without building its JSON). */
function textSize(value: unknown): number {
  let n = 0;
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') n += v.length;
    else if (v && typeof v === 'object') for (const x of Object.values(v)) stack.push(x);
  }
  return n;
}

/** The warning of a page that shows secrets (its info, todos and messages scanned in bounded batches), or nothing. */
export async function pageSecrets(
  archive: Parameters<typeof scannerFor>[0],
  head: unknown[],
  messages: AsyncIterable<MessageWithParts | BrokenMessage>,
): Promise<Raw> {
  const scanner = await scannerFor(archive, { create: false });
  const kinds = new Map<string, number>();
  const scan = async (batch: unknown[]) => {
    for (const f of (await scanner.redact(batch)).found) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  };
  await scan(head);
  let batch: unknown[] = [];
  let size = 0;
  // A page's scan reads at most 8 MB of text: a page of huge messages is still quick to open.
  let budget = 8 * 1024 * 1024;
  for await (const m of messages) {
    const n = textSize(m);
    if (n > 4 * 1024 * 1024 || n > budget) continue;
    budget -= n;
    batch.push(m);
    size += n;
    if (size >= 1024 * 1024) {
      await scan(batch);
      batch = [];
      size = 0;
    }
  }
  if (batch.length) await scan(batch);
  const count = [...kinds.values()].reduce((a, b) => a + b, 0);
  if (count === 0) return html``;
  return html`<p class="warning secrets" role="alert">This page shows ${count} possible secret${count === 1 ? '' : 's'} (${[...kinds.keys()].sort().join(', ')}). Sessions written through the API are kept as their client gave them; <code>sarc scan --fix</code> replaces secrets with markers.</p>`;
}
