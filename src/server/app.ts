import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { randomText } from '../index.js';
import { type ServerDeps, serverActions } from './actions.js';
import { apiRoutes } from './api.js';
import { mount } from './define-route.js';
import { errorResponse, HttpRefusal } from './errors.js';
import { type EventStreamOptions, eventStream } from './event-stream.js';
import { crossSiteGuard, hostGuard, requestBodyLimit, type SitePolicy } from './guard.js';
import { openApiDocument } from './openapi.js';
import { registerUi } from './ui/routes.js';

export type { ServerDeps } from './actions.js';

export interface AppOptions extends ServerDeps, EventStreamOptions {
  /** Who may talk to the server (Host names, write origins); see `sitePolicy`. Without one, any Host is answered (for in-process tests). */
  site?: SitePolicy;
  /** The base of share URLs. @default http://127.0.0.1:4097 */
  publicUrl?: string;
  /** Turns on HTTP basic auth (any user name) for everything but /share/*. */
  password?: string;
  /** Largest request body in bytes; 413 past it. @default 64 MiB */
  bodyLimit?: number;
}

/**
 * A response's CSP nonce, made once per response as hono's `NONCE` makes it,
 * but from the process's pool of random bytes (filled from the system's
 * CSPRNG 4 KB at a time): every answer, JSON too, carries the header, and
 * asking the system for 16 bytes each time was ~0.1 ms of a 4 ms create.
 */
function nonce(c: Context): string {
  let value = c.get('secureHeadersNonce');
  if (!value) {
    value = randomText(16, 'base64');
    c.set('secureHeadersNonce', value);
  }
  return `'nonce-${value}'`;
}

function authorized(header: string | undefined, password: string): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const given = Buffer.from(decoded.slice(decoded.indexOf(':') + 1));
  const expected = Buffer.from(password);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The HTTP app: OpenCode's session routes and the archive's own, over the
 * library. A `(Request) => Response` handler that tests can call without a port.
 */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const deps: ServerDeps = { archive: options.archive, index: options.index };
  const act = serverActions(deps, { publicUrl: (options.publicUrl ?? 'http://127.0.0.1:4097').replace(/\/+$/, '') });
  const site = options.site ?? { hosts: [], origins: [] };
  // First, so that every answer (refusals too) carries them. Routes may set a
  // stricter CSP of their own (the share page), which is then kept.
  app.use(
    '*',
    secureHeaders({
      overwrite: false,
      xFrameOptions: 'DENY',
      // The server speaks plain HTTP; whether HTTPS is to be insisted on is for the proxy in front of it.
      strictTransportSecurity: false,
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: [nonce],
        styleSrc: [nonce],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        // An attached PDF, served by this server, in its session's page.
        frameSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  if (options.site) app.use('*', hostGuard(site));
  app.use('*', crossSiteGuard(site));
  if (options.password) {
    const password = options.password;
    app.use('*', async (c, next) => {
      if (c.req.path.startsWith('/share/') || authorized(c.req.header('authorization'), password)) return next();
      return errorResponse(c, new HttpRefusal(401, 'UnauthorizedError', 'authentication required'));
    });
  }
  const maxSize = options.bodyLimit ?? 64 * 1024 * 1024;
  app.use(
    '*',
    requestBodyLimit(maxSize, (c) =>
      errorResponse(c, new HttpRefusal(413, 'PayloadTooLarge', `request body larger than ${maxSize} bytes`)),
    ),
  );

  const routes = apiRoutes(deps, act);
  app.get('/doc', (c) => c.json(openApiDocument(routes)));
  app.get('/event', eventStream(options.index, options));
  mount(app, routes);
  registerUi(app, deps, act, { csrfToken: randomBytes(32).toString('base64url') });
  app.notFound((c) => errorResponse(c, new HttpRefusal(404, 'NotFoundError', `no route ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => errorResponse(c, error));
  return app;
}
