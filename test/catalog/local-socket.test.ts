import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArchiveError, askWatcher, localSocketPath, openIndex, type SessionIndex } from '../../src/index.js';
import { SAMPLE, tempArchive } from '../helpers.js';

const open: SessionIndex[] = [];
afterEach(async () => {
  for (const index of open.splice(0)) await index.close();
});

async function answering(options = {}) {
  const t = await tempArchive({ samples: true });
  const index = await openIndex(t.archive, { onWarning: () => {}, localSocket: true, ...options });
  open.push(index);
  await index.ready();
  const ask = (question: Parameters<typeof askWatcher>[1]) => askWatcher(t.dir, question, { stateDir: t.stateDir, env: {} });
  return { ...t, index, ask };
}

describe('answers over the local socket', () => {
  it('settles before answering: a write made just before the question is in the answer, even inside the quiet time', async () => {
    // A quiet time far longer than the question takes: without settling, the answer would predate the write.
    const { dir, ask } = await answering({ debounceMs: 10_000 });
    const info = join(dir, 'sessions', SAMPLE.main, 'info.json');
    writeFileSync(info, readFileSync(info, 'utf8').replace('"Add retries to the HTTP client"', '"Edited in place"'));
    const answer = (await ask({ op: 'list', query: { search: 'edited in place' } }))?.value as { page: { items: Array<{ id: string }> } };
    expect(answer.page.items.map((s) => s.id)).toEqual([SAMPLE.main]);
  });

  it('reports errors as the same ArchiveError, and refuses questions it does not know', async () => {
    const { ask, stateDir, dir } = await answering();
    expect(((await ask({ op: 'resolve', session: 'fe5e0a1b2c3d' })) as { value: string }).value).toBe(SAMPLE.main);
    const missing = await ask({ op: 'resolve', session: 'fe5e0aff' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ArchiveError);
    expect(missing).toMatchObject({ code: 'NOT_FOUND' });
    const unknown = await ask({ op: 'drop-everything' } as never).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'INVALID_INPUT' });
    // Not JSON at all: an error answer, and the socket still answers afterwards.
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      const socket = createConnection(localSocketPath(stateDir));
      socket.on('connect', () => socket.end('{not json\n'));
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('end', () => resolve(text));
    });
    expect(JSON.parse(raw)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(await askWatcher(dir, { op: 'status' }, { stateDir, env: {} })).toEqual({ value: {} });
  });

  it('does not vouch while its watches are being set up or once watching fell back to periodic checks (inotify budget), nor when asked not to be asked', async () => {
    const { index, ask, dir, stateDir } = await answering();
    expect(await ask({ op: 'status' })).toEqual({ value: {} });
    expect(await askWatcher(dir, { op: 'status' }, { stateDir, env: { SARC_NO_WATCHER: '1' } })).toBeUndefined();
    // Still setting up its watches: it says so at once instead of keeping the asker waiting.
    const watcher = index.watcherForTests;
    if (!watcher) throw new Error('no watcher');
    watcher.started = false;
    expect(await ask({ op: 'status' })).toBeUndefined();
    watcher.started = true;
    expect(await ask({ op: 'status' })).toEqual({ value: {} });
    index.watcherForTests?.injectError(
      Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' }),
    );
    expect(await ask({ op: 'status' })).toBeUndefined();
  });

  it('removes its socket when closed; a second index of the same archive leaves the first one answering', async () => {
    const { index, archive, ask, stateDir } = await answering();
    const second = await openIndex(archive, { onWarning: () => {}, localSocket: true });
    await second.close();
    expect(await ask({ op: 'status' })).toEqual({ value: {} });
    await index.close();
    open.splice(0);
    expect(await ask({ op: 'status' })).toBeUndefined();
    expect(() => readFileSync(localSocketPath(stateDir))).toThrow(/ENOENT/);
  });
});
