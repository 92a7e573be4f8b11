import { orphans } from '../../index.js';
import type { ServerActions, ServerDeps } from '../actions.js';
import { defineRoute, type Route } from '../define-route.js';
import * as S from '../schemas.js';

const sid = { sessionID: 'session' } as const;

/** Moving sessions to another folder (many at once, or one), and the sessions whose folder is gone: \`sarc migrate\`, \`sarc orphans\`. */
export function moveRoutes({ archive, index }: ServerDeps, act: ServerActions): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/session/orphans',
      operationId: 'session.orphans',
      summary: 'Sessions whose folder is gone, or in project global inside a known project',
      handler: async () => orphans(archive, { index }),
    }),
    defineRoute({
      method: 'post',
      path: '/session/migrate',
      operationId: 'session.migrateMany',
      summary: 'Move sessions (by IDs, folders/globs, projects) and their child trees to another folder',
      body: S.migrateBody,
      handler: async (_c, { body: b }) =>
        act.migrate({ ids: b.ids, fromDir: b.fromDir, fromProject: b.fromProject }, { to: b.to, dryRun: b.dryRun }),
    }),
    defineRoute({
      method: 'post',
      path: '/session/{sessionID}/migrate',
      operationId: 'session.migrate',
      summary: 'Move one session (and its child tree) to another folder',
      params: sid,
      body: S.migrateOneBody,
      handler: async (_c, { params, body }) => act.migrate({ ids: [params.sessionID] }, { to: body.directory }),
    }),
  ];
}
