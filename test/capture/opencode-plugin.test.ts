import { describe, expect, it } from 'vitest';
import { initArchive, OpencodeLive, openArchive } from '../../src/index.js';
import { serveProcess, tempArchive, tempDir, userMessage } from '../helpers.js';

// The live sync behind the OpenCode plugin, against a server that speaks
// OpenCode's session routes: `sarc serve` over another archive.

describe('the OpenCode plugin (live sync)', () => {
  it('a burst of changes to one session is read back and written once or twice, and ends equal to the source', async () => {
    const source = await tempArchive();
    const session = await source.archive.sessions.create({ title: 'streaming' });
    const server = await serveProcess({ ...process.env, SARC_ARCHIVE: source.dir, SARC_STATE_DIR: source.stateDir });
    try {
      const root = await tempDir();
      const target = `${root}/mirror`;
      await initArchive(target);
      const live = new OpencodeLive(
        { directory: '/', serverUrl: server.url },
        { archive: target, stateDir: `${root}/state`, delayMs: 200 },
      );
      // Fifty part updates within about 100 ms, as a streaming answer sends them.
      for (let i = 0; i < 50; i++) {
        if (i % 10 === 0) await source.archive.messages.append(session.id, userMessage(`part ${i}`));
        live.notice({ type: 'message.part.updated', properties: { part: { sessionID: session.id } } });
        await new Promise((r) => setTimeout(r, 2));
      }
      await live.idle();
      expect(live.flushes).toBeGreaterThanOrEqual(1);
      expect(live.flushes).toBeLessThanOrEqual(2);
      const copy = await openArchive({ dir: target, stateDir: `${root}/state` });
      expect(await copy.messages.list(session.id)).toEqual(await source.archive.messages.list(session.id));
      expect(await copy.sessions.get(session.id)).toEqual(await source.archive.sessions.get(session.id));
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('session.status events set the runtime status (state dir); other shapes are ignored', async () => {
    const root = await tempDir();
    const target = `${root}/mirror`;
    await initArchive(target);
    const live = new OpencodeLive({ directory: '/', serverUrl: 'http://127.0.0.1:9' }, { archive: target, stateDir: `${root}/state` });
    const id = 'ses_0123456789abStatusFromOcod';
    live.notice({ type: 'session.status', properties: { sessionID: id, status: { type: 'busy' } } });
    live.notice({ type: 'session.status', properties: { sessionID: id, status: { type: 'dancing' } } });
    await live.idle();
    const archive = await openArchive({ dir: target, stateDir: `${root}/state` });
    expect((await archive.status.get(id)).type).toBe('busy');
  });
});
