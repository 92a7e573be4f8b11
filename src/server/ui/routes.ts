import type { Hono } from 'hono';
import type { ServerActions, ServerDeps } from '../actions.js';
import { askUsage } from '../usage.js';
import { registerForms } from './forms.js';
import { FAVICON } from './html.js';
import { registerListPage } from './list-page.js';
import { errorPage, htmlPage, type UiOptions } from './page.js';
import { registerSessionFiles } from './session-files.js';
import { registerSessionPage } from './session-page.js';
import { periodFor, renderUsagePage, usageAsk, usageFilters, usageTables } from './usage-page.js';

/** The web UI: server-rendered pages (readable without scripts) and a small script for live updates. */
export function registerUi(app: Hono, { archive, index }: ServerDeps, act: ServerActions, ui: UiOptions): void {
  registerListPage(app, { archive, index }, ui);
  for (const path of ['/favicon.svg', '/favicon.ico'])
    app.get(path, (c) => c.body(FAVICON, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }));

  app.get('/ui/usage', async (c) => {
    try {
      const filters = usageFilters((name) => c.req.query(name));
      const ask = usageAsk(filters);
      const deps = { archive, index };
      // Without a period chosen: one that gives a readable number of bars for the selection's span.
      const period = filters.period ?? periodFor((await askUsage(deps, { ...ask, tables: [], top: 0 })).span);
      const result = await askUsage(deps, { ...ask, tables: usageTables(period, filters.split), top: 10 });
      return htmlPage(c, 'Usage', renderUsagePage(result, filters, period));
    } catch (error) {
      return errorPage(c, error);
    }
  });
  registerSessionPage(app, { archive, index }, ui);
  registerSessionFiles(app, { archive, index });
  registerForms(app, act, ui);
}
