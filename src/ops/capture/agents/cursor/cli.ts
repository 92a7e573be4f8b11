import { lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptureItem, ReadStats, SourceEntry } from '../../contract.js';
import { isRecord, type JsonRecord, type MessageWithParts, openSqlite, parseRecord, type SqlDb, str, walkFiles } from '../../kit/index.js';
import { cursorBuilder } from './convert.js';
import { resultText, userWords } from './transcripts.js';

// Cursor's command-line agent (`cursor-agent`) keeps each chat as a SQLite
// file of its own: ~/.cursor/chats/<md5 of the working folder>/<chat ID>/
// store.db, in WAL mode while the agent runs. Table `meta`: one row, key
// "0", whose value is JSON written as hex text ({agentId, latestRootBlobId,
// name, mode, createdAt, lastUsedModel}). Table `blobs`: content-addressed
// (`id` the SHA-256 of `data`, in hex). The root blob is protobuf-shaped:
// field 1, repeated, 32 bytes each, the blobs under it in order (a message,
// or a node of more), and field 9 the working folder. A message blob is
// JSON in the shape of the Vercel AI SDK: {role: "user", content: "<user_info>
// …</user_info> <user_query>…</user_query>"}, {role: "assistant", content:
// [{type: "reasoning" | "text" | "tool-call", …}]}, {role: "tool", content:
// [{type: "tool-result", toolCallId, result, isError}]}, {role: "system"}.
// No message has a time: the chat's `createdAt` starts them, each a
// millisecond after the one before, and the file's mtime ends the chat.

/** Blobs a chat's tree may hold at most (a hostile file could loop or fan out). */
const MAX_BLOBS = 200_000;
/** How deep a chat's tree may nest. */
const MAX_DEPTH = 64;

/** The chat stores below `root` (~/.cursor): `chats/<hash>/<chat>/store.db`, each stamped by the file and its log. */
export async function listCliChats(root: string): Promise<SourceEntry[]> {
  const chats = join(root, 'chats');
  const { files } = await walkFiles(chats, { depth: 2, want: (rel, name) => name === 'store.db' && rel.split('/').length === 3 });
  const out: SourceEntry[] = [];
  for (const f of files) {
    const wal = await stat(`${f.path}-wal`).catch(() => undefined);
    const id = f.rel.split('/')[1] as string;
    out.push({
      key: `cli/${id}`,
      stamp: `${f.size}:${Math.floor(f.mtimeMs)}:${wal ? `${wal.size}:${Math.floor(wal.mtimeMs)}` : '-'}`,
      where: f.path,
      depth: 0,
    });
  }
  return out;
}

/** A protobuf message's fields: each length-delimited field's number and bytes (varints and fixed ones passed over); undefined when it is not one. */
function fields(data: Uint8Array): Array<[number, Uint8Array]> | undefined {
  const out: Array<[number, Uint8Array]> = [];
  let at = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= data.length) return undefined;
      const byte = data[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return undefined;
  };
  while (at < data.length) {
    const key = varint();
    if (key === undefined) return undefined;
    const wire = key % 8;
    const field = Math.floor(key / 8);
    if (wire === 0) {
      if (varint() === undefined) return undefined;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      if (length === undefined || at + length > data.length) return undefined;
      out.push([field, data.subarray(at, at + length)]);
      at += length;
    } else return undefined;
    if (at > data.length) return undefined;
  }
  return out;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const utf8 = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: false }).decode(bytes);

/** A JSON object from a blob's bytes, or undefined. */
function jsonBlob(data: Uint8Array): JsonRecord | undefined {
  if (data[0] !== 0x7b) return undefined;
  const parsed = parseRecord(utf8(data), 200);
  return typeof parsed === 'string' ? undefined : parsed;
}

/**
 * The chat's messages in order, walking the tree from its root one blob at
 * a time (never every blob at once), and the working folder the root names.
 * A message said twice is one blob named twice (the store is
 * content-addressed): each place is a message. A node that names one of the
 * nodes it is under would never end, and is passed over; so is a tree past
 * {@link MAX_BLOBS} places or {@link MAX_DEPTH} levels.
 */
function* walk(db: SqlDb, root: string, stats: ReadStats, found: { directory?: string }): Generator<{ id: string; message: JsonRecord }> {
  const get = db.prepare('SELECT data FROM blobs WHERE id = ?');
  const above = new Set<string>();
  let places = 0;
  const visit = function* (id: string, depth: number): Generator<{ id: string; message: JsonRecord }> {
    if (above.has(id) || ++places > MAX_BLOBS || depth > MAX_DEPTH) {
      stats.skipped.push({ reason: `a node under itself, or the chat's tree too large or deep, at ${id.slice(0, 12)}` });
      return;
    }
    const raw = get.get(id)?.data;
    const data = raw instanceof Uint8Array ? raw : typeof raw === 'string' ? Buffer.from(raw, 'utf8') : undefined;
    if (!data) {
      stats.skipped.push({ reason: `a blob the chat names is missing: ${id.slice(0, 12)}` });
      return;
    }
    const message = jsonBlob(data);
    if (message) {
      yield { id, message };
      return;
    }
    const parsed = fields(data);
    if (!parsed) {
      stats.skipped.push({ reason: `a blob that is neither a message nor a node: ${id.slice(0, 12)}` });
      return;
    }
    above.add(id);
    for (const [field, bytes] of parsed) {
      if (field === 1 && bytes.length === 32) yield* visit(hex(bytes), depth + 1);
      else if (field === 9 && depth === 0 && found.directory === undefined) found.directory = utf8(bytes);
      else {
        // A message carried inside a node.
        const inner = jsonBlob(bytes);
        if (inner && typeof inner.role === 'string') yield { id: `${id}:${field}`, message: inner };
      }
    }
    above.delete(id);
  };
  yield* visit(root, 0);
}

/** One CLI chat store as capture items (read-only; the agent may be writing it). */
export async function* readCliChat(path: string, stats: ReadStats): AsyncGenerator<CaptureItem> {
  if (!(await lstat(path)).isFile()) throw new Error(`${path}: not a regular file`);
  const modified = Math.floor((await stat(`${path}-wal`).catch(() => stat(path))).mtimeMs);
  const db = openSqlite(path, { readOnly: true, purpose: 'reading Cursor' });
  try {
    const raw = db.prepare("SELECT value FROM meta WHERE key = '0'").get()?.value;
    const text = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : '';
    const meta = /^(?:[0-9a-f]{2})+$/i.test(text) ? parseRecord(Buffer.from(text, 'hex').toString('utf8'), 50) : parseRecord(text, 50);
    if (typeof meta === 'string') throw new Error(`${path}: the chat's metadata is ${meta}`);
    const chatId = str(meta.agentId) ?? (path.split(/[\\/]/).at(-2) as string);
    const b = cursorBuilder(chatId, path);
    b.extra.cli = true;
    if (typeof meta.mode === 'string') b.extra.mode = meta.mode;
    b.title('custom', str(meta.name));
    b.model = str(meta.lastUsedModel);
    const created = Math.floor(Number(meta.createdAt)) || modified;
    b.saw(created);
    b.time(created);
    const root = str(meta.latestRootBlobId);
    const found: { directory?: string } = {};
    let assistant: MessageWithParts | undefined;
    if (root) {
      let place = 0;
      for (const { id, message } of walk(db, root, stats, found)) {
        stats.records++;
        const time = b.time(undefined);
        // Its place and its blob: the same words said twice are two messages.
        const key = `${place++}:${id.slice(0, 16)}`;
        if (message.role === 'user') {
          const content = typeof message.content === 'string' ? message.content : resultText(message.content);
          const { text: said, context } = userWords(content);
          const m = b.user({ key, time, ...(context ? { synthetic: true } : {}) });
          if (said) b.part(m, { type: 'text', id: b.partId(time, `${key}:t`), text: said, ...(context ? { synthetic: true } : {}) });
          if (!context) b.title('prompt', said, { first: true });
          assistant = undefined;
        } else if (message.role === 'assistant') {
          const blocks = Array.isArray(message.content) ? message.content.filter(isRecord) : [];
          const first = blocks.find((c) => isRecord(c.providerOptions) && isRecord(c.providerOptions.cursor));
          const modelID =
            first && isRecord(first.providerOptions) && isRecord(first.providerOptions.cursor)
              ? str(first.providerOptions.cursor.modelName)
              : undefined;
          const m = b.assistant({ key, time, ...(modelID ? { modelID } : {}) });
          assistant = m;
          if (typeof message.content === 'string' && message.content)
            b.part(m, { type: 'text', id: b.partId(time, `${key}:t`), text: message.content });
          blocks.forEach((c, i) => {
            const partKey = `${key}:${i}`;
            if (c.type === 'text' && typeof c.text === 'string') b.part(m, { type: 'text', id: b.partId(time, partKey), text: c.text });
            else if (c.type === 'reasoning' && typeof c.text === 'string')
              b.part(m, { type: 'reasoning', id: b.partId(time, partKey), text: c.text, time: { start: time, end: time } });
            else if (c.type === 'tool-call')
              b.tool(m, {
                id: b.partId(time, partKey),
                callID: str(c.toolCallId) ?? partKey,
                tool: str(c.toolName) ?? 'tool',
                input: c.args ?? c.input ?? {},
                time,
              });
            else b.unknown(stats, `content ${String(c.type)}`, c);
          });
        } else if (message.role === 'tool') {
          for (const c of Array.isArray(message.content) ? message.content.filter(isRecord) : []) {
            const callID = str(c.toolCallId);
            if (c.type !== 'tool-result' || !callID) {
              b.unknown(stats, `tool content ${String(c.type)}`, c);
              continue;
            }
            b.result(callID, { output: resultText(c.result ?? c.output), error: c.isError === true, time });
          }
          if (assistant) b.touched(assistant);
        } else if (message.role === 'system') b.skipped('system prompt');
        else b.unknown(stats, `role ${String(message.role)}`, message);
      }
    }
    if (found.directory?.startsWith('/') || /^[A-Za-z]:[\\/]/.test(found.directory ?? '')) b.directory = found.directory;
    b.saw(modified);
    yield* b.finish(stats);
  } finally {
    db.close();
  }
}
