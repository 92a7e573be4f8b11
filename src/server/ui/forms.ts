import { timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { isArchiveError, isId, parseJsonInput } from '../../index.js';
import type { ServerActions } from '../actions.js';
import { BadRequest, HttpRefusal } from '../errors.js';
import { errorPage, type UiOptions } from './page.js';

/** The forms of the pages: each POST checks the page's CSRF token, writes through the server's actions and redirects. */
export function registerForms(app: Hono, act: ServerActions, ui: UiOptions): void {
  const expected = Buffer.from(ui.csrfToken);
  /** The submitted form, once its CSRF token is the page's: a form posted from anywhere else has none. */
  async function checkedForm(c: Context): Promise<Record<string, unknown>> {
    const form = (await c.req.parseBody()) as Record<string, unknown>;
    const given = Buffer.from(typeof form._csrf === 'string' ? form._csrf : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpRefusal(403, 'ForbiddenError', 'the form is missing its token or it is stale; reload the page and try again');
    }
    return form;
  }

  const action = (path: string, run: (id: string, form: Record<string, unknown>, c: Context) => Promise<string>) =>
    app.post(path, async (c) => {
      const id = c.req.param('id') ?? '';
      try {
        const form = await checkedForm(c);
        return c.redirect(await run(id, form, c), 303);
      } catch (error) {
        return errorPage(c, error);
      }
    });

  action('/ui/session/:id/title', async (id, form) => {
    await act.update(id, { title: String(form.title ?? '') });
    return `/ui/session/${id}`;
  });
  action('/ui/session/:id/fork', async (id, form) => {
    const fork = await act.fork(id, { messageID: String(form.messageID ?? '') || undefined });
    return `/ui/session/${fork.id}`;
  });
  action('/ui/session/:id/share', async (id) => {
    await act.share(id);
    return `/ui/session/${id}`;
  });
  action('/ui/session/:id/unshare', async (id) => {
    await act.unshare(id);
    return `/ui/session/${id}`;
  });
  for (const [name, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    action(`/ui/session/:id/${name}`, async (id) => {
      await act.setArchived(id, archived);
      return `/ui/session/${id}`;
    });
  }
  action('/ui/session/:id/delete', async (id, form) => {
    if (form.confirm !== 'yes') return `/ui/session/${id}`;
    await act.remove(id);
    return '/';
  });
  app.post('/ui/import', async (c) => {
    try {
      const form = await checkedForm(c);
      const file = form.file;
      const bytes = typeof file === 'string' ? file : file instanceof File ? new Uint8Array(await file.arrayBuffer()) : '';
      let payload: unknown;
      try {
        payload = parseJsonInput(bytes, file instanceof File ? file.name : 'the upload');
      } catch (error) {
        if (!isArchiveError(error, 'INVALID_INPUT')) throw error;
        throw new BadRequest(`the uploaded file is not valid JSON (${error.message}); choose a file made by Export or \`opencode export\``);
      }
      const result = await act.import(payload);
      const first = result.sessions[0]?.to;
      return c.redirect(first && isId('session', first) ? `/ui/session/${first}` : '/', 303);
    } catch (error) {
      return errorPage(c, error);
    }
  });
}
