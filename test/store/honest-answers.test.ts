import { mkdir, open, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type MessageWithParts, openIndex } from '../../src/index.js';
import { createApp } from '../../src/server/app.js';
import { formatCanonical } from '../../src/store/json-file.js';
import { sarc } from '../cli/helpers.js';
import { codeOf, SAMPLE, tempArchive, userMessage } from '../helpers.js';

const MESSAGE = 'msg_0123456789abABCDEFGHIJKLMN';

/** Puts a UNIX socket at `path`: it exists, but opening it fails (ENXIO) — an I/O error that is not "missing". Root cannot chmod its way to one. */
async function unopenable(path: string): Promise<Server> {
  // Made under a short name (socket paths are limited to 108 bytes), then moved into place.
  const short = join(tmpdir(), `sarc-${process.pid}-${Math.random().toString(36).slice(2)}.sock`);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(short, resolve);
  });
  await rename(short, path);
  return server;
}

describe('honest answers', () => {
  it('an append whose message was written is answered as written, even when moving the session’s time.updated failed: no phantom write', async () => {
    // A clock that fails at its second reading once armed: the first dates the message, the second would move time.updated.
    let readings = 0;
    let armed = false;
    const { archive } = await tempArchive({
      now: () => {
        if (armed && ++readings === 2) throw new Error('the clock stopped');
        return Date.now();
      },
    });
    const s = await archive.sessions.create();
    armed = true;
    const sent = await archive.messages.append(s.id, userMessage('written once'));
    expect(readings).toBeGreaterThanOrEqual(2);
    const files = (await archive.messages.list(s.id)).map((m) => m.info.id);
    expect(files).toEqual([sent.info.id]);
    // The session moved on too (a second try after the failed one).
    expect((await archive.sessions.get(s.id)).time.updated).toBeGreaterThanOrEqual(sent.info.time.created);
  });

  it('an I/O error while checking whether a message exists is an I/O error, not "exists"', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    // A file that cannot be opened (a UNIX socket: ENXIO), where the new message would go.
    const path = join(dir, 'sessions', SAMPLE.main, 'messages', `${MESSAGE}.json`);
    const socket = await unopenable(path);
    expect(await codeOf(archive.messages.append(SAMPLE.main, { ...userMessage('hi', { id: MESSAGE }) }))).toBe('IO');
    await new Promise((r) => socket.close(r));
    await unlink(path).catch(() => {});
    // A broken file of that ID is reported as broken, and never replaced.
    await writeFile(path, '{"info": ');
    expect(await codeOf(archive.messages.append(SAMPLE.main, { ...userMessage('hi', { id: MESSAGE }) }))).toBe('CORRUPT');
    expect(await readFile(path, 'utf8')).toBe('{"info": ');
  });

  it('the same message sent again is answered as the first time (and finishes a half-done append); another one with its ID is DUPLICATE_ID', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const input = userMessage('retry me', { id: MESSAGE });
    const first = await archive.messages.append(SAMPLE.main, input);
    // The first attempt's info.json update "failed": put the old time.updated back.
    const infoPath = join(dir, 'sessions', SAMPLE.main, 'info.json');
    const info = JSON.parse(await readFile(infoPath, 'utf8'));
    info.time.updated = first.info.time.created - 1000;
    await writeFile(infoPath, formatCanonical(info));
    const again = await archive.messages.append(SAMPLE.main, input);
    expect(again).toEqual(first);
    expect((await archive.sessions.get(SAMPLE.main)).time.updated).toBeGreaterThanOrEqual(first.info.time.created);
    expect(await codeOf(archive.messages.append(SAMPLE.main, userMessage('something else', { id: MESSAGE })))).toBe('DUPLICATE_ID');
    expect((await archive.messages.get(SAMPLE.main, MESSAGE)).parts).toEqual(first.parts);
  });

  it('over HTTP: a list right after a message write shows the session’s new time.updated (message writes refresh the index as every other write does)', async () => {
    const { archive } = await tempArchive({ samples: true });
    // No watcher: only the write's own refresh can move the listed session.
    const index = await openIndex(archive, { watch: false });
    const app = createApp({ archive, index });
    const listed = async () => {
      const list = (await (await app.request('/session')).json()) as Array<{ id: string; time: { updated: number } }>;
      return list.find((s) => s.id === SAMPLE.main)?.time.updated ?? 0;
    };
    const json = { 'content-type': 'application/json' };
    const writes: Array<[string, string, unknown]> = [
      ['POST', `/session/${SAMPLE.main}/message`, { messageID: MESSAGE, parts: [{ type: 'text', text: 'listed at once' }] }],
      [
        'PUT',
        `/session/${SAMPLE.main}/message/${MESSAGE}`,
        { info: { role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' } }, parts: [{ type: 'text', text: 'changed' }] },
      ],
    ];
    for (const [method, path, body] of writes) {
      const before = await listed();
      await new Promise((r) => setTimeout(r, 5));
      const answer = await app.request(path, { method, headers: json, body: JSON.stringify(body) });
      expect(answer.status, `${method} ${path}`).toBe(200);
      expect(await listed(), `${method} ${path}`).toBe((await archive.sessions.get(SAMPLE.main)).time.updated);
      expect(await listed(), `${method} ${path}`).toBeGreaterThan(before);
    }
    await index.close();
  });

  it('over HTTP: a retried message is 200, a broken file is a typed error naming it, and its session stays readable', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const index = await openIndex(archive, { watch: false });
    const app = createApp({ archive, index });
    const post = (body: unknown) =>
      app.request(`/session/${SAMPLE.main}/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const body = { messageID: MESSAGE, parts: [{ type: 'text', text: 'once' }] };
    const first = await post(body);
    expect(first.status).toBe(200);
    const retry = await post(body);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(await first.json());
    expect((await post({ ...body, parts: [{ type: 'text', text: 'twice' }] })).status).toBe(409);

    // Break one message of the session by hand.
    const ids = await archive.messages.orderedIds(SAMPLE.main);
    const broken = ids[1] as string;
    const path = join(dir, 'sessions', SAMPLE.main, 'messages', `${broken}.json`);
    await writeFile(path, '{"info": {"id": ');
    const one = await app.request(`/session/${SAMPLE.main}/message/${broken}`);
    expect(one.status).toBe(500);
    const error = (await one.json()) as { name: string; data: { message: string; path: string } };
    expect(error.name).toBe('CorruptFileError');
    expect(error.data.path).toBe(path);
    expect(error.data.message).toContain(`${path}:1:`);
    const list = await app.request(`/session/${SAMPLE.main}/message`);
    expect(list.status).toBe(200);
    const items = (await list.json()) as Array<{ info: { id: string }; error?: { name: string; path: string } }>;
    expect(items.map((m) => m.info.id).sort()).toEqual([...ids].sort());
    expect(items.filter((m) => m.error).map((m) => [m.info.id, m.error?.name, m.error?.path])).toEqual([
      [broken, 'CorruptFileError', path],
    ]);
    const page = await app.request(`/ui/session/${SAMPLE.main}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`unreadable message ${broken}`);
    expect(html).toContain('Retry only on 5xx'); // the rest of the conversation is there
    await index.close();
    expect(stateDir).toBeTruthy();
  });

  it('a failed read of an info.json is an error, never a shorter list', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const index = await openIndex(archive, { watch: false });
    const app = createApp({ archive, index });
    expect(((await (await app.request('/session/history')).json()) as unknown[]).length).toBe(3);
    // The index still holds the session; its file now cannot be opened (ENXIO, as EMFILE would not be either).
    const infoPath = join(dir, 'sessions', SAMPLE.notes, 'info.json');
    await unlink(infoPath);
    const socket = await unopenable(infoPath);
    expect(await codeOf(archive.sessions.getMany([SAMPLE.main, SAMPLE.notes]))).toBe('IO');
    for (const path of ['/session/history?archived=include', '/experimental/session?archived=include', '/session']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(500);
      expect(((await res.json()) as { name: string }).name, path).toBe('StorageError');
    }
    await index.close();
    socket.close();
  });

  it('a session whose info.json is broken is listed, marked, with its error', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    await writeFile(join(dir, 'sessions', SAMPLE.notes, 'info.json'), '{"id": oops}');
    const index = await openIndex(archive, { watch: false });
    const rows = index.history({ invalid: true, archived: 'include' }).items;
    const row = rows.find((s) => s.id === SAMPLE.notes);
    expect(row?.valid).toBe(false);
    expect(row?.error).toContain('info.json:1:8');
    expect(index.history({ archived: 'include' }).items.some((s) => s.id === SAMPLE.notes)).toBe(false);
    const app = createApp({ archive, index });
    const html = await (await app.request('/?archived=on')).text();
    expect(html).toContain(`${SAMPLE.notes} <span class="badge error">broken</span>`);
    expect(html).toContain('info.json:1:8');
    await index.close();
    const cli = await sarc(['list', '--all', '--archived', 'include'], {
      env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: join(dir, '..', 'cli-state') },
    });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`${SAMPLE.notes}  .*broken  .*info\\.json:1:8`));
  });
});

describe('a page costs its length', () => {
  it('paging a 50,000-message session reads the page, not the session', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const session = await archive.sessions.create({ title: 'long', directory: dir });
    const folder = join(dir, 'sessions', session.id, 'messages');
    await mkdir(folder, { recursive: true });
    const N = 50_000;
    // IDs in an order unlike time order (as OpenCode's wrapped IDs are): the order must come from time.created.
    const ids = Array.from({ length: N }, (_, i) => `msg_${(N - i).toString(16).padStart(12, '0')}${'A'.repeat(14)}`);
    const file = (i: number): MessageWithParts => ({
      info: {
        id: ids[i] as string,
        sessionID: session.id,
        role: 'user',
        time: { created: 1_000_000 + i },
        agent: 'build',
        model: { providerID: 'p', modelID: 'm' },
      },
      parts: [
        {
          id: `prt_${i.toString(16).padStart(12, '0')}${'B'.repeat(14)}`,
          sessionID: session.id,
          messageID: ids[i] as string,
          type: 'text',
          text: `message ${i}`,
        },
      ],
    });
    // Whole-second mtimes, so that putting one back later restores it exactly.
    const mtime = Math.floor(Date.now() / 1000) - 60;
    for (let i = 0; i < N; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, N - i) }, async (_, k) => {
          const path = join(folder, `${ids[i + k]}.json`);
          await writeFile(path, formatCanonical(file(i + k)));
          await utimes(path, mtime, mtime);
        }),
      );
    }
    const first = await archive.messages.page(session.id, { limit: 10 });
    expect(first.items.map((m) => m.info.id)).toEqual(ids.slice(N - 10));
    expect(first.more).toBe(true);

    // Every file but the newest 20 becomes garbage of the same size and mtime: a page that read
    // them would meet broken files (placed by their mtime, i.e. last) instead of the messages asked for.
    for (let i = 0; i < N - 20; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, N - 20 - i) }, async (_, k) => {
          const path = join(folder, `${ids[i + k]}.json`);
          const before = await stat(path);
          const handle = await open(path, 'r+');
          await handle.write(Buffer.alloc(before.size, 'x'), 0, before.size, 0);
          await handle.close();
          await utimes(path, mtime, mtime);
        }),
      );
    }
    const again = await archive.messages.page(session.id, { limit: 10 });
    expect(again.items.map((m) => m.info.id)).toEqual(ids.slice(N - 10));
    const last = again.items[0] as MessageWithParts;
    const next = await archive.messages.page(session.id, { limit: 10, before: { time: last.info.time.created, id: last.info.id } });
    expect(next.items.map((m) => m.info.id)).toEqual(ids.slice(N - 20, N - 10));
    expect(next.items.every((m) => !('error' in m))).toBe(true);

    // The same through the HTTP route and its cursor.
    const index = await openIndex(archive, { watch: false });
    const app = createApp({ archive, index });
    const res = await app.request(`/session/${session.id}/message?limit=10`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as MessageWithParts[]).map((m) => m.info.id)).toEqual(ids.slice(N - 10));
    const cursor = res.headers.get('x-next-cursor') as string;
    const older = await app.request(`/session/${session.id}/message?limit=10&before=${cursor}`);
    expect(((await older.json()) as MessageWithParts[]).map((m) => m.info.id)).toEqual(ids.slice(N - 20, N - 10));
    await index.close();
  }, 120_000);
});
