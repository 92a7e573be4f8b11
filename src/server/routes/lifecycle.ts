import * as z from 'zod';
import { diff } from '../../index.js';
import type { ServerActions, ServerDeps } from '../actions.js';
import { defineRoute, type Route } from '../define-route.js';
import * as S from '../schemas.js';

const sid = { sessionID: 'session' } as const;

/** Routes that change a session's state beyond its fields: share, revert, abort, init; and its diff. */
export function lifecycleRoutes({ archive, index }: ServerDeps, act: ServerActions): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/session/{sessionID}/share',
      operationId: 'session.share',
      summary: 'Share read-only at <server>/share/<token> (the same URL when already shared)',
      params: sid,
      response: S.sessionResponse,
      handler: async (_c, { params }) => act.share(params.sessionID),
    }),
    defineRoute({
      method: 'delete',
      path: '/session/{sessionID}/share',
      operationId: 'session.unshare',
      summary: 'Stop sharing; the old URL stops working',
      params: sid,
      response: S.sessionResponse,
      handler: async (_c, { params }) => act.unshare(params.sessionID),
    }),
    defineRoute({
      method: 'get',
      path: '/session/{sessionID}/diff',
      operationId: 'session.diff',
      summary:
        "The file changes the session (or one message) recorded; without recorded snapshots, what its agent's edit tool calls changed",
      params: sid,
      query: S.diffQuery,
      handler: async (_c, { params, query }) => diff(archive, params.sessionID, { messageID: query.messageID }),
    }),
    defineRoute({
      method: 'post',
      path: '/session/{sessionID}/revert',
      operationId: 'session.revert',
      summary: 'Revert to a message (the next message removes it and what follows); 409 while busy',
      params: sid,
      body: S.revertBody,
      response: S.sessionResponse,
      handler: async (_c, { params, body }) => act.revert(params.sessionID, body),
    }),
    defineRoute({
      method: 'post',
      path: '/session/{sessionID}/unrevert',
      operationId: 'session.unrevert',
      summary: 'Clear a pending revert; 409 while busy',
      params: sid,
      response: S.sessionResponse,
      handler: async (_c, { params }) => act.unrevert(params.sessionID),
    }),
    defineRoute({
      method: 'post',
      path: '/session/{sessionID}/abort',
      operationId: 'session.abort',
      summary: 'Mark the session idle and announce the abort to its writer',
      params: sid,
      response: z.boolean(),
      handler: async (_c, { params }) => index.abort(params.sessionID),
    }),
    defineRoute({
      method: 'post',
      path: '/session/{sessionID}/init',
      operationId: 'session.init',
      summary: 'Record an init request and announce it (no model runs here)',
      params: sid,
      body: S.initBody,
      response: z.boolean(),
      handler: async (_c, { params, body }) => index.init(params.sessionID, body),
    }),
  ];
}
