import { isId } from '../../model/ids.js';

/** Sessions noticed changed and not read yet: each the whole session, or some of its message files. */
export type Noted = Map<string, Set<string> | 'session'>;

/**
 * The watcher's notices to the search index, gathered and read in batches:
 * each batch `delayMs` after its first notice, one batch at a time.
 */
export class Notices {
  private pending: Noted = new Map();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly read: (batch: Noted) => Promise<void>) {}

  /** A session's `info.json`/`todos.json`/folder changed (no `messageID`), or one message file. */
  note(sessionID: string, messageID: string | undefined, delayMs: number): void {
    if (!isId('session', sessionID)) return;
    const entry = this.pending.get(sessionID);
    if (messageID === undefined) this.pending.set(sessionID, 'session');
    else if (entry === undefined) this.pending.set(sessionID, new Set([messageID]));
    else if (entry !== 'session') entry.add(messageID);
    // Read `delayMs` after the first notice of a batch, not after the last: under a steady stream of
    // writes a quiet time never comes. A file changed after it was read is noticed, and read, again.
    this.timer ??= setTimeout(() => void this.flush(), delayMs);
  }

  /** Reads what was noted now (after the batches before it); resolves when it is read. */
  flush(): Promise<void> {
    this.stop();
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(() => this.read(batch));
    return this.flushing;
  }

  /** No batch is read on a timer any more (one noted later starts it again). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
