import { homedir } from 'node:os';
import { shortFolder } from '../basics.js';
import type { IndexedSession } from '../index.js';
import { ago, type colors } from './output.js';

type Colors = ReturnType<typeof colors>;
type Row = IndexedSession & { project?: { name?: string; worktree: string } | null };

/** The visible width of text with colour codes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what is measured away
const width = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '').length;
const pad = (text: string, n: number) => text + ' '.repeat(Math.max(0, n - width(text)));

/**
 * The sessions for `list`: a header, then a row each in aligned columns — ID,
 * updated, agent, messages, folder (shortened at a `/`, never inside a name),
 * title with its badges. `counts` gives each session's message count.
 */
export function renderList(items: readonly Row[], counts: ReadonlyMap<string, number>, c: Colors, utc = false): string {
  const home = homedir();
  const now = Date.now();
  const rows = items.map((s) => {
    const updated = ago(s.time.updated, now, utc);
    if (!s.valid) return [s.id, updated, '?', '?', '', `${c.red('broken')}  ${s.error ?? 'info.json cannot be read'}`];
    const badges = [
      s.parentID ? c.cyan('child') : '',
      s.forkedFrom ? c.cyan('fork') : '',
      s.time.archived !== undefined ? c.dim('archived') : '',
      s.share ? c.green('shared') : '',
      s.status.type !== 'idle' ? (s.status.type === 'error' ? c.red(s.status.type) : c.yellow(s.status.type)) : '',
    ].filter(Boolean);
    const count = counts.get(s.id);
    return [
      s.id,
      updated,
      s.source ?? '',
      count === undefined ? '?' : String(count),
      shortFolder(s.directory, home),
      `${s.title}${badges.length ? `  ${badges.join(' ')}` : ''}`,
    ];
  });
  const head = ['ID', 'UPDATED', 'AGENT', 'MSGS', 'FOLDER', 'TITLE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i] as string))));
  const line = (r: string[]) =>
    r
      .map((v, i) =>
        i === r.length - 1 ? v : i === 3 ? ' '.repeat(Math.max(0, (widths[i] as number) - width(v))) + v : pad(v, widths[i] as number),
      )
      .join('  ')
      .trimEnd();
  return [c.dim(line(head)), ...rows.map(line)].join('\n');
}
