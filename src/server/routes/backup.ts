import * as z from 'zod';
import { exportSessions, findShared, type Session } from '../../index.js';
import type { ServerActions, ServerDeps } from '../actions.js';
import { defineRoute, type Route } from '../define-route.js';
import { HttpRefusal } from '../errors.js';
import * as S from '../schemas.js';
import { sharePage } from '../share-page.js';
import { textStream } from '../streams.js';

const SHARE_CSP =
  "sandbox; default-src 'none'; img-src 'self' data:; base-uri 'none'; object-src 'none'; form-action 'none'; frame-ancestors 'none'";

/** Whole sessions in and out (export, import, a list for backups) and the read-only share page. */
export function backupRoutes({ archive, index }: ServerDeps, act: ServerActions): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/backup/list',
      operationId: 'backup.list',
      summary: 'Every session with its message count',
      handler: async () => {
        const all = index.history({ archived: 'include', limit: 1_000_000 }).items;
        const out: Array<Session & { messages: number }> = [];
        // One session at a time after a bounded read of the infos: no file-descriptor storm at 100k sessions.
        for (const info of await archive.sessions.getMany(all.map((s) => s.id))) {
          out.push({ ...info, messages: (await archive.messages.ids(info.id)).length });
        }
        return out;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/backup/export',
      operationId: 'backup.export',
      summary: 'The export document of a session (children optional; format archive or opencode), streamed',
      body: S.exportBody,
      handler: async (_c, { body }) =>
        // The first piece is read before answering, so an unknown session is a 404, not a broken stream.
        textStream(exportSessions(archive, [body.sessionID], { children: body.children, format: body.format, index }), {}),
    }),
    defineRoute({
      method: 'post',
      path: '/backup/import',
      operationId: 'backup.import',
      summary: 'Import an export document or an OpenCode export (clones unless ?mode=keep-ids)',
      query: S.importQuery,
      body: z.unknown(),
      handler: async (_c, { query, body }) => {
        const result = await act.import(body, query.mode ?? 'clone');
        return { mode: result.mode, sessions: result.sessions.map((s) => ({ from: s.from, id: s.to, title: s.title })) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/share/{token}',
      operationId: 'share.get',
      summary: 'A shared session, read-only: JSON for Accept: application/json, else a readable page',
      params: { token: 'token' },
      produces: 'text/html',
      handler: async (c, { params }) => {
        const info = await findShared(archive, params.token, { index });
        if (!info) throw new HttpRefusal(404, 'NotFoundError', 'share not found');
        const todos = await archive.todos.get(info.id);
        if ((c.req.header('accept') ?? '').includes('application/json')) {
          const { items: messages } = await archive.messages.page(info.id);
          return c.json({ info, messages, todos });
        }
        const nonce = c.get('secureHeadersNonce') ?? '';
        // Reachable without a password: sandboxed on top of the usual policy (no script, no form, no same-origin access).
        return textStream(
          sharePage(info, () => archive.messages.each(info.id), todos, nonce),
          {
            'content-type': 'text/html; charset=UTF-8',
            'content-security-policy': `${SHARE_CSP}; style-src 'nonce-${nonce}'`,
          },
        );
      },
    }),
  ];
}
