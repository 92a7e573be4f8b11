import type { Context } from 'hono';
import * as z from 'zod';
import type { ServerDeps } from '../actions.js';
import { defineRoute, type Route } from '../define-route.js';
import * as S from '../schemas.js';
import { askUsage } from '../usage.js';
import { infos } from './sessions.js';

const archivedMode = (v: string | undefined) => (v === 'true' || v === 'include' ? 'include' : v === 'only' ? 'only' : 'exclude');

/** Across projects: the global history (OpenCode's experimental list), full-text search, usage. */
export function catalogRoutes(deps: ServerDeps): Route[] {
  const { index } = deps;
  async function history(c: Context, q: z.infer<typeof S.historyQuery>) {
    const page = index.history({
      limit: q.limit,
      cursor: q.cursor,
      search: q.search,
      roots: q.roots,
      archived: archivedMode(q.archived),
      directory: q.directory,
      project: q.project,
      workspace: q.workspace,
      start: q.start,
      invalid: true,
    });
    if (page.nextCursor) {
      c.header('X-Next-Cursor', page.nextCursor);
      c.header('Access-Control-Expose-Headers', 'Link, X-Next-Cursor');
    }
    const full = await infos(deps, page.items);
    const projects = new Map(page.items.map((s) => [s.id, s.project]));
    return full.map((s) => ({ ...s, project: projects.get(s.id) ?? null }));
  }
  return [
    defineRoute({
      method: 'get',
      path: '/session/history',
      operationId: 'session.history',
      summary: 'Every session across projects, newest created first, with its project; cursor in X-Next-Cursor',
      query: S.historyQuery,
      response: z.array(S.globalSession),
      handler: async (c, { query }) => history(c, query),
    }),
    defineRoute({
      method: 'get',
      path: '/experimental/session',
      operationId: 'experimental.session.list',
      summary: "OpenCode's global session list (same as /session/history)",
      query: S.historyQuery,
      response: z.array(S.globalSession),
      handler: async (c, { query }) => history(c, query),
    }),
    defineRoute({
      method: 'get',
      path: '/search',
      operationId: 'search',
      summary: 'Full-text search over titles, todos and messages of every session; ranked by relevance, then the newest',
      query: S.searchQuery,
      response: S.searchResult,
      handler: async (_c, { query }) => {
        // Right after start the index may still be catching up: wait a moment for it, then answer what it has.
        await index.searchReady(1_000);
        return index.search(query);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/usage',
      operationId: 'usage',
      summary:
        'Tokens, cost, messages, tool calls and active time across sessions: totals, one table by the dimensions asked, the heaviest sessions',
      query: S.usageQuery,
      response: S.usageResult,
      handler: async (_c, { query: q }) =>
        askUsage(deps, {
          since: q.since,
          until: q.until,
          project: q.project,
          agents: q.agent,
          timeZone: q.timeZone,
          top: q.top,
          tables: q.by ? [q.by] : [],
        }),
    }),
  ];
}
