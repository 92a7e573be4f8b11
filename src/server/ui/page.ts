import type { Context } from 'hono';
import { errorMessage, toErrorResponse } from '../errors.js';
import { html, page, type Raw } from './html.js';

/** Messages per page of a conversation: at least this many, then on to the end of the turn… */
export const PAGE = 100;
/** …but never more than this (a longer turn continues on the next page). */
export const PAGE_MAX = 400;

export const HTML = { 'content-type': 'text/html; charset=UTF-8' };

/** A start, the pieces, an end: one stream of text. */
export async function* framed(start: string, pieces: AsyncIterable<string>, end: string): AsyncGenerator<string> {
  yield start;
  yield* pieces;
  yield end;
}

/** What the web UI needs besides the library. */
export interface UiOptions {
  /** The token every form carries and every POST must return (a per-server secret). */
  csrfToken: string;
}

/** An HTML page with the response's CSP nonce (set by the secure-headers middleware). */
export function htmlPage(c: Context, title: string, body: Raw, script?: string, status: 200 | 400 | 403 | 404 | 409 | 500 = 200): Response {
  return c.html(page(title, body, { nonce: c.get('secureHeadersNonce') ?? '', script }), status);
}

/** A readable error page in place of a blank one. */
export function errorPage(c: Context, error: unknown): Response {
  const response = toErrorResponse(error);
  const { status } = response;
  const message = errorMessage(response);
  const title =
    status === 404 ? 'Not found' : status === 409 ? 'Conflict' : status === 400 ? 'Bad request' : status === 403 ? 'Forbidden' : 'Error';
  return htmlPage(
    c,
    title,
    html`<h1>${title}</h1><p class="error-box" role="alert">${message}</p><p><a href="/">Back to all sessions</a></p>`,
    undefined,
    status === 401 || status === 413 || status === 415 || status === 421 ? 400 : status,
  );
}
