import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isId, randomText } from '../../model/ids.js';
import type { Archive } from '../../store/archive.js';

// What sync remembers, in the state dir (derived, per machine; deleting it
// loses nothing but makes the next run read everything again):
//   capture/<agent>/<hash of the folder read>.json  every source seen there: its
//       stamp, and for each session it gave, the session's file stamp after
//       the write (so a run can tell cheaply that the archive still holds it)
//   capture/<agent>/sessions/<sessionID>.json  the session's base: a hash of
//       each field and message as sync last wrote it (the common ancestor of
//       the three-way apply), and whether its source is gone.
// These files are written by rename, without fsync: losing one to a power
// cut only makes the next run compare with the archive again.

/** A hash of a value's text, short: enough to tell versions of one field apart. */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}

/** {@link hashText} of a text given in pieces (the same hash as of the pieces joined). */
export function hashPieces(pieces: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const piece of pieces) hash.update(piece);
  return hash.digest('hex').slice(0, 20);
}

export interface SourceRecord {
  stamp: string;
  where: string;
  /** Each session the source gave, with the session's file stamp after the last write. */
  sessions: Record<string, string>;
  /** When the source was first found missing (it is kept, and so is its session). */
  gone?: number;
}

export interface SourcesIndex {
  version: 2;
  from: string;
  sources: Record<string, SourceRecord>;
  /** When the last run ended. */
  lastRun?: number;
}

export interface SessionBase {
  /** The source it came from (its key) and where that is. */
  source: string;
  where: string;
  /** Field → hashes of its value as sync wrote it, oldest first. */
  info: Record<string, string[]>;
  /** Message ID → hashes of its file as sync wrote it, oldest first (the last is the newest). */
  messages: Record<string, string[]>;
  todos?: string;
  /** When the source was first found missing. */
  gone?: number;
}

/** Hashes kept per message: an archive file equal to an older one is behind (a reset), not edited. */
const KEEP_HASHES = 4;

export function rememberHash(list: string[] | undefined, hash: string): string[] {
  const out = (list ?? []).filter((h) => h !== hash);
  out.push(hash);
  return out.slice(-KEEP_HASHES);
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined; // absent or torn: the next run compares with the archive instead
  }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${randomText(6, 'hex')}.tmp`;
  await writeFile(temp, JSON.stringify(value));
  await rename(temp, path);
}

/** An agent's sync state in the state dir. */
export class CaptureState {
  private readonly folder: string;
  private made = false;

  constructor(
    archive: Archive,
    readonly agent: string,
  ) {
    this.folder = join(archive.stateDir, 'capture', agent);
  }

  private indexPath(from: string): string {
    return join(this.folder, `${hashText(from).slice(0, 16)}.json`);
  }

  private basePath(sessionID: string): string {
    if (!isId('session', sessionID)) throw new Error(`not a session ID: ${sessionID}`);
    return join(this.folder, 'sessions', `${sessionID}.json`);
  }

  private async ensure(): Promise<void> {
    if (this.made) return;
    await mkdir(join(this.folder, 'sessions'), { recursive: true });
    this.made = true;
  }

  /** The sources seen at `from` (an empty index before the first run). */
  async index(from: string): Promise<SourcesIndex> {
    const found = await readJson<SourcesIndex>(this.indexPath(from));
    return found?.version === 2 && found.from === from ? found : { version: 2, from, sources: {} };
  }

  async saveIndex(index: SourcesIndex): Promise<void> {
    await this.ensure();
    await writeJson(this.indexPath(index.from), index);
  }

  /** A session's base, or `undefined` when sync never wrote it (or the state dir was cleared). */
  base(sessionID: string): Promise<SessionBase | undefined> {
    return readJson<SessionBase>(this.basePath(sessionID));
  }

  async saveBase(sessionID: string, base: SessionBase): Promise<void> {
    await this.ensure();
    await writeJson(this.basePath(sessionID), base);
  }

  /** Sessions written out for the agent to resume, by the archive ID its file will sync as (see {@link ResumedRecord}). */
  async resumed(): Promise<Record<string, ResumedRecord>> {
    return (await readJson<Record<string, ResumedRecord>>(join(this.folder, 'resumed.json'))) ?? {};
  }

  /** Records a session written out for the agent to resume. */
  async addResumed(syncsAs: string, record: ResumedRecord): Promise<void> {
    await this.ensure();
    const all = await this.resumed();
    all[syncsAs] = record;
    await writeJson(join(this.folder, 'resumed.json'), all);
  }
}

/**
 * A session the archive wrote into an agent's store to be resumed there: the
 * agent's file syncs under its own ID (`syncsAs`); only what the agent added
 * after `after` comes in (the copies of the archive's messages are not written
 * again), into `session` itself when `same`, else as a session of its own that
 * links to `session` as its source.
 */
export interface ResumedRecord {
  /** The archive session written out. */
  session: string;
  /** Its last message then (the continuation forks from there). */
  lastMessage?: string;
  /** The agent-side session ID it was written under. */
  agentID: string;
  /** The file written. */
  path: string;
  /** When it was written (epoch ms). */
  writtenAt: number;
  /** The latest time among the messages written: anything the agent adds comes after it. */
  after: number;
  /** Resumed in the agent the session came from: what the agent adds goes into that same session, not a continuation. */
  same?: boolean;
}
