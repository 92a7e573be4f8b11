// Paths for people: short enough for a column or a line, never cut inside a name.

/** A path relative to the session's folder when it lies inside it. */
export function shortPath(path: string, directory?: string): string {
  if (directory && path.startsWith(`${directory}/`)) return path.slice(directory.length + 1);
  return path;
}

/**
 * A folder short enough for a column, never cut inside a name: the home folder
 * as `~`, then as many of its last names as fit in `max` characters after
 * `…/` (at least the last one, whatever its length).
 */
export function shortFolder(path: string, home?: string, max = 28): string {
  const h = home?.replace(/\/+$/, '');
  const p = h && (path === h || path.startsWith(`${h}/`)) ? `~${path.slice(h.length)}` : path;
  if (p.length <= max) return p;
  const names = p.split('/').filter(Boolean);
  let out = names.at(-1) ?? p;
  for (let i = names.length - 2; i >= 0; i--) {
    const next = `${names[i]}/${out}`;
    if (next.length + 2 > max) break;
    out = next;
  }
  return `…/${out}`;
}
