import type { z } from 'zod';
import type { snapshotFileDiff } from '../model/common.js';
import { assertId } from '../model/ids.js';
import type { Archive } from '../store/archive.js';

export type FileDiff = z.infer<typeof snapshotFileDiff>;

/**
 * OpenCode's `SnapshotFileDiff[]` from what the session stored: with a
 * `messageID`, that user message's `summary.diffs`; otherwise the session's
 * `summary.diffs`, or, when it has none, the user messages' diffs in order
 * (a later diff of a file replaces an earlier one).
 */
export async function diff(archive: Archive, sessionID: string, options: { messageID?: string } = {}): Promise<FileDiff[]> {
  const info = await archive.sessions.get(sessionID);
  if (options.messageID !== undefined) {
    assertId('message', options.messageID);
    const m = await archive.messages.get(sessionID, options.messageID);
    return m.info.role === 'user' ? (m.info.summary?.diffs ?? []) : [];
  }
  if (info.summary?.diffs) return info.summary.diffs;
  const byFile = new Map<string, FileDiff>();
  const loose: FileDiff[] = [];
  for (const m of await archive.messages.list(sessionID)) {
    if (m.info.role !== 'user') continue;
    for (const d of m.info.summary?.diffs ?? []) {
      if (d.file === undefined) loose.push(d);
      else {
        byFile.delete(d.file);
        byFile.set(d.file, d);
      }
    }
  }
  return [...loose, ...byFile.values()];
}
