import { answerUsage, type UsageAnswer, type UsageAsk, usageIndex } from '../index.js';
import type { ServerDeps } from './actions.js';

/**
 * Usage figures for the API and the page: from the server's search index
 * (waiting a moment for it right after start, then answering what it has),
 * or, when the server runs without search, from the index caught up here.
 */
export async function askUsage({ archive, index }: ServerDeps, ask: UsageAsk): Promise<UsageAnswer & { complete: boolean }> {
  if (index.searchEnabled) {
    await index.searchReady(1_000);
    return { ...(await answerUsage(archive, ask, (q) => index.usage(q))), complete: index.searchCurrent };
  }
  return { ...(await answerUsage(archive, ask, (q) => usageIndex(archive, q))), complete: true };
}
