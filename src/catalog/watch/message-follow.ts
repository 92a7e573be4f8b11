import { isArchiveError } from '../../errors.js';
import type { MessageWithParts } from '../../model/message.js';
import type { Archive } from '../../store/archive.js';
import { type ArchiveEvent, event } from '../index/index.js';

/** The part of the watcher that watches a session's messages folder. */
export interface MessageWatch {
  subscribe(sessionID: string): Promise<void>;
  unsubscribe(sessionID: string): void;
}

/**
 * Message and part events for the sessions someone subscribed to: keeps the
 * messages of each such session and, when a message file changes, tells what
 * changed (message.updated/removed, message.part.updated/removed) by diffing
 * against what it kept. Other sessions cost nothing: their messages folders
 * are not watched.
 */
export class MessageFollower {
  private readonly cache = new Map<string, Map<string, MessageWithParts>>();
  private readonly subscribers = new Map<string, number>();

  constructor(
    private readonly archive: Archive,
    private readonly emit: (e: ArchiveEvent) => void,
    private readonly watch: () => MessageWatch | undefined,
  ) {}

  /** True while at least one subscriber follows this session. */
  follows(sessionID: string): boolean {
    return this.subscribers.has(sessionID);
  }

  /** See {@link SessionIndex.subscribe}. */
  async subscribe(sessionID: string): Promise<() => void> {
    const count = this.subscribers.get(sessionID) ?? 0;
    this.subscribers.set(sessionID, count + 1);
    if (count === 0) {
      // Watch first, then read: a change after the read is always seen.
      this.cache.set(sessionID, new Map());
      await this.watch()?.subscribe(sessionID);
      const messages = await this.archive.messages.list(sessionID).catch(() => []);
      this.cache.set(sessionID, new Map(messages.map((m) => [m.info.id, m])));
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.subscribers.get(sessionID) ?? 1) - 1;
      if (left > 0) {
        this.subscribers.set(sessionID, left);
        return;
      }
      this.subscribers.delete(sessionID);
      this.cache.delete(sessionID);
      this.watch()?.unsubscribe(sessionID);
    };
  }

  /** Re-reads one message file of a followed session and emits what changed. */
  async refresh(sessionID: string, messageID: string): Promise<void> {
    const cache = this.cache.get(sessionID);
    if (!cache) return;
    let current: MessageWithParts | undefined;
    try {
      current = await this.archive.messages.get(sessionID, messageID);
    } catch (error) {
      if (isArchiveError(error, 'CORRUPT')) return;
      if (!isArchiveError(error, 'NOT_FOUND')) throw error;
    }
    const before = cache.get(messageID);
    if (!current) {
      if (before) {
        cache.delete(messageID);
        this.emit(event('message.removed', { sessionID, messageID }));
      }
      return;
    }
    cache.set(messageID, current);
    if (!before || JSON.stringify(before.info) !== JSON.stringify(current.info)) {
      this.emit(event('message.updated', { sessionID, info: current.info }));
    }
    const old = new Map((before?.parts ?? []).map((p) => [p.id, JSON.stringify(p)]));
    for (const part of current.parts) {
      if (old.get(part.id) !== JSON.stringify(part))
        this.emit(event('message.part.updated', { sessionID, part, time: this.archive.now() }));
      old.delete(part.id);
    }
    for (const partID of old.keys()) this.emit(event('message.part.removed', { sessionID, messageID, partID }));
  }
}
