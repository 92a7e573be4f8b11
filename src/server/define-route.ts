import type { Context, Hono } from 'hono';
import * as z from 'zod';
import { assertId, type IdKind, jsonChunks, parseJsonInput } from '../index.js';
import { BadRequest, errorResponse, HttpRefusal } from './errors.js';
import { plainIncoming } from './guard.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Path parameters and the kind of ID each must be (checked before anything touches the disk). */
export type ParamSpec = Record<string, IdKind | 'token'>;

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What a handler gets, typed from its route's own params, query and body. */
export interface RouteInput<P extends ParamSpec, Q, B> {
  params: { [K in keyof P]: string };
  query: Parsed<Q>;
  body: Parsed<B>;
}

interface RouteDoc {
  method: Method;
  /** OpenAPI style: `/session/{sessionID}`. */
  path: string;
  operationId: string;
  summary: string;
  tags?: string[];
  /** The 200 response, for the document. */
  response?: z.ZodType;
  /** Non-JSON responses. */
  produces?: 'text/event-stream' | 'text/html';
}

/** One route as written: how it is validated, documented and handled. */
export interface RouteDef<P extends ParamSpec, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> extends RouteDoc {
  params?: P;
  query?: Q;
  body?: B;
  handler: (c: Context, input: RouteInput<P, Q, B>) => Promise<unknown>;
}

/** A route once defined: its types are checked, so the list can hold routes of any shape (the OpenAPI document is built from these). */
export interface Route extends RouteDoc {
  params?: ParamSpec;
  query?: z.ZodType;
  body?: z.ZodType;
  handler: (c: Context, input: { params: Record<string, string>; query: unknown; body: unknown }) => Promise<unknown>;
}

/**
 * Defines a route. The handler's `params`, `query` and `body` are typed from
 * the route's own `params` and zod schemas, so no handler needs a cast; the
 * one cast, from the typed definition to the list's common shape, is here,
 * where `mount` guarantees what the types promise.
 */
export function defineRoute<
  const P extends ParamSpec = Record<never, never>,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(def: RouteDef<P, Q, B>): Route {
  return def as unknown as Route;
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

/** True for `application/json`, with or without parameters (`; charset=utf-8`). */
function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * The request body's bytes in one buffer of its declared size, filled as the
 * chunks arrive: the chunks are not kept and then joined (which costs the body
 * twice), nor cached on the request for the life of the handler.
 */
async function readBody(c: Context): Promise<Uint8Array> {
  // A body of a declared length is read from Node's request itself (its size checked by
  // requestBodyLimit): a WHATWG Request and stream around it would cost more than a small body.
  const incoming = plainIncoming(c);
  if (incoming && incoming.headers['content-length'] === undefined) return new Uint8Array(0);
  const chunks: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null = incoming ?? c.req.raw.body;
  if (!chunks) return new Uint8Array(0);
  const declared = Number(c.req.header('content-length'));
  let buffer = new Uint8Array(Number.isSafeInteger(declared) && declared >= 0 ? declared : 1 << 16);
  let size = 0;
  for await (const value of chunks) {
    if (size + value.length > buffer.length) {
      const grown = new Uint8Array(Math.max(buffer.length * 2, size + value.length));
      grown.set(buffer.subarray(0, size));
      buffer = grown;
    }
    buffer.set(value, size);
    size += value.length;
  }
  return size === buffer.length ? buffer : buffer.subarray(0, size);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

async function parseBody(c: Context, schema: z.ZodType): Promise<unknown> {
  // Only JSON is JSON: a text/plain or form body needs no CORS preflight, so
  // taking it would let any web page write (see guard.ts for the rest).
  let bytes: Uint8Array | undefined = await readBody(c);
  if (bytes.length > 0 && !isJson(c.req.header('content-type'))) {
    throw new HttpRefusal(
      415,
      'UnsupportedMediaType',
      `expected a JSON body (Content-Type: application/json), got ${JSON.stringify(c.req.header('content-type') ?? 'none')}`,
    );
  }
  // The bytes, their text and the parsed value each cost about the body's
  // size: each is let go as soon as the next exists, so a body costs at most
  // about twice its size at any moment.
  let text: string | undefined;
  try {
    text = UTF8.decode(bytes);
  } catch {
    // Invalid UTF-8: INVALID_INPUT naming the line and byte.
    parseJsonInput(bytes, 'request body');
  }
  bytes = undefined;
  // A syntax error (with line:column) or a key given twice: INVALID_INPUT, a 400.
  let raw: unknown = {};
  if (text !== undefined && text.trim() !== '') raw = parseJsonInput(text, 'request body');
  text = undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new BadRequest(`invalid body: ${issues(parsed.error)}`, 'Body');
  return parsed.data;
}

/**
 * A JSON answer: one string when it is small, streamed in pieces when it is
 * not (a 60 MB message is never one 60 MB string plus its bytes).
 */
function jsonAnswer(c: Context, value: unknown): Response {
  const pieces = jsonChunks(value);
  const first = pieces.next();
  const second = first.done ? first : pieces.next();
  c.header('Content-Type', 'application/json');
  if (second.done) return c.body(first.done ? 'null' : first.value);
  const encoder = new TextEncoder();
  let pending: string | undefined = second.value;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(first.done ? '' : first.value));
    },
    pull(controller) {
      if (pending !== undefined) {
        controller.enqueue(encoder.encode(pending));
        pending = undefined;
        return;
      }
      const next = pieces.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return c.body(stream);
}

/** Registers the routes on a Hono app: validation first, then the handler, errors through the one mapping. */
export function mount(app: Hono, routes: readonly Route[]): void {
  for (const route of routes) {
    const path = route.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(route.method.toUpperCase(), path, async (c) => {
      const params = c.req.param() as Record<string, string>;
      try {
        for (const [name, kind] of Object.entries(route.params ?? {})) {
          if (kind !== 'token') assertId(kind, params[name]);
        }
        let query: unknown = {};
        if (route.query) {
          const parsed = route.query.safeParse(c.req.query());
          if (!parsed.success) throw new BadRequest(`invalid query: ${issues(parsed.error)}`, 'Query');
          query = parsed.data;
        }
        const body = route.body ? await parseBody(c, route.body) : undefined;
        const result = await route.handler(c, { params, query, body });
        return result instanceof Response ? result : jsonAnswer(c, result);
      } catch (error) {
        return errorResponse(c, error, params.sessionID);
      }
    });
  }
}
