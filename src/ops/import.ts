import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ArchiveError, errnoCode, isArchiveError } from '../errors.js';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportedSession, exportedSession, opencodeExport } from '../model/export.js';
import { assertId, newId } from '../model/ids.js';
import type { MessageWithParts } from '../model/message.js';
import type { Session } from '../model/session.js';
import type { OnProgress } from '../progress.js';
import type { Archive } from '../store/archive.js';
import { parseJsonInput } from '../store/json-file.js';
import { MAX_DEPTH } from '../store/json-syntax.js';
import { checkMessageIds, compareMessages } from '../store/message-file.js';
import { formatIssuePath } from '../store/validate.js';
import { AGENTS } from './capture/registry.js';
import { redactorFor } from './redact/config.js';
import { assignNewIds, IdRemap } from './remap.js';

export type ImportMode = 'clone' | 'keep-ids';

export interface ImportOptions {
  /**
   * `clone` (default): every session, message and part gets a new ID and
   * references inside the payload follow; nothing existing is touched.
   * `keep-ids`: exact IDs; `DUPLICATE_ID` naming every collision, nothing written.
   */
  mode?: ImportMode;
  /** Sessions written of all in the payload (they become visible together at the end). */
  onProgress?: OnProgress;
  /** Replace secrets with markers before anything is written (unless the archive turned it off). @default true */
  redact?: boolean;
}

export interface ImportResult {
  mode: ImportMode;
  /** Secrets replaced by markers, by kind (none when redaction is off). */
  redacted: Record<string, number>;
  /** Every imported session: its ID in the payload and in the archive. */
  sessions: Array<{ from: string; to: string; title: string }>;
}

const MAX_ISSUES = 5;

function bad(message: string): ArchiveError {
  return new ArchiveError('INVALID_INPUT', message);
}

/**
 * Refuses `__proto__` keys, which could pollute prototypes in code that copies
 * the payload naively — the one key no data file may hold either. Keys named
 * `constructor` or `prototype` are data like any other: the store accepts
 * them, so an export holding them must import again.
 */
function checkKeys(root: unknown): void {
  // Iterative: a deeply nested payload must not overflow the stack.
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: '', depth: 0 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { value, path, depth } = item;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_DEPTH) throw bad(`invalid import: ${path || '(root)'}: nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) pending.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw bad(`invalid import: ${path ? `${path}.` : ''}${key}: this key is not allowed`);
      pending.push({ value: (value as Record<string, unknown>)[key], path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, at: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, MAX_ISSUES).map((i) => {
    const rel = formatIssuePath(i.path);
    return `${at && rel !== '(root)' ? `${at}${rel.startsWith('[') ? '' : '.'}${rel}` : at || rel}: ${i.message}`;
  });
  const more = result.error.issues.length > MAX_ISSUES ? ` (and ${result.error.issues.length - MAX_ISSUES} more)` : '';
  throw bad(`invalid import: ${issues.join('; ')}${more}`);
}

/** The sessions of one payload: our export, an OpenCode export, or an array of either. */
function collect(payload: unknown, at: string, out: Array<{ session: ExportedSession; at: string; exportedAt?: number }>): void {
  if (Array.isArray(payload)) {
    for (const [i, item] of payload.entries()) collect(item, `${at}[${i}]`, out);
    return;
  }
  if (payload === null || typeof payload !== 'object') {
    throw bad(
      `invalid import${at ? ` at ${at}` : ''}: expected a session-archive export {format, version, sessions} or an OpenCode export {info, messages}`,
    );
  }
  const record = payload as Record<string, unknown>;
  if (record.format === EXPORT_FORMAT) {
    if (typeof record.version === 'number' && record.version > EXPORT_VERSION) {
      throw new ArchiveError(
        'UNSUPPORTED_VERSION',
        `export version ${record.version} is newer than this session-archive reads (${EXPORT_VERSION}); upgrade session-archive`,
      );
    }
    const exportedAt = typeof record.exportedAt === 'number' ? record.exportedAt : undefined;
    if (!Array.isArray(record.sessions)) throw bad(`invalid import: ${at ? `${at}.` : ''}sessions: expected an array`);
    record.sessions.forEach((s, i) => {
      const where = `${at ? `${at}.` : ''}sessions[${i}]`;
      out.push({ session: parseWith(exportedSession, s, where), at: where, exportedAt });
    });
    return;
  }
  if ('info' in record && 'messages' in record) {
    out.push({ session: parseWith(opencodeExport, record, at), at });
    return;
  }
  throw bad(
    `invalid import${at ? ` at ${at}` : ''}: expected a session-archive export {format, version, sessions} or an OpenCode export {info, messages}`,
  );
}

/** Checks IDs (shape, agreement with their session and message, uniqueness) with the JSON path of the first problem. */
function checkIds(items: ReadonlyArray<{ session: ExportedSession; at: string }>): void {
  const seen = new Set<string>();
  for (const { session, at } of items) {
    const where = (rel: string) => `${at ? `${at}.` : ''}${rel}`;
    const prefix = (path: string) => (e: unknown) => {
      if (isArchiveError(e)) throw new ArchiveError(e.code, `invalid import: ${path}: ${e.message}`, { cause: e });
      throw e;
    };
    try {
      assertId('session', session.info.id);
    } catch (e) {
      prefix(where('info.id'))(e);
    }
    if (seen.has(session.info.id)) throw bad(`invalid import: ${where('info.id')}: session ${session.info.id} appears more than once`);
    seen.add(session.info.id);
    const messageIds = new Set<string>();
    session.messages.forEach((m, i) => {
      try {
        assertId('message', m.info.id);
        for (const p of m.parts) assertId('part', p.id);
        checkMessageIds(m, session.info.id, m.info.id, 'message', 'INVALID_INPUT');
      } catch (e) {
        prefix(where(`messages[${i}]`))(e);
      }
      if (messageIds.has(m.info.id))
        throw bad(`invalid import: ${where(`messages[${i}].info.id`)}: message ${m.info.id} appears more than once`);
      messageIds.add(m.info.id);
    });
  }
}

/** Parses an import file; a JSON error is `INVALID_INPUT` with line:column. */
export async function readImportFile(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new ArchiveError('NOT_FOUND', `import file not found: ${path}`, { path, cause: error });
    throw new ArchiveError('IO', `${path}: cannot read: ${(error as Error).message}`, { path, cause: error });
  }
  return parseJsonInput(bytes, path);
}

/** Clones: new IDs everywhere, references inside the payload remapped, provenance in `metadata.importedFrom`. */
function cloneAll(
  items: ReadonlyArray<{ session: ExportedSession; exportedAt?: number }>,
): Array<{ info: Session; messages: MessageWithParts[]; todos?: ExportedSession['todos'] }> {
  const remap = new IdRemap();
  for (const { session } of items) remap.set(session.info.id, newId('session'));
  const ordered = items.map(({ session }) => [...session.messages].sort(compareMessages));
  // Every ID first, then the copies: a fork may come before its origin in the payload.
  for (const messages of ordered) assignNewIds(messages, remap);
  return items.map(({ session, exportedAt }, i) => {
    const messages = (ordered[i] ?? []).map((m) => remap.apply(m));
    const info = remap.apply(session.info);
    // A parent outside the payload does not exist for the clone.
    if (info.parentID !== undefined && !remap.has(session.info.parentID as string)) delete info.parentID;
    const importedFrom: Record<string, unknown> = { sessionID: session.info.id };
    if (exportedAt !== undefined) importedFrom.exportedAt = exportedAt;
    if (session.info.parentID !== undefined && info.parentID === undefined) importedFrom.parentID = session.info.parentID;
    info.metadata = { ...info.metadata, importedFrom };
    return { info, messages, todos: session.todos };
  });
}

/**
 * An agent's own export file (OpenCode 2's `session export`), read by its
 * adapter, as our export format; any other payload as it is.
 */
async function agentsOwn(payload: unknown): Promise<unknown> {
  for (const entry of AGENTS.filter((a) => a.imports)) {
    const format = (await entry.load()).importFormat;
    if (!format?.accepts(payload)) continue;
    try {
      return { format: EXPORT_FORMAT, version: EXPORT_VERSION, sessions: format.sessions(payload) };
    } catch (error) {
      throw bad(`invalid import: a ${entry.label} export that cannot be read: ${(error as Error).message}`);
    }
  }
  return payload;
}

/**
 * Imports sessions from our export, OpenCode's `{info, messages}`, or an
 * array of either. The whole payload is validated first; the import is all or
 * nothing, also when the process is killed midway (see `insertMany`).
 */
export async function importSessions(archive: Archive, payload: unknown, options: ImportOptions = {}): Promise<ImportResult> {
  const mode = options.mode ?? 'clone';
  if (mode !== 'clone' && mode !== 'keep-ids') throw bad(`invalid import mode ${JSON.stringify(mode)}: expected "clone" or "keep-ids"`);
  checkKeys(payload);
  const items: Array<{ session: ExportedSession; at: string; exportedAt?: number }> = [];
  collect(await agentsOwn(payload), '', items);
  if (items.length === 0) throw bad('invalid import: the payload holds no sessions');
  checkIds(items);
  let entries =
    mode === 'clone'
      ? cloneAll(items)
      : items.map(({ session }) => ({ ...session, messages: [...session.messages].sort(compareMessages) }));
  // What comes from elsewhere is redacted at the door, like a sync.
  const redacted: Record<string, number> = {};
  const redactor = options.redact === false ? undefined : await redactorFor(archive);
  if (redactor) {
    const { values, found } = await redactor.redact(entries);
    entries = values;
    for (const f of found) redacted[f.kind] = (redacted[f.kind] ?? 0) + 1;
  }
  const inserted = await archive.sessions.insertMany(entries, { onProgress: options.onProgress });
  return {
    mode,
    redacted,
    sessions: inserted.map((s, i) => ({ from: items[i]?.session.info.id as string, to: s.id, title: s.title })),
  };
}
