import * as z from 'zod';
import { VERSION } from '../index.js';
import type { Route } from './define-route.js';

const schema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' });

const errorBody = {
  type: 'object',
  properties: { name: { type: 'string' }, data: { type: 'object', properties: { message: { type: 'string' } } } },
};

/** The OpenAPI 3.1 document, made from the same zod schemas the routes validate with. */
export function openApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = Object.keys(r.params ?? {}).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const q = schema(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(q.properties ?? {}))
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema: s });
    }
    const responses: Record<string, unknown> = {
      '200': r.produces
        ? { description: 'OK', content: { [r.produces]: {} } }
        : { description: 'OK', content: { 'application/json': { schema: r.response ? schema(r.response, 'output') : {} } } },
      '400': { description: 'Bad request (a malformed ID, query or body)', content: { 'application/json': { schema: errorBody } } },
      '404': { description: 'Not found', content: { 'application/json': { schema: errorBody } } },
    };
    responses['421'] = {
      description: 'The Host name is not one this server answers to (see --allow-host)',
      content: { 'application/json': { schema: errorBody } },
    };
    if (r.method !== 'get') {
      responses['403'] = {
        description: 'Refused: sent by a page of another site (Sec-Fetch-Site / Origin)',
        content: { 'application/json': { schema: errorBody } },
      };
      responses['409'] = { description: 'Conflict (ID taken, session busy or locked)' };
      if (r.body)
        responses['415'] = { description: 'The body is not application/json', content: { 'application/json': { schema: errorBody } } };
    }
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method] = {
      operationId: r.operationId,
      summary: r.summary,
      parameters,
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } } } : {}),
      responses,
    };
  }
  paths['/event'] = {
    get: {
      operationId: 'event.subscribe',
      summary: 'Server-sent events in OpenCode shape ({type, properties}); ?session=ID adds its message events',
      responses: { '200': { description: 'OK', content: { 'text/event-stream': {} } } },
    },
  };
  paths['/doc'] = { get: { operationId: 'doc', summary: 'This document', responses: { '200': { description: 'OK' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'session-archive', version: VERSION, description: "OpenCode's session API over a plain-file archive" },
    paths,
  };
}
