import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorResponse, HttpRefusal } from './errors.js';

/** Who may talk to the server: the Host names it answers to, and the origins whose pages may write. */
export interface SitePolicy {
  /** `host:port` (lower case, IPv6 in brackets) the server answers to; a bare name allows it on any port. */
  hosts: readonly string[];
  /** Origins (`http://127.0.0.1:4097`, the public URL's) whose pages may send writes besides the request's own. */
  origins: readonly string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The policy of a server bound to `port`: the loopback names on that port,
 * the bound address itself, the names the user allowed (`--allow-host`) and
 * the public URL's host (`--public-url`).
 */
export function sitePolicy(options: { port: number; boundHost?: string; allowHosts?: readonly string[]; publicUrl?: string }): SitePolicy {
  const hosts = LOOPBACK_NAMES.map((name) => `${name}:${options.port}`);
  if (options.boundHost) hosts.push(`${options.boundHost.includes(':') ? `[${options.boundHost}]` : options.boundHost}:${options.port}`);
  for (const h of options.allowHosts ?? []) hosts.push(h.toLowerCase());
  const origins = [`http://127.0.0.1:${options.port}`];
  if (options.publicUrl) {
    const url = new URL(options.publicUrl);
    hosts.push(url.host.toLowerCase());
    origins.push(url.origin);
  }
  return { hosts: [...new Set(hosts)], origins };
}

function hostAllowed(host: string, policy: SitePolicy): boolean {
  if (policy.hosts.includes(host)) return true;
  // A bare name (no port) allows that name on any port.
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name !== undefined && policy.hosts.includes(name);
}

/**
 * Answers only to allowed Host names: a page on another site whose DNS name
 * is re-bound to 127.0.0.1 (DNS rebinding) sends its own name as Host and is
 * refused, so it can neither read the archive nor plant its name anywhere.
 */
export function hostGuard(policy: SitePolicy): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!hostAllowed(host, policy)) {
      const name = host.replace(/:\d+$/, '') || '(none)';
      return errorResponse(
        c,
        new HttpRefusal(
          421,
          'MisdirectedRequest',
          `this server does not answer to the host name ${JSON.stringify(name)}; to allow it, start it with --allow-host ${name} (or --public-url)`,
        ),
      );
    }
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses every request that changes anything when a browser marks it as
 * coming from anywhere but this server's own pages: by `Sec-Fetch-Site`
 * (anything but `same-origin`) where the browser sends it, else by an
 * `Origin` that is not the server's own. Clients that send neither header
 * (the CLI, the OpenCode SDK, curl) are not browsers running someone else's
 * page, and pass. Runs before authentication: a browser resends cached
 * credentials with a cross-site form post.
 *
 * `Sec-Fetch-Site` decides when present because our own pages send
 * `Referrer-Policy: no-referrer`, under which Chromium posts their forms with
 * `Origin: null`. Hono's `csrf()` middleware is close but does not fit: it
 * looks only at form-like content types (a JSON body with a foreign Origin
 * would pass) and refuses requests that carry neither header (curl's form posts).
 */
export function crossSiteGuard(policy: SitePolicy): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    if (site !== undefined) {
      if (site !== 'same-origin') {
        return errorResponse(
          c,
          new HttpRefusal(403, 'ForbiddenError', `cross-site request refused (Sec-Fetch-Site: ${site.slice(0, 40)})`),
        );
      }
    } else if (origin !== undefined && origin !== new URL(c.req.url).origin && !policy.origins.includes(origin)) {
      return errorResponse(c, new HttpRefusal(403, 'ForbiddenError', `cross-site request refused (Origin: ${origin.slice(0, 200)})`));
    }
    await next();
  };
}

/**
 * The Node request behind `c` when its body is delimited by `Content-Length`
 * (or it has none): Node's parser then hands over no more bytes than that
 * header declares. Undefined for a chunked body, and for a request that did
 * not come through Node's HTTP server (`app.request` in tests).
 */
export function plainIncoming(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming && incoming.headers['transfer-encoding'] === undefined ? incoming : undefined;
}

/**
 * Refuses a request body larger than `maxSize` (413). A declared length is
 * checked from Node's own headers; only a chunked body goes through hono's
 * `bodyLimit`, which reads it into memory while it counts. `bodyLimit`
 * alone starts by asking for the request's body stream, which makes the
 * adapter build a full WHATWG `Request` (its AbortController, Headers and
 * stream) for every request, GETs too: a third of the adapter's CPU per
 * request, for a check that needs one header.
 */
export function requestBodyLimit(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const chunked = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const incoming = plainIncoming(c);
    if (!incoming) return chunked(c, next);
    // Without Content-Length (and not chunked), an HTTP/1.1 request has no body.
    return Number(incoming.headers['content-length'] ?? 0) > maxSize ? onError(c) : next();
  };
}
