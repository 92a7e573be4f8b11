import { rm } from 'node:fs/promises';
import { assertId } from '../model/ids.js';
import { modelSchemas } from '../model/lazy.js';
import type { Session } from '../model/session.js';
import type { OnProgress } from '../progress.js';
import { preconditionOf, writeFileAtomic } from './atomic-write.js';
import { loadInfo, nextUpdated, type StoreContext, withSessions } from './context.js';
import { formatCanonical } from './json-file.js';
import { commitMoves, type StagedMove } from './rename-journal.js';
import { changedInfo } from './session-input.js';
import { tempPathFor } from './temp-names.js';

/**
 * Changes many sessions' infos as one commit (see `SessionStore.modifyMany`):
 * each changed info is staged beside its file under every session's lock,
 * then all are renamed into place through the rename journal; a failure
 * before the commit leaves every file as it was.
 */
export async function modifySessions(
  ctx: StoreContext,
  ids: readonly string[],
  fn: (info: Session) => Session,
  options: { onProgress?: OnProgress } = {},
): Promise<Session[]> {
  for (const id of ids) assertId('session', id);
  return withSessions(ctx, ids, async () => {
    const out: Session[] = [];
    const moves: StagedMove[] = [];
    options.onProgress?.(0, ids.length);
    try {
      for (const id of ids) {
        if (out.length) options.onProgress?.(out.length, ids.length); // the last one counts once committed
        const loaded = await loadInfo(ctx, id);
        const next = changedInfo(await modelSchemas(), id, loaded, fn);
        if (!next) {
          out.push(loaded.value);
          continue;
        }
        next.time.updated = nextUpdated(ctx, loaded.value.time.updated);
        const target = ctx.paths.info(id);
        const stage = tempPathFor(target);
        await writeFileAtomic(stage, formatCanonical(next));
        moves.push({ stage, target, kind: 'file', expect: preconditionOf(loaded.stats) });
        out.push(next);
      }
      await commitMoves(ctx, moves);
      options.onProgress?.(ids.length, ids.length);
    } catch (error) {
      for (const { stage } of moves) await rm(stage, { force: true });
      throw error;
    }
    return out;
  });
}
