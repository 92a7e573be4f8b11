import type { MessageWithParts } from '../../model/message.js';
import type { Session } from '../../model/session.js';
import type { Todo } from '../../model/todo.js';
import type { Archive } from '../../store/archive.js';

// The contract every agent adapter meets. An adapter knows one agent's store:
// where it is, how to list its sources (a transcript file, a database row)
// with a change stamp, and how to read one into sessions of the archive's
// model. Everything else — what changed since the last run, parents before
// children, writing only what the source changed, failures, watching — is
// the engine's, and it names no agent.

/** One source in an agent's store: the unit a change stamp is kept for. */
export interface SourceEntry {
  /** Stable within the store: a path relative to the store's root, or a session ID. */
  key: string;
  /** Opaque; different whenever the source changed (e.g. size, mtime and inode of a file). */
  stamp: string;
  /** Where it is, for people: a file path, or the database and a session ID. */
  where: string;
  /** 0 for a source whose sessions have no parent in this store; a source is read after those of lower depth. */
  depth: number;
}

/** What a read counted besides sessions. */
export interface ReadStats {
  /** Records read. */
  records: number;
  /** Records and blocks of types the adapter does not map, by type (each is kept under the session's metadata). */
  unknown: Record<string, number>;
  /** Records skipped (not JSON, too large, nested too deep, a duplicate), with where and why. */
  skipped: Array<{ line?: number; reason: string }>;
  /** A last record still being written (taken on the next run, when the source changed again). */
  pending: number;
}

/** The session-level part of a converted session (its messages come separately). */
export interface ConvertedInfo {
  /** The archive ID (derived from the source's own, or the source's own for a mirror). */
  id: string;
  /** The agent's own ID of the session (`sarc show <it>` finds the session). */
  sourceID: string;
  title: string;
  directory: string;
  parentID?: string;
  version: string;
  created: number;
  updated: number;
  /** `metadata.source` and `metadata.<agent>` (the envelope): fields the model has no place for. */
  metadata: Record<string, unknown>;
  todos?: Todo[];
  /** A link to the session this one continues (lines carried over from another session). */
  forkedFrom?: { sessionID: string; messageID?: string };
  /**
   * A mirror (OpenCode's own sessions): the info exactly as the source has
   * it, and messages the source no longer has are removed here too.
   */
  mirror?: Session;
  /** The project the session belongs to, as the source records it (written to `projects/` with the session). */
  project?: Record<string, unknown> & { id: string; worktree: string };
  /** False for a provisional info (more messages follow); the last one of a session is final. */
  final: boolean;
}

/**
 * What reading a source yields, in order: messages of a session (the same
 * message ID may come again, changed: the last one counts), then that
 * session's info. An info may come early as provisional (a long transcript is
 * written in parts, so memory stays bounded); the last info of each session is
 * final. A source may yield several sessions (sub-agents inline).
 */
export type CaptureItem = { kind: 'message'; session: string; message: MessageWithParts } | { kind: 'info'; info: ConvertedInfo };

/** An opened store: its sources, and a reader for each. */
export interface SourceStore {
  /** Every source there is now. */
  list(): Promise<SourceEntry[]>;
  /** Reads one source; `stats` is filled as it goes. */
  read(entry: SourceEntry, stats: ReadStats): AsyncIterable<CaptureItem>;
  /** Sessions the agent no longer shows but the store still holds (OpenCode 2 hides V1 sessions), for the report. */
  hidden?(): Promise<number>;
  /** Those sessions, oldest change first (for `sarc opencode restore`). */
  hiddenSessions?(): Promise<Array<{ id: string; title: string; updated: number }>>;
  close?(): void;
}

/** What a watcher should follow for an agent's store. */
export interface WatchTarget {
  /** A folder to watch. */
  path: string;
  /** How deep below it (0: its entries only). */
  depth?: number;
  /** Only changes to paths this accepts count. */
  accept?: (path: string) => boolean;
}

/** The optional half of an adapter: a session of the archive written in the agent's own format. */
export interface ExportBack {
  /** The format's name for `sarc export --format` (the registry's `exportFormat`). */
  format: string;
  /** The file's text, a record at a time. */
  lines(archive: Archive, sessionID: string, options?: { agentID?: string }): AsyncIterable<string>;
  /** Where the agent looks for such a file, for people. */
  hint(archive: Archive, sessionID: string): Promise<string>;
  /** Picking the session up in the agent (`sarc resume`), where the agent resumes a file it finds in its store. */
  resume?: ResumeBack;
}

/** How an agent resumes a session the archive writes into its store. */
export interface ResumeBack {
  /** A fresh agent-side session ID. */
  newId(): string;
  /** The file the agent looks in for a session of that ID, working in `directory`. */
  path(directory: string, agentID: string): string;
  /** The command (and its arguments) that resumes it, run in the session's working folder. */
  command(agentID: string): string[];
  /** Files the agent keeps beside its sessions that must be there for it to find one (written when missing, never changed). */
  beside?(directory: string, agentID: string): Array<{ path: string; text: string }>;
  /** The file's text when it is not the export format's (default: {@link ExportBack.lines} under `agentID`). */
  lines?(archive: Archive, sessionID: string, agentID: string): AsyncIterable<string>;
  /** A command that loads the written file into the agent's store, run before {@link command} (an agent that keeps a database). */
  prepare?(path: string): string[];
}

export interface AgentAdapter {
  /** The name `sarc sync` takes: `claude-code`. */
  readonly name: string;
  /** For people: `Claude Code`. */
  readonly label: string;
  /** What one source is, for counts: `transcript`, `session`. */
  readonly unit: string;
  /** Where the agent keeps its sessions on this machine (the first candidate that exists, else the first). */
  location(): string;
  /** Where to look when the archive can tell more than {@link location} (Aider: the repositories the archive knows). */
  locate?(archive: Archive): Promise<string>;
  /** Opens the store at `from`; `undefined` when there is none there. */
  open(from: string): Promise<SourceStore | undefined>;
  /** What to watch at `from` for `--watch` and `serve --sync`. */
  watchTargets(from: string): WatchTarget[];
  /** The archive IDs a session of the agent's own ID may have (`sarc show <agent's ID>`). */
  archiveIds(sourceID: string): string[];
  /** Writing a session back in the agent's format (`sarc export --format <name>`), where the agent has one. */
  exportBack?: ExportBack;
  /** Reading the agent's own export files (`sarc import`), where it has them. */
  importFormat?: ImportFormat;
}

/** The agent's own export files, for `sarc import`. */
export interface ImportFormat {
  /** Whether a parsed file is one of them. */
  accepts(payload: unknown): boolean;
  /** Its sessions in the archive's model (IDs as the agent had them). */
  sessions(payload: unknown): Array<{ info: Session; messages: MessageWithParts[]; todos?: Todo[] }>;
}
