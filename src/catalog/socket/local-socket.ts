import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ArchiveError, errnoCode } from '../../errors.js';
import type { Archive } from '../../store/archive.js';
import { detectProject } from '../../store/project-id.js';
import type { HistoryQuery } from '../index/index.js';
import type { GroupedSearchResult, SearchQuery, SearchResult, UsageQuery, UsageResult } from '../search/index.js';
import { answerUsage, findProject } from '../search/index.js';
import { archiveKey, type LocalAnswer, type LocalQuestion, localSocketPath, MAX_SOCKET_PATH, readWholeSession } from './local-client.js';

/** What the socket needs of the index (the session index, seen from here). */
export interface AnsweringIndex {
  settle(): Promise<boolean>;
  readonly searchCurrent: boolean;
  history(query: HistoryQuery): unknown;
  findSession(arg: string): Promise<string>;
  search(query: SearchQuery): SearchResult & { complete: boolean };
  searchGroups(query: SearchQuery): GroupedSearchResult & { complete: boolean };
  usage(query: UsageQuery): UsageResult;
}

/** The longest question read (a search query, a list's filters); anything longer is refused. */
const MAX_QUESTION = 1 << 20;

/** True when something answers at `path` (another watcher of this archive). */
function answering(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * The watcher's side of {@link askWatcher}: a Unix socket in the state dir
 * (mode 0600, so only its owner connects; no web page can reach a Unix
 * socket) through which short-lived commands ask a process that keeps the
 * index open and watched. Before each answer the index settles (everything
 * the watcher was told before the question is taken in), so an answer
 * includes every write that finished before it was asked for. While the
 * index cannot vouch for that (watches not yet set up everywhere, the inotify
 * budget ran out), the answer is "unavailable" and the asker does the work
 * itself. One socket per state dir: a second watcher of the same archive
 * leaves the first one's socket alone.
 */
export class LocalAnswers {
  private constructor(
    private readonly server: Server,
    private readonly path: string,
    private readonly ino: number,
  ) {}

  /** Starts answering for this index; undefined when another process already does, or the path is too long for a socket. */
  static async start(index: AnsweringIndex, archive: Archive, onWarning: (message: string) => void): Promise<LocalAnswers | undefined> {
    const path = localSocketPath(archive.stateDir);
    // Windows has named pipes, not socket files in a folder: commands read the archive there.
    if (process.platform === 'win32') return undefined;
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      onWarning(`the state dir's path is too long for a local socket (${path}); CLI commands will read the archive themselves`);
      return undefined;
    }
    if (lstatSync(path, { throwIfNoEntry: false })) {
      if (await answering(path)) return undefined;
      // Left by a watcher that was killed: nobody listens on it.
      unlinkSync(path);
    }
    const key = archiveKey(archive.dir);
    const server = createServer({ allowHalfOpen: true }, (socket) => answer(socket, key, index, archive));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Made owner-only from the start (the mode is set when the socket file is made, inside listen).
      const umask = process.umask(0o077);
      try {
        server.listen(path, () => resolve());
      } finally {
        process.umask(umask);
      }
    }).catch((error: unknown) => {
      onWarning(`cannot answer CLI commands over ${path}: ${(error as Error).message}`);
      return undefined;
    });
    if (!server.listening) return undefined;
    chmodSync(path, 0o600);
    server.unref();
    return new LocalAnswers(server, path, lstatSync(path).ino);
  }

  /** Stops answering and removes the socket (if it is still this one's). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    try {
      if (lstatSync(this.path, { throwIfNoEntry: false })?.ino === this.ino) unlinkSync(this.path);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
  }
}

function answer(socket: Socket, key: string, index: AnsweringIndex, archive: Archive): void {
  const chunks: Buffer[] = [];
  let size = 0;
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_QUESTION) socket.destroy();
    else chunks.push(chunk);
  });
  socket.on('end', () => {
    void respond(Buffer.concat(chunks).toString('utf8'), key, index, archive).then((reply) => {
      if (!socket.destroyed) socket.end(JSON.stringify(reply));
    });
  });
}

async function respond(text: string, key: string, index: AnsweringIndex, archive: Archive): Promise<LocalAnswer> {
  let question: LocalQuestion & { archive?: unknown };
  try {
    question = JSON.parse(text);
  } catch {
    return { error: { code: 'INVALID_INPUT', message: 'the question is not JSON' } };
  }
  // One state dir can serve several archives (SARC_STATE_DIR): answer only for this one.
  if (question.archive !== key) return { unavailable: 'a watcher of another archive' };
  try {
    if (!(await index.settle())) return { unavailable: 'the index is not watching every folder' };
    switch (question.op) {
      case 'list': {
        const project =
          question.projectOf !== undefined
            ? (await detectProject(question.projectOf)).id
            : question.query.project === undefined
              ? undefined
              : await findProject(archive, question.query.project);
        return { value: { page: index.history({ ...question.query, project }), project } };
      }
      case 'resolve':
        return { value: await index.findSession(question.session) };
      case 'show':
        return { value: await readWholeSession(archive, await index.findSession(question.session)) };
      case 'search': {
        if (!index.searchCurrent) return { unavailable: 'the search index is not there or still catching up' };
        const { complete: _, ...result } = index.search(question.query);
        return { value: result };
      }
      case 'searchGroups': {
        if (!index.searchCurrent) return { unavailable: 'the search index is not there or still catching up' };
        const { complete: _, ...result } = index.searchGroups(question.query);
        return { value: result };
      }
      case 'usage':
        if (!index.searchCurrent) return { unavailable: 'the search index is not there or still catching up' };
        return { value: await answerUsage(archive, question.query, (q) => index.usage(q)) };
      case 'status':
        return { value: await archive.status.map() };
      default:
        return { error: { code: 'INVALID_INPUT', message: `unknown question ${JSON.stringify((question as { op?: unknown }).op)}` } };
    }
  } catch (error) {
    if (error instanceof ArchiveError) return { error: { code: error.code, message: error.message, path: error.path } };
    return { error: { code: 'IO', message: (error as Error).message } };
  }
}
