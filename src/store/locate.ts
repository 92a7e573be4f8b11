import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

type Env = Record<string, string | undefined>;

/**
 * Where the archive is: `explicit` (e.g. `--archive`), else `$SARC_ARCHIVE`,
 * else the nearest ancestor of `cwd` holding `.sessions/archive.json`, else
 * `$XDG_DATA_HOME/session-archive` (default `~/.local/share/session-archive`).
 */
export function locateArchive(options: { explicit?: string; cwd?: string; env?: Env } = {}): string {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  if (options.explicit) return resolve(cwd, options.explicit);
  if (env.SARC_ARCHIVE) return resolve(cwd, env.SARC_ARCHIVE);
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.sessions', 'archive.json'))) return join(dir, '.sessions');
    if (dirname(dir) === dir) break;
  }
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'session-archive');
}

/**
 * The state dir for an archive: derived, per-machine data (index, locks,
 * status) that never goes into the archive folder. `$SARC_STATE_DIR`, else
 * `$XDG_STATE_HOME/session-archive/<hash of the archive's real path>`.
 */
export function stateDirFor(archiveDir: string, env: Env = process.env): string {
  if (env.SARC_STATE_DIR) return resolve(env.SARC_STATE_DIR);
  let real = resolve(archiveDir);
  try {
    real = realpathSync(real);
  } catch {
    // Not there yet: the resolved path still names it uniquely.
  }
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 16);
  const stateHome = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(stateHome, 'session-archive', hash);
}

/** `~` and `~/…` expanded to the home folder. */
export function expandHome(pattern: string): string {
  return pattern === '~' ? homedir() : pattern.startsWith('~/') ? `${homedir()}${pattern.slice(1)}` : pattern;
}
