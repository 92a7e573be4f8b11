import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveError, errnoCode } from '../errors.js';
import type { Session } from '../model/session.js';
import type { OnProgress } from '../progress.js';
import { type FileText, fsyncFolder, writeStagedFile } from './atomic-write.js';
import type { StoreContext } from './context.js';
import { mapLimit } from './map-limit.js';
import { commitMoves, type StagedMove } from './rename-journal.js';
import { tempPathFor } from './temp-names.js';

/**
 * Writes new sessions (their files already rendered) into private staging
 * folders and renames them all into place through the journal, so a crash
 * leaves every one of them or none. Call holding the sessions' locks, after
 * checking their IDs are free.
 */
export async function stageNewSessions(
  ctx: StoreContext,
  prepared: ReadonlyArray<{ info: Session; files: Map<string, FileText> }>,
  ids: readonly string[],
  onProgress?: OnProgress,
): Promise<void> {
  const { paths } = ctx;
  const moves: StagedMove[] = [];
  onProgress?.(0, prepared.length);
  try {
    for (const { info, files } of prepared) {
      const target = paths.session(info.id);
      const stage = tempPathFor(target);
      moves.push({ stage, target });
      await mkdir(stage);
      const messages = join(stage, 'messages');
      const inMessages = [...files].filter(([name]) => name.startsWith('messages/'));
      const beside = [...files].filter(([name]) => !name.startsWith('messages/'));
      // A few files at once: their fsyncs overlap (a fork of a long session writes
      // hundreds), and other writers still find room in the thread pool and the disk queue.
      const write = (entries: Array<[string, FileText]>) =>
        mapLimit(entries, 4, ([name, text]) => writeStagedFile(join(stage, name), text));
      await Promise.all([
        write(beside),
        (async () => {
          await mkdir(messages);
          await write(inMessages);
          // An empty messages folder is made durable by the session folder's fsync (it is one of its entries).
          if (inMessages.length > 0) await fsyncFolder(messages);
        })(),
      ]);
      await fsyncFolder(stage);
      onProgress?.(moves.length, prepared.length);
    }
    // rename(2) replaces an empty folder but fails on a non-empty one, so
    // a creator racing us on the same ID cannot be overwritten.
    await commitMoves(ctx, moves);
  } catch (error) {
    for (const { stage } of moves) await rm(stage, { recursive: true, force: true });
    const code = errnoCode(error);
    if (code === 'ENOTEMPTY' || code === 'EEXIST')
      throw new ArchiveError('DUPLICATE_ID', `session ID already exists (created meanwhile): ${ids.join(', ')}`, { cause: error });
    throw error;
  }
}
