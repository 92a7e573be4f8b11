import { ArchiveError } from '../errors.js';
import type { MessageWithParts } from '../model/message.js';

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
