import type { Command } from 'commander';
import { type Archive, type IndexedSession, locateArchive, openArchive, openIndex, type SessionIndex } from '../index.js';
import type { GlobalOptions } from './output.js';

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
