import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isArchiveError, type MessageWithParts, type Session, type Todo } from '../../kit/index.js';
import { type Archive, captureSession, openArchiveFor, statusInput } from '../../kit/live.js';

// Live capture from OpenCode: a plugin (OpenCode loads it from
// .opencode/plugins/ or ~/.config/opencode/plugins/; `sarc opencode install`
// puts it there) whose `event` hook hears every bus event. An event only says
// which session changed; the session is then read back through OpenCode's
// own API (the same shapes `sarc sync opencode` mirrors) and written where it
// differs. Changes of one session are coalesced: at most one write every
// `delayMs`, and the last change is always written. Nothing here may break or
// slow OpenCode: the hook only notes the session, and every error goes to a
// log in the state dir.

export interface OpencodePluginOptions {
  /** The archive (default: $SARC_ARCHIVE, a .sessions/ above the project, else the XDG default; made if missing). */
  archive?: string;
  /** The state dir (default: as for any archive, $SARC_STATE_DIR or the XDG state dir). */
  stateDir?: string;
  /** What a session deleted in OpenCode becomes here. @default 'archive' */
  onDelete?: 'archive' | 'delete';
  /** Changes of one session within this many milliseconds are written once. @default 200 */
  delayMs?: number;
}

/** What OpenCode hands a plugin (the parts this one uses). */
interface PluginInput {
  directory: string;
  serverUrl: URL | string;
}

type BusEvent = { type: string; properties?: Record<string, unknown> };

/** The session an event is about, if any. */
function sessionOf(event: BusEvent): string | undefined {
  const p = event.properties ?? {};
  const info = p.info as { id?: unknown; sessionID?: unknown } | undefined;
  const part = p.part as { sessionID?: unknown } | undefined;
  const id = event.type.startsWith('session.') ? (info?.id ?? p.sessionID) : (p.sessionID ?? info?.sessionID ?? part?.sessionID);
  return typeof id === 'string' ? id : undefined;
}

/** Mirrors one OpenCode server's sessions into an archive as they change. */
export class OpencodeLive {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private chain: Promise<void> = Promise.resolve();
  private archive?: Promise<Archive>;
  /** Sessions read back and written so far (a burst of changes to one session is one). */
  flushes = 0;

  constructor(
    private readonly input: PluginInput,
    private readonly options: OpencodePluginOptions = {},
  ) {}

  /** Where errors go: the state dir of the archive (or the system temp dir before it is open). */
  private async log(error: unknown, what: string): Promise<void> {
    try {
      const archive = await this.archive?.catch(() => undefined);
      const folder = archive?.stateDir ?? join(process.env.TMPDIR || '/tmp', 'session-archive');
      await mkdir(folder, { recursive: true });
      await appendFile(
        join(folder, 'opencode-plugin.log'),
        `${new Date().toISOString()} ${what}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    } catch {
      // Nowhere to write: OpenCode must carry on regardless.
    }
  }

  private open(): Promise<Archive> {
    this.archive ??= openArchiveFor({ archive: this.options.archive, stateDir: this.options.stateDir, cwd: this.input.directory });
    return this.archive;
  }

  /** The `event` hook: notes the session and returns at once. */
  notice(event: BusEvent): void {
    const id = sessionOf(event);
    if (!id || !/^ses_[0-9A-Za-z]+$/.test(id)) return;
    if (event.type === 'session.deleted') {
      this.enqueue(id, () => this.deleted(id));
      return;
    }
    if (event.type === 'session.status') {
      // Runtime status goes to the state dir, as the archive's own writers report it.
      const parsed = statusInput.safeParse(event.properties?.status);
      if (parsed.success) this.enqueue(id, async () => void (await (await this.open()).status.set(id, parsed.data)));
      return;
    }
    if (this.timers.has(id)) return;
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        this.enqueue(id, () => this.flush(id));
      }, this.options.delayMs ?? 200),
    );
  }

  /** Runs writes one after another, each failure logged, never thrown at OpenCode. */
  private enqueue(id: string, work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error: unknown) => this.log(error, `session ${id}`));
  }

  /** Resolves when every noted change has been written (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.timers.size > 0) await new Promise((r) => setTimeout(r, this.options.delayMs ?? 200));
    await this.chain;
  }

  private async get<T>(path: string): Promise<T | undefined> {
    const url = new URL(path, this.input.serverUrl);
    url.searchParams.set('directory', this.input.directory);
    const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET ${url.pathname}: ${res.status}`);
    return (await res.json()) as T;
  }

  private async flush(id: string): Promise<void> {
    this.flushes++;
    const info = await this.get<Session>(`/session/${id}`);
    if (!info) return; // gone meanwhile: its deletion event follows
    const [messages, todos] = await Promise.all([
      this.get<MessageWithParts[]>(`/session/${id}/message`),
      this.get<Todo[]>(`/session/${id}/todo`),
    ]);
    const archive = await this.open();
    await captureSession(
      archive,
      'opencode',
      `${String(this.input.serverUrl)} (session ${id})`,
      {
        id,
        sourceID: id,
        title: info.title,
        directory: info.directory,
        version: info.version,
        created: info.time.created,
        updated: info.time.updated,
        metadata: {},
        todos: todos ?? [],
        mirror: info,
        final: true,
      },
      messages ?? [],
    );
  }

  private async deleted(id: string): Promise<void> {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
    const archive = await this.open();
    try {
      if (this.options.onDelete === 'delete') await archive.sessions.delete(id);
      else await archive.sessions.modify(id, (s) => ({ ...s, time: { ...s.time, archived: s.time.archived ?? archive.now() } }));
    } catch (error) {
      if (!isArchiveError(error, 'NOT_FOUND')) throw error;
    }
  }
}

/**
 * The OpenCode plugin: `export const SessionArchive = opencodePlugin()` in a
 * file of .opencode/plugins/ (what `sarc opencode install` writes).
 */
export function opencodePlugin(options: OpencodePluginOptions = {}) {
  return async (input: PluginInput) => {
    const live = new OpencodeLive(input, options);
    return {
      event: async ({ event }: { event: BusEvent }) => {
        try {
          live.notice(event);
        } catch {
          // Never break OpenCode.
        }
      },
    };
  };
}

/** @deprecated The former name of {@link OpencodeLive}: a "mirror" is a sync that keeps a source's sessions exactly. */
export const OpencodeMirror = OpencodeLive;
