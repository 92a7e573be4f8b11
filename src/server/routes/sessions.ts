import * as z from 'zod';
import { detectProject, type IndexedSession, isArchiveError, type Session } from '../../index.js';
import type { ServerActions, ServerDeps } from '../actions.js';
import { defineRoute, type Route } from '../define-route.js';
import * as S from '../schemas.js';

const sid = { sessionID: 'session' } as const;

/** What `GET /session` answers without a `limit`: OpenCode's default page. */
export const DEFAULT_LIST_LIMIT = 100;

/** Full infos kept per index, each with the `info.json` stamp the index had when it was read. */
const kept = new WeakMap<object, Map<string, { mtimeMs: number; size: number; info: Session }>>();
const KEPT_MAX = 5_000;

/**
 * Full infos for summaries from the index, in the same order (a session
 * deleted meanwhile drops out; a failed read is an error). An info read
 * before is answered from memory while the index's stamp of its file is
 * unchanged (the watcher moves the stamp on every change), so a page of
 * 100 sessions reads only what changed.
 */
/**
 * A session whose `info.json` cannot be used, as a list shows it: its ID and
 * folder times, its title saying so, and what is wrong in `metadata.broken`
 * (`sarc doctor` tells more). A client sees it rather than losing it.
 */
function brokenInfo(s: IndexedSession): Session {
  return {
    id: s.id,
    slug: '',
    projectID: '',
    directory: '',
    title: `(unreadable info.json) ${s.id}`,
    version: '',
    metadata: { broken: { error: s.error ?? 'unreadable' } },
    time: { created: s.time.created, updated: s.time.updated },
  };
}

export async function infos({ archive, index }: ServerDeps, summaries: readonly IndexedSession[]): Promise<Session[]> {
  let cache = kept.get(index);
  if (!cache) {
    cache = new Map();
    kept.set(index, cache);
  }
  const out = new Map<string, Session>();
  const stamps = new Map<string, { mtimeMs: number; size: number }>();
  for (const s of summaries) {
    const stamp = index.stamp(s.id);
    const hit = cache.get(s.id);
    if (stamp && hit && hit.mtimeMs === stamp.mtimeMs && hit.size === stamp.size) out.set(s.id, hit.info);
    else if (stamp) stamps.set(s.id, stamp);
  }
  for (const s of summaries) if (!s.valid) out.set(s.id, brokenInfo(s));
  const missing = summaries.filter((s) => !out.has(s.id)).map((s) => s.id);
  // A file that broke after the index last read it (the watcher has not seen it yet) is listed as broken, not a failed list.
  const read = await archive.sessions.getMany(missing).catch(async () => {
    const one = await Promise.all(
      missing.map((id) =>
        archive.sessions.get(id).catch((error: unknown) => {
          const summary = summaries.find((x) => x.id === id) as IndexedSession;
          if (isArchiveError(error, 'NOT_FOUND')) return undefined;
          // A broken file is listed as broken; a failed read (I/O) stays an error, never a shorter or guessed list.
          if (!isArchiveError(error, 'CORRUPT')) throw error;
          out.set(id, brokenInfo({ ...summary, valid: false, error: error.message }));
          return undefined;
        }),
      ),
    );
    return one.filter((i): i is Session => i !== undefined);
  });
  for (const info of read) {
    out.set(info.id, info);
    const stamp = stamps.get(info.id);
    if (!stamp) continue;
    cache.delete(info.id);
    cache.set(info.id, { ...stamp, info });
    if (cache.size > KEPT_MAX) cache.delete(cache.keys().next().value as string);
  }
  return summaries.map((s) => out.get(s.id)).filter((i): i is Session => i !== undefined);
}

/** OpenCode's session routes: list, create, read, change, delete, children, forks, fork, todos, status. */
export function sessionRoutes(deps: ServerDeps, act: ServerActions): Route[] {
  const { archive, index } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/session/status',
      operationId: 'session.status',
      summary: 'Runtime status of every session that is not idle',
      query: S.instanceQuery,
      response: S.statusMap,
      handler: async () => index.status.map(),
    }),
    defineRoute({
      method: 'get',
      path: '/session',
      operationId: 'session.list',
      summary:
        "Sessions of the directory's project, most recently updated first (100 unless `limit` says otherwise, as OpenCode); one whose info.json cannot be read is listed as broken (`metadata.broken.error`)",
      query: S.sessionListQuery,
      response: S.sessionsResponse,
      handler: async (_c, { query: q }) => {
        const project = q.directory ? (await detectProject(q.directory)).id : undefined;
        return infos(
          deps,
          index.list({
            project,
            roots: q.roots,
            start: q.start,
            search: q.search,
            limit: q.limit ?? DEFAULT_LIST_LIMIT,
            workspace: q.workspace,
            invalid: true,
          }),
        );
      },
    }),
    defineRoute({
      method: 'post',
      path: '/session',
      operationId: 'session.create',
      summary: 'Create a session (optionally with a chosen id: 400 when malformed, 409 when taken)',
      query: S.instanceQuery,
      body: S.createSessionBody,
      response: S.sessionResponse,
      handler: async (_c, { query, body }) =>
        act.create({ ...body, directory: query.directory ?? process.cwd(), workspaceID: body.workspaceID ?? query.workspace }),
    }),
    defineRoute({
      method: 'get',
      path: '/session/{sessionID}',
      operationId: 'session.get',
      summary: 'One session',
      params: sid,
      response: S.sessionResponse,
      handler: async (_c, { params }) => archive.sessions.get(params.sessionID),
    }),
    defineRoute({
      method: 'patch',
      path: '/session/{sessionID}',
      operationId: 'session.update',
      summary: 'Change title, metadata, permission or time.archived',
      params: sid,
      body: S.updateSessionBody,
      response: S.sessionResponse,
      handler: async (_c, { params, body }) => act.update(params.sessionID, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/session/{sessionID}',
      operationId: 'session.delete',
      summary: 'Delete a session and its child sessions',
      params: sid,
      response: z.boolean(),
      handler: async (_c, { params }) => {
        await act.remove(params.sessionID);
        return true;
      },
    }),
    ...(['children', 'forks'] as const).map((kind) =>
      defineRoute({
        method: 'get',
        path: `/session/{sessionID}/${kind}`,
        operationId: `session.${kind}`,
        summary: kind === 'children' ? 'Child sessions (by parentID)' : 'Forks of a session (by forkedFrom)',
        params: sid,
        response: S.sessionsResponse,
        handler: async (_c, { params }) => {
          await archive.sessions.get(params.sessionID);
          return infos(deps, kind === 'children' ? index.children(params.sessionID) : index.forks(params.sessionID));
        },
      }),
    ),
    defineRoute({
      method: 'post',
      path: '/session/{sessionID}/fork',
      operationId: 'session.fork',
      summary: 'Fork at a message: a new session with the messages before it',
      params: sid,
      body: S.forkBody,
      response: S.sessionResponse,
      handler: async (_c, { params, body }) => act.fork(params.sessionID, { messageID: body.messageID, id: body.id }),
    }),
    defineRoute({
      method: 'get',
      path: '/session/{sessionID}/todo',
      operationId: 'session.todo',
      summary: 'The todo list',
      params: sid,
      response: S.todosResponse,
      handler: async (_c, { params }) => archive.todos.get(params.sessionID),
    }),
    defineRoute({
      method: 'put',
      path: '/session/{sessionID}/todo',
      operationId: 'session.todo.set',
      summary: 'Replace the todo list',
      params: sid,
      body: S.todosResponse,
      response: S.todosResponse,
      handler: async (_c, { params, body }) => act.within(params.sessionID, () => archive.todos.set(params.sessionID, body)),
    }),
    defineRoute({
      method: 'put',
      path: '/session/{sessionID}/status',
      operationId: 'session.status.set',
      summary: 'Set runtime status: idle, busy, retry or error',
      params: sid,
      body: S.statusInput,
      response: S.statusInput,
      handler: async (_c, { params, body }) => index.setStatus(params.sessionID, body),
    }),
  ];
}
