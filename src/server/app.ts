import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import type { ArchiveEvent } from '../index.js';
import { isId } from '../index.js';
import { openApiDocument } from './openapi.js';
import { mount } from './route.js';
import { routes, type ServerDeps } from './routes.js';
import { registerUi } from './ui/routes.js';

export interface AppOptions extends ServerDeps {
  /** Turns on HTTP basic auth (any user name) for everything but /share/*. */
  password?: string;
  /** Largest request body in bytes; 413 past it. @default 64 MiB */
  bodyLimit?: number;
  /** Heartbeat interval of the event stream. @default 10000 */
  heartbeatMs?: number;
  /** Events a slow event-stream client may have pending before it is dropped. @default 1000 */
  maxQueuedEvents?: number;
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
  const { index } = options;
  if (options.password) {
    const password = options.password;
    app.use('*', async (c, next) => {
      if (c.req.path.startsWith('/share/') || authorized(c.req.header('authorization'), password)) return next();
      c.header('WWW-Authenticate', 'Basic realm="session-archive"');
      return c.json({ name: 'UnauthorizedError', data: { message: 'authentication required' } }, 401);
    });
  }
  app.use(
    '*',
    bodyLimit({
      maxSize: options.bodyLimit ?? 64 * 1024 * 1024,
      onError: (c) =>
        c.json(
          { name: 'PayloadTooLarge', data: { message: `request body larger than ${options.bodyLimit ?? 64 * 1024 * 1024} bytes` } },
          413,
        ),
    }),
  );

  const specs = routes(options);
  app.get('/doc', (c) => c.json(openApiDocument(specs)));

  app.get('/event', (c) => {
    const session = c.req.query('session');
    if (session !== undefined && !isId('session', session)) {
      return c.json(
        { name: 'BadRequest', data: { message: `invalid session ID ${JSON.stringify(String(session).slice(0, 80))}`, kind: 'Query' } },
        400,
      );
    }
    return streamSSE(c, async (stream) => {
      const queue: ArchiveEvent[] = [];
      let wake: (() => void) | undefined;
      let open = true;
      const limit = options.maxQueuedEvents ?? 1000;
      const stop = index.on((e) => {
        if (queue.length >= limit) {
          // A client this far behind is dropped rather than let the queue grow without bound.
          open = false;
        } else queue.push(e);
        wake?.();
      });
      const unsubscribe = session ? await index.subscribe(session) : undefined;
      const heartbeat = setInterval(() => {
        void stream.write(': heartbeat\n\n').catch(() => {});
      }, options.heartbeatMs ?? 10_000);
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      try {
        await stream.writeSSE({ data: JSON.stringify({ type: 'server.connected', properties: {} }) });
        while (open) {
          const e = queue.shift();
          if (e) await stream.writeSSE({ data: JSON.stringify(e) });
          else await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      } finally {
        clearInterval(heartbeat);
        stop();
        unsubscribe?.();
      }
    });
  });

  mount(app, specs);
  registerUi(app, options);
  app.notFound((c) => c.json({ name: 'NotFoundError', data: { message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.onError((error, c) => c.json({ name: 'UnknownError', data: { message: error.message } }, 500));
  return app;
}
