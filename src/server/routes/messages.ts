import * as z from 'zod';
import type { ServerActions, ServerDeps } from '../actions.js';
import { defineRoute, type Route } from '../define-route.js';
import { BadRequest } from '../errors.js';
import * as S from '../schemas.js';
import { jsonArrayStream } from '../streams.js';

const sid = { sessionID: 'session' } as const;
const mid = { sessionID: 'session', messageID: 'message' } as const;

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

const messageBody = z.looseObject({
  info: z.looseObject({ role: z.enum(['user', 'assistant']) }),
  parts: z.array(z.looseObject({ type: z.string() })),
});

/** Messages and parts of a session: page, append (OpenCode's prompt without a model), read, replace, delete. */
export function messageRoutes({ archive }: ServerDeps, act: ServerActions): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/session/{sessionID}/message',
      operationId: 'session.messages',
      summary: 'Messages in order; limit = the newest N, before = a cursor (X-Next-Cursor of the previous page)',
      params: sid,
      query: S.messagesQuery,
      response: S.messagesResponse,
      handler: async (c, { params, query: q }) => {
        if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1))
          throw new BadRequest(`invalid limit ${q.limit}: expected a whole number ≥ 1`, 'Query');
        const before = q.before === undefined ? undefined : decodeBefore(q.before);
        // A whole session can outgrow a string: streamed, message by message (the same bytes c.json would send).
        if (q.limit === undefined) return jsonArrayStream(archive.messages.each(params.sessionID, { before }));
        // Reads only the page's files; a broken one is answered in its place as {info: {id, …}, parts: [], error}.
        const { items: page, more } = await archive.messages.page(params.sessionID, { before, limit: q.limit });
        const oldest = page[0];
        if (oldest && more) {
          const cursor = cursorOf(oldest);
          const next = new URL(c.req.url);
          next.searchParams.set('before', cursor);
          c.header('X-Next-Cursor', cursor);
          c.header('Link', `<${next.toString()}>; rel="next"`);
          c.header('Access-Control-Expose-Headers', 'Link, X-Next-Cursor');
        }
        return page;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/session/{sessionID}/message',
      operationId: 'session.prompt',
      summary: 'Store a user message built from the body (no model runs, as with noReply) and answer {info, parts}',
      params: sid,
      body: S.promptBody,
      response: S.messageResponse,
      handler: async (_c, { params, body: b }) => {
        const info: Record<string, unknown> & { role: 'user' } = {
          role: 'user',
          agent: b.agent ?? 'build',
          model: b.model ?? { providerID: 'session-archive', modelID: 'none' },
        };
        if (b.messageID !== undefined) info.id = b.messageID;
        if (b.system !== undefined) info.system = b.system;
        if (b.tools !== undefined) info.tools = b.tools;
        return act.within(params.sessionID, () => archive.messages.append(params.sessionID, { info, parts: b.parts }));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/session/{sessionID}/message/{messageID}',
      operationId: 'session.message',
      summary: 'One message with its parts',
      params: mid,
      response: S.messageResponse,
      handler: async (_c, { params }) => archive.messages.get(params.sessionID, params.messageID),
    }),
    defineRoute({
      method: 'put',
      path: '/session/{sessionID}/message/{messageID}',
      operationId: 'session.message.put',
      summary: 'Create or replace a whole message {info, parts} (assistant messages too)',
      params: mid,
      body: messageBody,
      response: S.messageResponse,
      handler: async (_c, { params, body }) => {
        if (body.info.id !== undefined && body.info.id !== params.messageID)
          throw new BadRequest(`invalid body: info.id ${String(body.info.id)} is not ${params.messageID}`);
        return act.within(params.sessionID, () =>
          archive.messages.upsert(params.sessionID, { info: { ...body.info, id: params.messageID }, parts: body.parts }),
        );
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/session/{sessionID}/message/{messageID}',
      operationId: 'session.deleteMessage',
      summary: 'Delete a message',
      params: mid,
      response: z.boolean(),
      handler: async (_c, { params }) => {
        await act.within(params.sessionID, () => archive.messages.delete(params.sessionID, params.messageID));
        return true;
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/session/{sessionID}/message/{messageID}/part/{partID}',
      operationId: 'part.update',
      summary: 'Replace one part',
      params: { ...mid, partID: 'part' },
      body: z.looseObject({ type: z.string() }),
      response: S.part,
      handler: async (_c, { params, body }) => {
        if (body.id !== undefined && body.id !== params.partID)
          throw new BadRequest(`invalid body: id ${String(body.id)} is not ${params.partID}`);
        return act.within(params.sessionID, () =>
          archive.messages.upsertPart(params.sessionID, params.messageID, { ...body, id: params.partID }),
        );
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/session/{sessionID}/message/{messageID}/part/{partID}',
      operationId: 'part.delete',
      summary: 'Delete one part',
      params: { ...mid, partID: 'part' },
      response: z.boolean(),
      handler: async (_c, { params }) => {
        await act.within(params.sessionID, () => archive.messages.deletePart(params.sessionID, params.messageID, params.partID));
        return true;
      },
    }),
  ];
}
