import { z } from 'zod';
import {
  type Archive,
  detectProject,
  diff,
  exportSessions,
  findShared,
  forkSession,
  type IndexedSession,
  importSessions,
  migrate,
  orphans,
  revert,
  type Session,
  type SessionIndex,
  share,
  statusInput,
  unrevert,
  unshare,
} from '../index.js';
import { BadRequest } from './errors.js';
import type { RouteSpec } from './route.js';
import * as S from './schemas.js';
import { renderSharePage } from './share-page.js';

export interface ServerDeps {
  archive: Archive;
  index: SessionIndex;
}

/** Full infos for summaries from the index, in the same order (a session deleted meanwhile drops out). */
async function infos(archive: Archive, summaries: readonly IndexedSession[]): Promise<Session[]> {
  const found = await Promise.all(summaries.map((s) => archive.sessions.get(s.id).catch(() => undefined)));
  return found.filter((s): s is Session => s !== undefined);
}

const cursorOf = (m: { info: { id: string; time: { created: number } } }) =>
  Buffer.from(JSON.stringify({ id: m.info.id, time: m.info.time.created })).toString('base64url');

function decodeBefore(before: string): string | { id: string; time: number } {
  if (before.startsWith('msg_')) return before;
  try {
    const v = JSON.parse(Buffer.from(before, 'base64url').toString('utf8')) as { id?: unknown; time?: unknown };
    if (typeof v.id === 'string' && typeof v.time === 'number') return { id: v.id, time: v.time };
  } catch {
    // fall through
  }
  throw new BadRequest(`invalid before cursor ${JSON.stringify(before.slice(0, 80))}: pass the X-Next-Cursor of a previous page`, 'Query');
}

const archivedMode = (v: string | undefined) => (v === 'true' || v === 'include' ? 'include' : v === 'only' ? 'only' : 'exclude');

/** Every route of the API, OpenCode's first, then the archive's own. */
export function routes({ archive, index }: ServerDeps): RouteSpec[] {
  // After a write, the index is brought up to date at once, so a list right
  // after it (from the same client) sees it; the watcher would a moment later.
  const fresh = async <T>(result: T, ...ids: string[]): Promise<T> => {
    await index.refresh(...ids);
    return result;
  };
  const freshSession = async (s: Session) => fresh(s, s.id);
  const sid = { sessionID: 'session' } as const;
  const list: RouteSpec[] = [
    {
      method: 'get',
      path: '/session/status',
      operationId: 'session.status',
      summary: 'Runtime status of every session that is not idle',
      query: S.instanceQuery,
      response: S.statusMap,
      handler: async () => index.status.map(),
    },
    {
      method: 'get',
      path: '/session/history',
      operationId: 'session.history',
      summary: 'Every session across projects, newest created first, with its project; cursor in X-Next-Cursor',
      query: S.historyQuery.extend({ directory: z.string().optional() }),
      response: z.array(S.globalSession),
      handler: async (c, { query }) => history(c, query as z.infer<typeof S.historyQuery>),
    },
    {
      method: 'get',
      path: '/experimental/session',
      operationId: 'experimental.session.list',
      summary: "OpenCode's global session list (same as /session/history)",
      query: S.historyQuery,
      response: z.array(S.globalSession),
      handler: async (c, { query }) => history(c, query as z.infer<typeof S.historyQuery>),
    },
    {
      method: 'get',
      path: '/session/orphans',
      operationId: 'session.orphans',
      summary: 'Sessions whose folder is gone, or in project global inside a known project',
      handler: async () => orphans(archive, { index }),
    },
    {
      method: 'post',
      path: '/session/migrate',
      operationId: 'session.migrateMany',
      summary: 'Move sessions (by IDs, folders/globs, projects) and their child trees to another folder',
      body: S.migrateBody,
      handler: async (_c, { body }) => {
        const b = body as z.infer<typeof S.migrateBody>;
        const result = await migrate(
          archive,
          { ids: b.ids, fromDir: b.fromDir, fromProject: b.fromProject },
          { to: b.to, dryRun: b.dryRun, index },
        );
        return fresh(result, ...result.moved.map((r) => r.id));
      },
    },
    {
      method: 'get',
      path: '/session',
      operationId: 'session.list',
      summary: "Sessions of the directory's project, most recently updated first",
      query: S.sessionListQuery,
      response: S.sessionsResponse,
      handler: async (_c, { query }) => {
        const q = query as z.infer<typeof S.sessionListQuery>;
        const project = q.directory ? (await detectProject(q.directory)).id : undefined;
        return infos(
          archive,
          index.list({ project, roots: q.roots, start: q.start, search: q.search, limit: q.limit, workspace: q.workspace }),
        );
      },
    },
    {
      method: 'post',
      path: '/session',
      operationId: 'session.create',
      summary: 'Create a session (optionally with a chosen id: 400 when malformed, 409 when taken)',
      query: S.instanceQuery,
      body: S.createSessionBody,
      response: S.sessionResponse,
      handler: async (_c, { query, body }) => {
        const b = body as z.infer<typeof S.createSessionBody>;
        const q = query as z.infer<typeof S.instanceQuery>;
        return freshSession(
          await archive.sessions.create({ ...b, directory: q.directory ?? process.cwd(), workspaceID: b.workspaceID ?? q.workspace }),
        );
      },
    },
    {
      method: 'get',
      path: '/session/{sessionID}',
      operationId: 'session.get',
      summary: 'One session',
      params: sid,
      response: S.sessionResponse,
      handler: async (_c, { params }) => archive.sessions.get(params.sessionID as string),
    },
    {
      method: 'patch',
      path: '/session/{sessionID}',
      operationId: 'session.update',
      summary: 'Change title, metadata, permission or time.archived',
      params: sid,
      body: S.updateSessionBody,
      response: S.sessionResponse,
      handler: async (_c, { params, body }) =>
        freshSession(await archive.sessions.update(params.sessionID as string, body as z.infer<typeof S.updateSessionBody>)),
    },
    {
      method: 'delete',
      path: '/session/{sessionID}',
      operationId: 'session.delete',
      summary: 'Delete a session and its child sessions',
      params: sid,
      response: z.boolean(),
      handler: async (_c, { params }) => {
        return fresh(true, ...(await archive.sessions.delete(params.sessionID as string, { children: (p) => index.childIds(p) })));
      },
    },
    {
      method: 'get',
      path: '/session/{sessionID}/children',
      operationId: 'session.children',
      summary: 'Child sessions (by parentID)',
      params: sid,
      response: S.sessionsResponse,
      handler: async (_c, { params }) => {
        await archive.sessions.get(params.sessionID as string);
        return infos(archive, index.children(params.sessionID as string));
      },
    },
    {
      method: 'get',
      path: '/session/{sessionID}/forks',
      operationId: 'session.forks',
      summary: 'Forks of a session (by forkedFrom)',
      params: sid,
      response: S.sessionsResponse,
      handler: async (_c, { params }) => {
        await archive.sessions.get(params.sessionID as string);
        return infos(archive, index.forks(params.sessionID as string));
      },
    },
    {
      method: 'post',
      path: '/session/{sessionID}/fork',
      operationId: 'session.fork',
      summary: 'Fork at a message: a new session with the messages before it',
      params: sid,
      body: S.forkBody,
      response: S.sessionResponse,
      handler: async (_c, { params, body }) => {
        const b = body as z.infer<typeof S.forkBody>;
        return freshSession(await forkSession(archive, params.sessionID as string, { messageID: b.messageID, id: b.id }));
      },
    },
    {
      method: 'post',
      path: '/session/{sessionID}/share',
      operationId: 'session.share',
      summary: 'Share read-only at <server>/share/<token> (the same URL when already shared)',
      params: sid,
      response: S.sessionResponse,
      handler: async (c, { params }) =>
        freshSession(await share(archive, params.sessionID as string, { baseUrl: new URL(c.req.url).origin })),
    },
    {
      method: 'delete',
      path: '/session/{sessionID}/share',
      operationId: 'session.unshare',
      summary: 'Stop sharing; the old URL stops working',
      params: sid,
      response: S.sessionResponse,
      handler: async (_c, { params }) => freshSession(await unshare(archive, params.sessionID as string)),
    },
    {
      method: 'get',
      path: '/session/{sessionID}/todo',
      operationId: 'session.todo',
      summary: 'The todo list',
      params: sid,
      response: S.todosResponse,
      handler: async (_c, { params }) => archive.todos.get(params.sessionID as string),
    },
    {
      method: 'put',
      path: '/session/{sessionID}/todo',
      operationId: 'session.todo.set',
      summary: 'Replace the todo list',
      params: sid,
      body: z.array(S.todo),
      response: S.todosResponse,
      handler: async (_c, { params, body }) => archive.todos.set(params.sessionID as string, body as z.infer<typeof S.todosResponse>),
    },
    {
      method: 'put',
      path: '/session/{sessionID}/status',
      operationId: 'session.status.set',
      summary: 'Set runtime status: idle, busy, retry or error',
      params: sid,
      body: statusInput,
      response: statusInput,
      handler: async (_c, { params, body }) => index.setStatus(params.sessionID as string, body as z.infer<typeof statusInput>),
    },
    {
      method: 'get',
      path: '/session/{sessionID}/diff',
      operationId: 'session.diff',
      summary: 'The file changes the session (or one message) recorded',
      params: sid,
      query: S.diffQuery,
      handler: async (_c, { params, query }) =>
        diff(archive, params.sessionID as string, { messageID: (query as z.infer<typeof S.diffQuery>).messageID }),
    },
    {
      method: 'post',
      path: '/session/{sessionID}/revert',
      operationId: 'session.revert',
      summary: 'Revert to a message (the next message removes it and what follows); 409 while busy',
      params: sid,
      body: S.revertBody,
      response: S.sessionResponse,
      handler: async (_c, { params, body }) =>
        freshSession(await revert(archive, params.sessionID as string, body as z.infer<typeof S.revertBody>)),
    },
    {
      method: 'post',
      path: '/session/{sessionID}/unrevert',
      operationId: 'session.unrevert',
      summary: 'Clear a pending revert; 409 while busy',
      params: sid,
      response: S.sessionResponse,
      handler: async (_c, { params }) => freshSession(await unrevert(archive, params.sessionID as string)),
    },
    {
      method: 'post',
      path: '/session/{sessionID}/abort',
      operationId: 'session.abort',
      summary: 'Mark the session idle and announce the abort to its writer',
      params: sid,
      response: z.boolean(),
      handler: async (_c, { params }) => index.abort(params.sessionID as string),
    },
    {
      method: 'post',
      path: '/session/{sessionID}/init',
      operationId: 'session.init',
      summary: 'Record an init request and announce it (no model runs here)',
      params: sid,
      body: S.initBody,
      response: z.boolean(),
      handler: async (_c, { params, body }) => index.init(params.sessionID as string, body as Record<string, unknown>),
    },
    {
      method: 'post',
      path: '/session/{sessionID}/migrate',
      operationId: 'session.migrate',
      summary: 'Move one session (and its child tree) to another folder',
      params: sid,
      body: S.migrateOneBody,
      handler: async (_c, { params, body }) => {
        const result = await migrate(
          archive,
          { ids: [params.sessionID as string] },
          { to: (body as z.infer<typeof S.migrateOneBody>).directory, index },
        );
        return fresh(result, ...result.moved.map((r) => r.id));
      },
    },
    {
      method: 'get',
      path: '/session/{sessionID}/message',
      operationId: 'session.messages',
      summary: 'Messages in order; limit = the newest N, before = a cursor (X-Next-Cursor of the previous page)',
      params: sid,
      query: S.messagesQuery,
      response: S.messagesResponse,
      handler: async (c, { params, query }) => {
        const q = query as z.infer<typeof S.messagesQuery>;
        if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1))
          throw new BadRequest(`invalid limit ${q.limit}: expected a whole number ≥ 1`, 'Query');
        const sessionID = params.sessionID as string;
        const before = q.before === undefined ? undefined : decodeBefore(q.before);
        // One read of the session's messages: the page, and whether older ones remain.
        const all = await archive.messages.list(sessionID, { before });
        const page = q.limit === undefined ? all : all.slice(-q.limit);
        const oldest = page[0];
        if (oldest && page.length < all.length) {
          const cursor = cursorOf(oldest);
          const next = new URL(c.req.url);
          next.searchParams.set('before', cursor);
          c.header('X-Next-Cursor', cursor);
          c.header('Link', `<${next.toString()}>; rel="next"`);
          c.header('Access-Control-Expose-Headers', 'Link, X-Next-Cursor');
        }
        return page;
      },
    },
    {
      method: 'post',
      path: '/session/{sessionID}/message',
      operationId: 'session.prompt',
      summary: 'Store a user message built from the body (no model runs, as with noReply) and answer {info, parts}',
      params: sid,
      body: S.promptBody,
      response: S.messageResponse,
      handler: async (_c, { params, body }) => {
        const b = body as z.infer<typeof S.promptBody>;
        const info: Record<string, unknown> & { role: 'user' } = {
          role: 'user',
          agent: b.agent ?? 'build',
          model: b.model ?? { providerID: 'session-archive', modelID: 'none' },
        };
        if (b.messageID !== undefined) info.id = b.messageID;
        if (b.system !== undefined) info.system = b.system;
        if (b.tools !== undefined) info.tools = b.tools;
        return archive.messages.append(params.sessionID as string, { info, parts: b.parts });
      },
    },
    {
      method: 'get',
      path: '/session/{sessionID}/message/{messageID}',
      operationId: 'session.message',
      summary: 'One message with its parts',
      params: { sessionID: 'session', messageID: 'message' },
      response: S.messageResponse,
      handler: async (_c, { params }) => archive.messages.get(params.sessionID as string, params.messageID as string),
    },
    {
      method: 'put',
      path: '/session/{sessionID}/message/{messageID}',
      operationId: 'session.message.put',
      summary: 'Create or replace a whole message {info, parts} (assistant messages too)',
      params: { sessionID: 'session', messageID: 'message' },
      body: z.looseObject({
        info: z.looseObject({ role: z.enum(['user', 'assistant']) }),
        parts: z.array(z.looseObject({ type: z.string() })),
      }),
      response: S.messageResponse,
      handler: async (_c, { params, body }) => {
        const b = body as {
          info: Record<string, unknown> & { role: 'user' | 'assistant' };
          parts: Array<Record<string, unknown> & { type: string }>;
        };
        if (b.info.id !== undefined && b.info.id !== params.messageID)
          throw new BadRequest(`invalid body: info.id ${String(b.info.id)} is not ${params.messageID}`);
        return archive.messages.upsert(params.sessionID as string, { info: { ...b.info, id: params.messageID }, parts: b.parts });
      },
    },
    {
      method: 'delete',
      path: '/session/{sessionID}/message/{messageID}',
      operationId: 'session.deleteMessage',
      summary: 'Delete a message',
      params: { sessionID: 'session', messageID: 'message' },
      response: z.boolean(),
      handler: async (_c, { params }) => {
        await archive.messages.delete(params.sessionID as string, params.messageID as string);
        return true;
      },
    },
    {
      method: 'patch',
      path: '/session/{sessionID}/message/{messageID}/part/{partID}',
      operationId: 'part.update',
      summary: 'Replace one part',
      params: { sessionID: 'session', messageID: 'message', partID: 'part' },
      body: z.looseObject({ type: z.string() }),
      response: S.part,
      handler: async (_c, { params, body }) => {
        const b = body as Record<string, unknown> & { type: string };
        if (b.id !== undefined && b.id !== params.partID) throw new BadRequest(`invalid body: id ${String(b.id)} is not ${params.partID}`);
        return archive.messages.upsertPart(params.sessionID as string, params.messageID as string, { ...b, id: params.partID });
      },
    },
    {
      method: 'delete',
      path: '/session/{sessionID}/message/{messageID}/part/{partID}',
      operationId: 'part.delete',
      summary: 'Delete one part',
      params: { sessionID: 'session', messageID: 'message', partID: 'part' },
      response: z.boolean(),
      handler: async (_c, { params }) => {
        await archive.messages.deletePart(params.sessionID as string, params.messageID as string, params.partID as string);
        return true;
      },
    },
    {
      method: 'post',
      path: '/backup/list',
      operationId: 'backup.list',
      summary: 'Every session with its message count',
      handler: async () => {
        const all = index.history({ archived: 'include', limit: 1_000_000 }).items;
        return Promise.all(
          all.map(async (s) => ({ ...(await archive.sessions.get(s.id)), messages: (await archive.messages.ids(s.id)).length })),
        );
      },
    },
    {
      method: 'post',
      path: '/backup/export',
      operationId: 'backup.export',
      summary: 'The export document of a session (children optional; format archive or opencode), streamed',
      body: S.exportBody,
      handler: async (_c, { body }) => {
        const b = body as z.infer<typeof S.exportBody>;
        const pieces = exportSessions(archive, [b.sessionID], { children: b.children, format: b.format, index });
        const first = await pieces.next();
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            if (!first.done) controller.enqueue(new TextEncoder().encode(first.value));
          },
          async pull(controller) {
            const next = await pieces.next();
            if (next.done) controller.close();
            else controller.enqueue(new TextEncoder().encode(next.value));
          },
        });
        return new Response(stream, { headers: { 'content-type': 'application/json; charset=utf-8' } });
      },
    },
    {
      method: 'post',
      path: '/backup/import',
      operationId: 'backup.import',
      summary: 'Import an export document or an OpenCode export (clones unless ?mode=keep-ids)',
      query: S.importQuery,
      body: z.unknown(),
      handler: async (_c, { query, body }) => {
        const result = await importSessions(archive, body, { mode: (query as z.infer<typeof S.importQuery>).mode ?? 'clone' });
        await index.refresh(...result.sessions.map((s) => s.to));
        return { mode: result.mode, sessions: result.sessions.map((s) => ({ from: s.from, id: s.to, title: s.title })) };
      },
    },
    {
      method: 'get',
      path: '/share/{token}',
      operationId: 'share.get',
      summary: 'A shared session, read-only: JSON for Accept: application/json, else a readable page',
      params: { token: 'token' },
      produces: 'text/html',
      handler: async (c, { params }) => {
        const info = await findShared(archive, params.token as string, { index });
        if (!info) return c.json({ name: 'NotFoundError', data: { message: 'share not found' } }, 404);
        const [messages, todos] = await Promise.all([archive.messages.list(info.id), archive.todos.get(info.id)]);
        if ((c.req.header('accept') ?? '').includes('application/json')) return c.json({ info, messages, todos });
        return c.html(renderSharePage(info, messages, todos));
      },
    },
  ];

  async function history(c: import('hono').Context, q: z.infer<typeof S.historyQuery>) {
    const page = index.history({
      limit: q.limit,
      cursor: q.cursor,
      search: q.search,
      roots: q.roots,
      archived: archivedMode(q.archived),
      directory: q.directory,
      project: q.project,
    });
    if (page.nextCursor) {
      c.header('X-Next-Cursor', page.nextCursor);
      c.header('Access-Control-Expose-Headers', 'Link, X-Next-Cursor');
    }
    const full = await infos(archive, page.items);
    const projects = new Map(page.items.map((s) => [s.id, s.project]));
    return full.map((s) => ({ ...s, project: projects.get(s.id) ?? null }));
  }

  return list;
}
