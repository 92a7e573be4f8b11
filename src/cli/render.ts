import type { IndexedSession } from '../index.js';
import { ago, type colors } from './output.js';

type Colors = ReturnType<typeof colors>;

/** One line per session for `list`. */
export function renderRow(s: IndexedSession & { project?: { name?: string; worktree: string } | null }, c: Colors, utc = false): string {
  if (!s.valid)
    return `${s.id}  ${c.dim(ago(s.time.updated, Date.now(), utc).padEnd(10))}  ${c.red('broken')}  ${s.error ?? 'info.json cannot be read'}`;
  const badges = [
    s.parentID ? c.cyan('child') : '',
    s.forkedFrom ? c.cyan('fork') : '',
    s.time.archived !== undefined ? c.dim('archived') : '',
    s.share ? c.green('shared') : '',
    s.status.type !== 'idle' ? (s.status.type === 'error' ? c.red(s.status.type) : c.yellow(s.status.type)) : '',
  ].filter(Boolean);
  return `${s.id}  ${c.dim(ago(s.time.updated, Date.now(), utc).padEnd(10))}  ${s.title}${badges.length ? `  ${badges.join(' ')}` : ''}`;
}
