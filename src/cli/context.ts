import type { Command } from 'commander';
import {
  type Archive,
  ArchiveError,
  assertId,
  type IndexedSession,
  isId,
  locateArchive,
  openArchive,
  openIndex,
  type SessionIndex,
} from '../index.js';
import { type GlobalOptions, UsageError } from './output.js';

/** What a command needs: the global options and, opened on demand, the archive and its index. */
export class CliContext {
  private archivePromise: Promise<Archive> | undefined;
  private indexPromise: Promise<SessionIndex> | undefined;

  constructor(readonly options: GlobalOptions) {}

  /** The archive folder: --archive, else SARC_ARCHIVE, else discovery (see README). */
  get dir(): string {
    return locateArchive({ explicit: this.options.archive });
  }

  archive(): Promise<Archive> {
    this.archivePromise ??= openArchive({ dir: this.dir });
    return this.archivePromise;
  }

  /** The index, without a watcher (snapshot + reconcile), for listing. */
  index(): Promise<SessionIndex> {
    this.indexPromise ??= this.archive().then((archive) => openIndex(archive, { watch: false }));
    return this.indexPromise;
  }

  /**
   * A session named on the command line: a full ID, a unique prefix of one
   * (`fe5e0a` or `ses_fe5e0a`), or `latest` (the newest session). An
   * ambiguous prefix is a usage error listing the candidates; anything that
   * cannot be an ID or a prefix is `INVALID_ID`, as everywhere.
   */
  async sessionId(arg: string): Promise<string> {
    const full: unknown = arg;
    if (isId('session', full)) return full;
    if (arg === 'latest') {
      const newest = (await this.index()).history({ limit: 1 }).items[0];
      if (!newest) throw new ArchiveError('NOT_FOUND', 'no sessions yet: `latest` names none');
      return newest.id;
    }
    const prefix = arg.startsWith('ses_') ? arg : `ses_${arg}`;
    if (!/^ses_[0-9A-Za-z]{1,26}$/.test(prefix)) assertId('session', arg);
    const matches = (await this.index()).all().filter((s) => s.id.startsWith(prefix));
    if (matches.length === 1) return (matches[0] as { id: string }).id;
    if (matches.length === 0) throw new ArchiveError('NOT_FOUND', `session not found: ${arg} (no session ID starts with ${prefix})`);
    const shown = matches.slice(0, 10).map((s) => `${s.id}  ${s.title}`);
    throw new UsageError(
      `ambiguous session ID ${arg}: ${matches.length} sessions start with it:\n  ${shown.join('\n  ')}${matches.length > 10 ? '\n  …' : ''}`,
    );
  }

  /** {@link sessionId} for several. */
  async sessionIds(args: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const arg of args) out.push(await this.sessionId(arg));
    return out;
  }

  /** The session's child sessions, recursively (for delete's warning). */
  async descendants(id: string): Promise<IndexedSession[]> {
    const index = await this.index();
    const out: IndexedSession[] = [];
    const queue = [id];
    while (queue.length) {
      for (const child of index.children(queue.shift() as string)) {
        out.push(child);
        queue.push(child.id);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const index = await this.indexPromise?.catch(() => undefined);
    await index?.close();
  }
}

/** The global options of the program a command belongs to. */
export function globals(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}
