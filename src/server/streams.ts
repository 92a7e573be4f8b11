import { jsonChunks } from '../index.js';

/**
 * A streamed answer from pieces of text. The first piece is read before the
 * answer starts, so an error found at once (an unknown session) is still an
 * error answer rather than a broken stream.
 */
export async function textStream(pieces: AsyncIterator<string>, headers: Record<string, string> = {}): Promise<Response> {
  const first = await pieces.next();
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!first.done) controller.enqueue(encoder.encode(first.value));
      else controller.close();
    },
    async pull(controller) {
      const next = await pieces.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await pieces.return?.(undefined);
    },
  });
  return new Response(stream, { headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/** `JSON.stringify` of an array, one item at a time: for answers larger than a string can hold. */
export function jsonArrayStream(items: AsyncIterable<unknown>): Promise<Response> {
  async function* pieces(): AsyncGenerator<string> {
    const it = items[Symbol.asyncIterator]();
    // The first item is read before the first piece, so that an error at the start is still an error answer.
    let next = await it.next();
    let piece = '[';
    while (!next.done) {
      // A large item (a message of hundreds of megabytes) in pieces too.
      for (const chunk of jsonChunks(next.value)) {
        yield `${piece}${chunk}`;
        piece = '';
      }
      piece = ',';
      next = await it.next();
    }
    yield piece === '[' ? '[]' : ']';
  }
  return textStream(pieces());
}
