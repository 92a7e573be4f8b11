import type { Command } from 'commander';
import { askWatcher, isId, type LocalQuestion, locateArchive } from '../basics.js';
import type { Archive, IndexedSession, SessionIndex } from '../index.js';
import { lib, reading } from './lib.js';
import type { GlobalOptions } from './output.js';
import { writeErr } from './terminal-text.js';

/** What a command needs: the global options and, opened on demand, the archive and its index. */
export class CliContext {
  private archivePromise: Promise<Archive> | undefined;
  private indexPromise: Promise<SessionIndex> | undefined;

  /** The exit code the command ends with when it is not 0 without an error (see {@link partly} and {@link exitWith}); `run` applies it. */
  outcome: number | undefined;

  constructor(readonly options: GlobalOptions) {}

  /**
   * The command finished, but part of it failed (a session that did not
   * move, an agent that could not be read): each failure is in its output
   * (text or --json); it exits 1. Every command says so this one way.
   */
  partly(): void {
    this.outcome = Math.max(this.outcome ?? 0, 1);
  }

  /** The command finished with an exit code of its own: a check's finding (`sarc scan`), a child's code (`sarc resume`). */
  exitWith(code: number): void {
    this.outcome = code;
  }

  /** The archive folder: --archive, else SARC_ARCHIVE, else discovery (see README). */
  get dir(): string {
    return locateArchive({ explicit: this.options.archive });
  }

  archive(): Promise<Archive> {
    this.archivePromise ??= reading().then(({ openArchive }) => openArchive({ dir: this.dir }));
    return this.archivePromise;
  }

  /** The index, without a watcher (snapshot + reconcile), for listing. */
  index(): Promise<SessionIndex> {
    this.indexPromise ??= Promise.all([this.archive(), reading()]).then(([archive, { openIndex }]) => openIndex(archive, { watch: false }));
    return this.indexPromise;
  }

  /**
   * Asks the watcher that runs for this archive (`sarc serve`, `sarc watch`),
   * if one does and can vouch for its index; undefined otherwise, and the
   * command does the work itself. With --debug, says when a watcher answered.
   */
  async ask<T>(question: LocalQuestion): Promise<T | undefined> {
    const answer = await askWatcher(this.dir, question);
    if (answer && this.options.debug) writeErr(`sarc: answered by the running watcher (${question.op})\n`);
    return answer?.value as T | undefined;
  }

  /**
   * A session named on the command line: a full ID, a unique prefix of one
   * (`fe5e0a` or `ses_fe5e0a`), or `latest` (the newest session). An
   * ambiguous prefix is an error listing the candidates; anything that
   * cannot be an ID or a prefix is `INVALID_ID`, as everywhere.
   */
  async sessionId(arg: string): Promise<string> {
    const full: unknown = arg;
    if (isId('session', full)) return full;
    const asked = await this.ask<string>({ op: 'resolve', session: arg });
    if (asked) return asked;
    if (arg === 'latest') return (await this.index()).findSession(arg);
    // A prefix needs only the folder names, not the index.
    const [archive, { findSessionByPrefix, idsForSourceId }] = await Promise.all([this.archive(), lib()]);
    // An agent's own session ID (a Claude Code or Codex UUID; OpenCode's are the archive's) names the session it came in as.
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?::[\w-]+)?$/i.test(arg)) {
      for (const id of await idsForSourceId(arg)) {
        if (
          await archive.sessions.get(id).then(
            () => true,
            () => false,
          )
        )
          return id;
      }
    }
    return findSessionByPrefix(arg, await archive.sessions.ids(), (id) =>
      archive.sessions.get(id).then(
        (s) => s.title,
        () => undefined,
      ),
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
