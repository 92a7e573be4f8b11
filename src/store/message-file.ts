import { readdir } from 'node:fs/promises';
import { ArchiveError, errnoCode } from '../errors.js';
import { isId } from '../model/ids.js';
import { modelSchemas } from '../model/lazy.js';
import type { MessageWithParts } from '../model/message.js';
import type { StoreContext } from './context.js';
import { type LoadedFile, readDataFile } from './json-file.js';
import { assertNoLink } from './safe-path.js';

/** The store's message order: `time.created`, then ID. Never the ID alone: OpenCode's IDs wrapped in 2026. */
export function compareMessages(a: MessageWithParts, b: MessageWithParts): number {
  return a.info.time.created - b.info.time.created || (a.info.id < b.info.id ? -1 : a.info.id > b.info.id ? 1 : 0);
}

/**
 * Checks that the IDs inside a message file agree with its place in the
 * archive; throws `code` (CORRUPT for a file read, INVALID_INPUT for input).
 */
export function checkMessageIds(
  file: MessageWithParts,
  sessionID: string,
  messageID: string,
  where: string,
  code: 'CORRUPT' | 'INVALID_INPUT' = 'CORRUPT',
): void {
  const fail = (field: string, found: unknown, expected: string) =>
    new ArchiveError(code, `${where}: ${field}: ${String(found)} does not match ${expected}`, {
      path: code === 'CORRUPT' ? where : undefined,
      details: { issues: [{ path: field, message: `does not match ${expected}` }] },
    });
  if (file.info.id !== messageID) throw fail('info.id', file.info.id, `its file name ${messageID}`);
  if (file.info.sessionID !== sessionID) throw fail('info.sessionID', file.info.sessionID, `its session ${sessionID}`);
  file.parts.forEach((p, i) => {
    if (p.messageID !== messageID) throw fail(`parts[${i}].messageID`, p.messageID, `its message ${messageID}`);
    if (p.sessionID !== sessionID) throw fail(`parts[${i}].sessionID`, p.sessionID, `its session ${sessionID}`);
  });
}

/** Reads and checks one message file; undefined when it does not exist, `CORRUPT` when it is broken. */
export async function loadMessage(
  ctx: StoreContext,
  sessionID: string,
  messageID: string,
): Promise<LoadedFile<MessageWithParts> | undefined> {
  const path = ctx.paths.message(sessionID, messageID);
  const loaded = await readDataFile((await modelSchemas()).messageFile, path);
  if (loaded) checkMessageIds(loaded.value, sessionID, messageID, path);
  return loaded;
}

/** The IDs of a session's message files (valid names only: conflict copies and temps are not messages). */
export async function messageIds(ctx: StoreContext, sessionID: string): Promise<string[]> {
  await assertNoLink(ctx.paths.root, ctx.paths.messages(sessionID), { self: true });
  try {
    return (await readdir(ctx.paths.messages(sessionID)))
      .filter((name) => name.endsWith('.json') && isId('message', name.slice(0, -5)))
      .map((name) => name.slice(0, -5));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}
