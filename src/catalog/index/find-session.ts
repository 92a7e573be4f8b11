import { ArchiveError } from '../../errors.js';
import { assertId, isId } from '../../model/ids.js';

/**
 * The one session among `ids` that `arg` names: a full ID, or a unique
 * prefix of one (`fe5e0a` or `ses_fe5e0a`). No match is `NOT_FOUND`; an
 * ambiguous prefix is `INVALID_INPUT` listing the first ten candidates with
 * their titles (`titleOf`); anything that cannot be an ID or a prefix is
 * `INVALID_ID`. Needs only the IDs (a listing of `sessions/` will do).
 */
export async function findSessionByPrefix(
  arg: string,
  ids: Iterable<string>,
  titleOf: (id: string) => string | undefined | Promise<string | undefined>,
): Promise<string> {
  const given: unknown = arg;
  if (isId('session', given)) return given;
  const prefix = arg.startsWith('ses_') ? arg : `ses_${arg}`;
  if (!/^ses_[0-9A-Za-z]{1,26}$/.test(prefix)) assertId('session', arg);
  const matches = [...ids].filter((id) => id.startsWith(prefix)).sort();
  const [only] = matches;
  if (only && matches.length === 1) return only;
  if (matches.length === 0) throw new ArchiveError('NOT_FOUND', `session not found: ${arg} (no session ID starts with ${prefix})`);
  const shown = await Promise.all(matches.slice(0, 10).map(async (id) => `${id}  ${(await titleOf(id)) ?? ''}`.trimEnd()));
  throw new ArchiveError(
    'INVALID_INPUT',
    `ambiguous session ID ${arg}: ${matches.length} sessions start with it:\n  ${shown.join('\n  ')}${matches.length > 10 ? '\n  …' : ''}`,
  );
}
