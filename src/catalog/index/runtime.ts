import type { Archive } from '../../store/archive.js';
import type { Signal, SignalStore } from '../../store/signals.js';
import { effective, type SessionStatus, type StatusInput, type StatusStore } from '../../store/status.js';
import { type ArchiveEvent, event } from './events.js';

/**
 * The runtime side of the index: each session's status (idle, busy, retry,
 * error) and the abort/init signals, kept in the state dir so every process
 * sees them. With a watcher, changes are announced when the watcher sees the
 * files (in this process and the others alike); without one, at once.
 */
export class Runtime {
  private statuses = new Map<string, SessionStatus>();
  readonly status: StatusStore;
  readonly signals: SignalStore;

  constructor(
    private readonly archive: Archive,
    private readonly emit: (e: ArchiveEvent) => void,
    private readonly watching: () => boolean,
  ) {
    this.status = archive.status;
    this.signals = archive.signals;
  }

  /** Reads every stored status (at open). */
  async load(): Promise<void> {
    this.statuses = new Map(Object.entries(await this.status.map()));
  }

  /** Sets a session's runtime status (the session must exist) and tells listeners. */
  async set(sessionID: string, status: StatusInput): Promise<SessionStatus> {
    await this.archive.sessions.get(sessionID);
    const stored = await this.status.set(sessionID, status);
    // Without a watcher, nobody else would notice; with one, its event follows.
    if (!this.watching()) this.noted(sessionID, stored);
    else this.remember(sessionID, stored);
    return stored;
  }

  /** A status the watcher found (or this process set without a watcher): remembered and announced. */
  noted(sessionID: string, status: SessionStatus): void {
    this.remember(sessionID, status);
    this.emit(event('session.status', { sessionID, status }));
  }

  private remember(sessionID: string, status: SessionStatus): void {
    if (status.type === 'idle') this.statuses.delete(sessionID);
    else this.statuses.set(sessionID, status);
  }

  /** A session's status from memory; a dead owner's busy is idle. */
  of(sessionID: string): SessionStatus {
    const status = this.statuses.get(sessionID);
    return status ? effective(status) : { type: 'idle' };
  }

  /** Announces an abort or init signal. */
  signaled(signal: Signal): void {
    if (signal.kind === 'abort') this.emit(event('session.aborted', { sessionID: signal.sessionID, time: signal.time }));
    else this.emit(event('session.init', { sessionID: signal.sessionID, time: signal.time, request: signal.request }));
  }

  /** See {@link SessionIndex.abort}. */
  async abort(sessionID: string): Promise<boolean> {
    await this.archive.sessions.get(sessionID);
    const signal = await this.signals.record('abort', sessionID, this.archive.now());
    await this.set(sessionID, { type: 'idle' });
    if (!this.watching()) this.signaled(signal);
    return true;
  }

  /** See {@link SessionIndex.init}. */
  async init(sessionID: string, request: Record<string, unknown>): Promise<boolean> {
    await this.archive.sessions.get(sessionID);
    const signal = await this.signals.record('init', sessionID, this.archive.now(), request);
    if (!this.watching()) this.signaled(signal);
    return true;
  }
}
