import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serveProcess, tempArchive } from '../helpers.js';

/** Peak resident memory of a process so far (Linux: VmHWM), in bytes. */
function peakRss(pid: number): number {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1]) * 1024;
}

const MB = 1024 * 1024;

describe('a request body costs the server about twice its size', () => {
  // ASCII text is one byte per character in the body and in a string; '€' is
  // three bytes in the body and one two-byte character in a string.
  it.each([
    ['ASCII', 'x', 1],
    ['UTF-8', '€', 3],
  ])(
    'a 60 MB message of %s text: the peak RSS grows by less than 4× the body (before: 7–11×)',
    async (_name, char, bytesPerChar) => {
      const { archive, dir, stateDir } = await tempArchive();
      const s = await archive.sessions.create();
      const server = await serveProcess({ ...process.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir });
      try {
        const post = async (text: string) => {
          const body = Buffer.from(JSON.stringify({ noReply: true, parts: [{ type: 'text', text }] }));
          const res = await fetch(`${server.url}/session/${s.id}/message`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          expect(res.status).toBe(200);
          // The answer is the message: the same text back, streamed.
          const answer = (await res.json()) as { parts: { text: string }[] };
          expect(answer.parts[0]?.text.length).toBe(text.length);
          return body.length;
        };
        // Warm up every code path the big one takes.
        for (let i = 0; i < 3; i++) await post('y'.repeat(MB));
        await new Promise((r) => setTimeout(r, 300));
        const before = peakRss(server.pid);
        const size = await post(char.repeat((60 * MB) / bytesPerChar));
        const grew = peakRss(server.pid) - before;
        console.log(`peak RSS grew ${(grew / MB).toFixed(0)} MB for a ${(size / MB).toFixed(0)} MB body (${(grew / size).toFixed(1)}×)`);
        expect(grew).toBeLessThan(4 * size);
        // And it is on disk whole.
        const page = await archive.messages.page(s.id, { limit: 1 });
        expect(JSON.stringify(page.items[0]).length).toBeGreaterThan((60 * MB) / bytesPerChar);
      } finally {
        await server.stop();
      }
    },
    60_000,
  );
});
