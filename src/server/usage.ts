import { findProjects, type UsageQuery, type UsageResult, usageIndex } from '../index.js';
import type { ServerDeps } from './actions.js';

/** What the usage route and page are asked: a project by name, folder or ID; the rest as the library takes it. */
export type UsageAsk = Omit<UsageQuery, 'projects'> & { project?: string };

/**
 * Usage figures for the API and the page: from the server's search index
 * (waiting a moment for it right after start, then answering what it has),
 * or, when the server runs without search, from the index caught up here.
 */
export async function askUsage({ archive, index }: ServerDeps, ask: UsageAsk): Promise<UsageResult & { complete: boolean }> {
  const { project, ...rest } = ask;
  const query: UsageQuery = { ...rest, ...(project ? { projects: await findProjects(archive, project) } : {}) };
  if (index.searchEnabled) {
    await index.searchReady(1_000);
    return { ...index.usage(query), complete: index.searchCurrent };
  }
  return { ...(await usageIndex(archive, query)), complete: true };
}
