import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { parseJsonInput } from '../index.js';
import { assertId, type IdKind } from '../model/ids.js';
import { BadRequest, toErrorResponse } from './errors.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteInput<Q, B> {
  params: Record<string, string>;
  query: Q;
  body: B;
}

/** One route: how it is validated, documented and handled. The OpenAPI document is built from these. */
export interface RouteSpec<Q = unknown, B = unknown> {
  method: Method;
  /** OpenAPI style: `/session/{sessionID}`. */
  path: string;
  operationId: string;
  summary: string;
  tags?: string[];
  /** Path parameters and the kind of ID each must be (checked before anything touches the disk). */
  params?: Record<string, IdKind | 'token'>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The 200 response, for the document. */
  response?: z.ZodType;
  /** Non-JSON responses. */
  produces?: 'text/event-stream' | 'text/html';
  handler: (c: Context, input: RouteInput<Q, B>) => Promise<unknown>;
}

/** Query booleans as OpenCode takes them: true/false strings. */
export const queryBool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
export const queryNumber = z.coerce.number();

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Registers the routes on a Hono app: validation first, then the handler, errors through `toErrorResponse`. */
export function mount(app: Hono, routes: readonly RouteSpec[]): void {
  for (const spec of routes) {
    const path = spec.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(spec.method.toUpperCase(), path, async (c) => {
      const params = c.req.param() as Record<string, string>;
      try {
        for (const [name, kind] of Object.entries(spec.params ?? {})) {
          if (kind !== 'token') assertId(kind, params[name]);
        }
        let query: unknown = {};
        if (spec.query) {
          const parsed = spec.query.safeParse(c.req.query());
          if (!parsed.success) throw new BadRequest(`invalid query: ${issues(parsed.error)}`, 'Query');
          query = parsed.data;
        }
        let body: unknown;
        if (spec.body) {
          const bytes = new Uint8Array(await c.req.arrayBuffer());
          // Invalid UTF-8, a syntax error (with line:column) or a key given twice: INVALID_INPUT, a 400.
          let raw: unknown = {};
          if (bytes.some((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)) raw = parseJsonInput(bytes, 'request body');
          const parsed = spec.body.safeParse(raw);
          if (!parsed.success) throw new BadRequest(`invalid body: ${issues(parsed.error)}`, 'Body');
          body = parsed.data;
        }
        const result = await spec.handler(c, { params, query, body } as RouteInput<unknown, unknown>);
        return result instanceof Response ? result : c.json(result as object);
      } catch (error) {
        const { status, body } = toErrorResponse(error, params.sessionID);
        return c.json(body, status);
      }
    });
  }
}
