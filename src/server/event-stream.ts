import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type ArchiveEvent, isId, type SessionIndex } from '../index.js';
import { BadRequest, errorResponse } from './errors.js';

export interface EventStreamOptions {
  /** Heartbeat interval. @default 10000 */
  heartbeatMs?: number;
  /** Events a slow client may have pending before it is dropped. @default 1000 */
  maxQueuedEvents?: number;
}

/** `GET /event`: the index's events as server-sent events in OpenCode's shape; `?session=ID` adds that session's message events. */
export function eventStream(index: SessionIndex, options: EventStreamOptions) {
  return (c: Context): Response | Promise<Response> => {
    const session = c.req.query('session');
    if (session !== undefined && !isId('session', session)) {
      return errorResponse(c, new BadRequest(`invalid session ID ${JSON.stringify(String(session).slice(0, 80))}`, 'Query'));
    }
    return streamSSE(c, async (stream) => {
      const queue: ArchiveEvent[] = [];
      let wake: (() => void) | undefined;
      let open = true;
      // Before any await: a client that leaves during one must still end this loop.
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      const limit = options.maxQueuedEvents ?? 1000;
      const stop = index.on((e) => {
        if (queue.length >= limit) {
          // A client this far behind is dropped rather than let the queue grow without bound.
          open = false;
        } else queue.push(e);
        wake?.();
      });
      let unsubscribe: (() => void) | undefined;
      let heartbeat: NodeJS.Timeout | undefined;
      try {
        unsubscribe = session ? await index.subscribe(session) : undefined;
        heartbeat = setInterval(() => {
          void stream.write(': heartbeat\n\n').catch(() => {});
        }, options.heartbeatMs ?? 10_000);
        if (open) await stream.writeSSE({ data: JSON.stringify({ type: 'server.connected', properties: {} }) });
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
  };
}
