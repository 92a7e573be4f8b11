import type { Hono } from 'hono';
import { attachmentOf, exportSessions, isId, sessionMarkdown } from '../../index.js';
import type { ServerDeps } from '../actions.js';
import { BadRequest, HttpRefusal } from '../errors.js';
import { textStream } from '../streams.js';
import { errorPage } from './page.js';

/** A session's files: an attached image or PDF, the export, the Markdown. */
export function registerSessionFiles(app: Hono, { archive, index }: ServerDeps): void {
  // An attached image or PDF, from the data: URL its message holds: served as its own type with nothing that could run.
  app.get('/ui/session/:id/file/:messageID/:partID', async (c) => {
    try {
      const { id, messageID, partID } = c.req.param();
      if (!isId('message', messageID) || !isId('part', partID)) throw new BadRequest('invalid message or part ID');
      const message = await archive.messages.get(id, messageID);
      const part = message.parts.find((p) => p.id === partID);
      const attached = part?.type === 'file' ? attachmentOf(part) : undefined;
      if (part?.type !== 'file' || !attached?.inline) throw new HttpRefusal(404, 'NotFoundError', 'no attached image or PDF here');
      const bytes = Buffer.from(part.url.slice(part.url.indexOf(',') + 1), 'base64');
      return c.body(new Uint8Array(bytes), 200, {
        'content-type': attached.mime,
        'x-content-type-options': 'nosniff',
        // Only this server's own pages may show it: another site's <img> is refused by the browser.
        'cross-origin-resource-policy': 'same-origin',
        'cache-control': 'private, max-age=3600',
        'content-disposition': 'inline',
        // A PDF is drawn by the browser's own viewer inside the session page's frame; an image is only an image.
        ...(attached.kind === 'pdf'
          ? { 'content-security-policy': "default-src 'none'; frame-ancestors 'self'", 'x-frame-options': 'SAMEORIGIN' }
          : { 'content-security-policy': "default-src 'none'; sandbox" }),
      });
    } catch (error) {
      return errorPage(c, error);
    }
  });

  app.get('/ui/session/:id/export', async (c) => {
    const id = c.req.param('id');
    try {
      // Streamed: a session can be larger than a string can hold.
      return await textStream(exportSessions(archive, [id], { children: true, index }), {
        'content-disposition': `attachment; filename="${id}.json"`,
      });
    } catch (error) {
      return errorPage(c, error);
    }
  });

  app.get('/ui/session/:id/markdown', async (c) => {
    const id = c.req.param('id');
    try {
      await archive.sessions.get(id);
      return await textStream(sessionMarkdown(archive, id), {
        'content-type': 'text/markdown; charset=UTF-8',
        'content-disposition': `attachment; filename="${id}.md"`,
      });
    } catch (error) {
      return errorPage(c, error);
    }
  });
}
