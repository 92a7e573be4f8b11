import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getHeapStatistics } from 'node:v8';
import type { SessionIndex } from '../catalog/session-index.js';
import { ArchiveError } from '../errors.js';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../model/export.js';
import { assertId } from '../model/ids.js';
import type { MessageWithParts } from '../model/message.js';
import type { Session } from '../model/session.js';
import type { OnProgress } from '../progress.js';
import type { Archive } from '../store/archive.js';
import { type BrokenMessage, isBroken } from '../store/message-reads.js';

export interface ExportOptions {
  /** Also export the child sessions (by `parentID`), recursively. */
  children?: boolean;
  /**
   * `archive` (default): `{format, version, exportedAt, sessions: [{info, messages, todos}]}`.
   * `opencode`: what `opencode export` prints, `{info, messages}` (an array of them for several sessions).
   */
  format?: 'archive' | 'opencode';
  /** Messages written of all messages to export. */
  onProgress?: OnProgress;
  /** An open index to find child sessions in (else every `info.json` is read to find them). */
  index?: SessionIndex;
  /** Told the IDs of the sessions the document holds (children included) before the first byte. */
  onSessions?: (ids: string[]) => void;
}

/** JSON of `value` as it appears nested `depth` levels deep in a 2-space-indented document. */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/** The sessions to export, in order, each followed by its children (oldest first) when asked. Fails before anything is written. */
async function resolveSessions(archive: Archive, ids: readonly string[], children: boolean, index?: SessionIndex): Promise<Session[]> {
  if (ids.length === 0) throw new ArchiveError('INVALID_INPUT', 'nothing to export: no session IDs given');
  for (const id of ids) assertId('session', id);
  const roots = await Promise.all(ids.map((id) => archive.sessions.get(id)));
  if (!children) return roots;
  let childrenOf: (id: string) => Promise<Session[]>;
  if (index) {
    // A child the index lists but that is gone or broken by now is left out.
    childrenOf = async (id) => {
      const found = await Promise.all(index.childIds(id).map((c) => archive.sessions.get(c).catch(() => undefined)));
      return found.filter((s): s is Session => s !== undefined);
    };
  } else {
    const all = await archive.sessions.list();
    childrenOf = async (id) => all.filter((c) => c.parentID === id).sort((a, b) => a.time.created - b.time.created);
  }
  const out: Session[] = [];
  const seen = new Set<string>();
  const visit = async (s: Session) => {
    if (seen.has(s.id)) return;
    seen.add(s.id);
    out.push(s);
    for (const child of await childrenOf(s.id)) await visit(child);
  };
  for (const root of roots) await visit(root);
  return out;
}

/**
 * Bytes of message files an export keeps from its first pass (the order) so
 * that it does not read them again: 64 MiB, or less in a small heap (a
 * parsed message takes a few times its file's size).
 */
const readOnceBytes = () => Math.min(64 << 20, Math.floor(getHeapStatistics().heap_size_limit / 32));

/** One session's `"messages": [...]` items, in order. */
async function* messageItems(
  messages: AsyncGenerator<MessageWithParts | BrokenMessage>,
  depth: number,
  tick: () => void,
): AsyncGenerator<string> {
  let i = 0;
  for await (const message of messages) {
    if (isBroken(message)) throw new ArchiveError('CORRUPT', message.error.message, { path: message.error.path });
    yield `${i++ ? ',' : ''}\n${'  '.repeat(depth)}${nested(message, depth)}`;
    tick();
  }
  yield i ? `\n${'  '.repeat(depth - 1)}]` : ']';
}

/**
 * Exports sessions as one JSON document, produced piece by piece: a bounded
 * number of messages is in memory at a time (see readOnceBytes), so a
 * session larger than memory exports.
 * The text equals `JSON.stringify(document, null, 2)` plus a newline.
 * Unknown sessions fail (`NOT_FOUND`) before the first piece.
 */
export async function* exportSessions(archive: Archive, ids: readonly string[], options: ExportOptions = {}): AsyncGenerator<string> {
  const sessions = await resolveSessions(archive, ids, options.children ?? false, options.index);
  options.onSessions?.(sessions.map((s) => s.id));
  // Message order first, so the total is known and a broken file is found
  // before the first byte. What that pass reads is kept (see readOnceBytes)
  // and not read again.
  const budget = { bytes: readOnceBytes() };
  let total = 0;
  const order = new Map<string, () => AsyncGenerator<MessageWithParts | BrokenMessage>>();
  for (const s of sessions) {
    const all = await archive.messages.readAll(s.id, budget);
    order.set(s.id, all.messages);
    total += all.keys.length;
  }
  let done = 0;
  options.onProgress?.(0, total);
  const tick = () => options.onProgress?.(++done, total);
  const items = (s: Session, depth: number) =>
    messageItems((order.get(s.id) as () => AsyncGenerator<MessageWithParts | BrokenMessage>)(), depth, tick);
  if (options.format === 'opencode') {
    const many = sessions.length > 1;
    const d = many ? 2 : 1;
    if (many) yield '[';
    for (const [i, s] of sessions.entries()) {
      // OpenCode's Session has no forkedFrom; its import expects its own shape.
      const { forkedFrom: _f, ...info } = s;
      const pad = '  '.repeat(d - 1);
      yield `${i ? ',' : ''}${many ? `\n${pad}` : ''}{\n${pad}  "info": ${nested(info, d)},\n${pad}  "messages": [`;
      yield* items(s, d + 1);
      yield `\n${pad}}`;
    }
    yield many ? '\n]\n' : '\n';
    return;
  }
  yield `{\n  "format": ${JSON.stringify(EXPORT_FORMAT)},\n  "version": ${EXPORT_VERSION},\n  "exportedAt": ${archive.now()},\n  "sessions": [`;
  for (const [i, s] of sessions.entries()) {
    yield `${i ? ',' : ''}\n    {\n      "info": ${nested(s, 3)},\n      "messages": [`;
    yield* items(s, 4);
    yield `,\n      "todos": ${nested(await archive.todos.get(s.id), 3)}\n    }`;
  }
  yield sessions.length ? '\n  ]\n}\n' : ']\n}\n';
}

/** Writes {@link exportSessions} to a file (streamed). */
export async function exportToFile(archive: Archive, ids: readonly string[], path: string, options: ExportOptions = {}): Promise<string[]> {
  let written: string[] = [];
  const source = exportSessions(archive, ids, {
    ...options,
    onSessions: (list) => {
      written = list;
      options.onSessions?.(list);
    },
  });
  // Resolve the first piece before creating the file, so a bad ID leaves no empty file.
  const first = await source.next();
  const rest = async function* () {
    if (!first.done) yield first.value;
    yield* source;
  };
  await pipeline(Readable.from(rest()), createWriteStream(path));
  return written;
}
