import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { createOpencodeClient } from '@opencode-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { openIndex } from '../../src/index.js';
import { createApp } from '../../src/server/app.js';
import { type RunningServer, startServer } from '../../src/server/serve.js';
import { sarc } from '../cli/helpers.js';
import { assistantInfo, ROOT, SAMPLE, SARC, serveProcess, tempArchive } from '../helpers.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

async function served(options: { password?: string; bodyLimit?: number } = {}) {
  const t = await tempArchive({ samples: true });
  const server = await startServer({ dir: t.dir, stateDir: t.stateDir, port: 0, onWarning: () => {}, ...options });
  running.push(server);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json: json as never, headers: res.headers };
  };
  return { ...t, server, call };
}

/** Reads server-sent events until `until` matches one, or times out. */
async function sse(
  url: string,
  until: (e: { type: string; properties: Record<string, unknown> }) => boolean,
  act: () => Promise<void>,
  ms = 5_000,
) {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const seen: Array<{ type: string; properties: Record<string, unknown> }> = [];
  let buffer = '';
  let acted = false;
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let at = buffer.indexOf('\n\n');
      while (at >= 0) {
        const chunk = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        at = buffer.indexOf('\n\n');
        const data = chunk.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const e = JSON.parse(data.slice(6));
        seen.push(e);
        if (e.type === 'server.connected' && !acted) {
          acted = true;
          await act();
        }
        if (until(e)) return seen;
      }
    }
  } catch {
    // aborted: fall through with what was seen
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return seen;
}

describe('a session whose info.json cannot be read', () => {
  it('is listed as broken by GET /session and /session/history, with what is wrong, instead of vanishing', async () => {
    const { dir, call } = await served();
    await writeFile(join(dir, 'sessions', SAMPLE.notes, 'info.json'), '');
    // The watcher notices; until it has, the list may still show the readable file.
    type Listed = Array<{ id: string; title: string; metadata?: { broken?: { error: string } } }>;
    let listed: Listed = [];
    for (let i = 0; i < 100; i++) {
      const answer = await call('GET', '/session');
      // Never a failed list, not even before the watcher has seen the file break.
      expect(answer.status).toBe(200);
      listed = answer.json as Listed;
      if (listed.some((s) => s.id === SAMPLE.notes && s.metadata?.broken)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const broken = listed.find((s) => s.id === SAMPLE.notes);
    expect(broken?.title).toBe(`(unreadable info.json) ${SAMPLE.notes}`);
    expect(broken?.metadata?.broken?.error).toContain('info.json');
    // The readable ones are there as before.
    expect(listed.some((s) => s.id === SAMPLE.main)).toBe(true);
    const history = (await call('GET', '/session/history')).json as Listed;
    expect(history.find((s) => s.id === SAMPLE.notes)?.metadata?.broken).toBeDefined();
  });

  it('is listed as broken even before the index has seen it break (no watcher here), never failing the list', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const index = await openIndex(archive, { watch: false });
    const app = createApp({ archive, index });
    await writeFile(join(dir, 'sessions', SAMPLE.notes, 'info.json'), '');
    const answer = await app.request('/session');
    expect(answer.status).toBe(200);
    const listed = (await answer.json()) as Array<{ id: string; metadata?: { broken?: { error: string } } }>;
    expect(listed.find((s) => s.id === SAMPLE.notes)?.metadata?.broken?.error).toContain('info.json');
    expect(listed.some((s) => s.id === SAMPLE.main)).toBe(true);
    await index.close();
  });
});

describe('every write of the server takes one path (the index refreshed for it)', () => {
  it('a list right after a message is added or deleted shows the session as it now is (no watcher here)', async () => {
    const { archive } = await tempArchive({ samples: true });
    const index = await openIndex(archive, { watch: false });
    const app = createApp({ archive, index });
    const updated = async () =>
      ((await (await app.request('/session')).json()) as Array<{ id: string; time: { updated: number } }>).find((s) => s.id === SAMPLE.main)
        ?.time.updated;
    const onDisk = async () => (await archive.sessions.get(SAMPLE.main)).time.updated;
    const json = { 'content-type': 'application/json' };
    let sent = '';
    const writes: Array<() => Promise<Response>> = [
      async () => {
        const answer = await app.request(`/session/${SAMPLE.main}/message`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ parts: [{ type: 'text', text: 'one more' }] }),
        });
        sent = ((await answer.clone().json()) as { info: { id: string } }).info.id;
        return answer;
      },
      async () => app.request(`/session/${SAMPLE.main}/message/${sent}`, { method: 'DELETE' }),
    ];
    for (const write of writes) {
      const before = await updated();
      await new Promise((r) => setTimeout(r, 5));
      const answer = await write();
      expect(answer.status, await answer.clone().text()).toBe(200);
      const after = await onDisk();
      expect(after).toBeGreaterThan(before as number);
      expect(await updated()).toBe(after);
    }
    await index.close();
  });
});

describe('the HTTP server', () => {
  it("works with OpenCode's own SDK: create, list, get, update, fork at a message, messages, todos, delete", async () => {
    const { server } = await served();
    const client = createOpencodeClient({ baseUrl: server.url });
    const created = await client.session.create({ body: { title: 'From the SDK' } });
    expect(created.error).toBeUndefined();
    const id = created.data?.id as string;
    expect(created.data?.title).toBe('From the SDK');
    for (const text of ['first', 'second', 'third']) {
      const sent = await client.session.prompt({ path: { id }, body: { noReply: true, parts: [{ type: 'text', text }] } as never });
      expect(sent.error).toBeUndefined();
    }
    const listed = await client.session.list({ query: { directory: process.cwd() } });
    expect(listed.data?.map((s) => s.id)).toContain(id);
    expect((await client.session.get({ path: { id } })).data?.id).toBe(id);
    expect((await client.session.update({ path: { id }, body: { title: 'Renamed by SDK' } })).data?.title).toBe('Renamed by SDK');
    const messages = await client.session.messages({ path: { id } });
    expect(messages.data?.map((m) => (m.parts[0] as { text: string }).text)).toEqual(['first', 'second', 'third']);
    const fork = await client.session.fork({ path: { id }, body: { messageID: messages.data?.[1]?.info.id } });
    expect(fork.data?.title).toBe('Renamed by SDK (fork #1)');
    expect((await client.session.messages({ path: { id: fork.data?.id as string } })).data?.length).toBe(1);
    expect((await client.session.todo({ path: { id: SAMPLE.main } })).data?.length).toBe(3);
    expect((await client.session.children({ path: { id: SAMPLE.main } })).data?.map((s) => s.id)).toEqual([SAMPLE.child]);
    expect((await client.session.delete({ path: { id } })).data).toBe(true);
    const gone = await client.session.get({ path: { id } });
    expect(gone.response.status).toBe(404);
    expect(gone.error).toEqual({ name: 'NotFoundError', data: { message: `session not found: ${id}` } });
  });

  it('answers 400 for malformed IDs and bodies, 404 for unknown ones, 409 for taken IDs and busy sessions', async () => {
    const { call } = await served();
    const missingSession = 'ses_0000000000000000000000000a';
    const missingMessage = 'msg_0000000000000000000000000a';
    for (const path of [
      '/session/bad',
      '/session/../x/todo',
      `/session/${SAMPLE.main}/message/nope`,
      `/session/${SAMPLE.main}/message/${missingMessage}/part/x`,
    ]) {
      const r = await call('GET', path);
      expect([400, 404], path).toContain(r.status);
      if (path === '/session/bad') expect(r.json).toMatchObject({ name: 'BadRequest', data: { kind: 'Params' } });
    }
    expect((await call('GET', `/session/${missingSession}`)).status).toBe(404);
    expect((await call('GET', `/session/${SAMPLE.main}/message/${missingMessage}`)).json).toEqual({
      name: 'NotFoundError',
      data: { message: `message not found: ${missingMessage} in session ${SAMPLE.main}` },
    });
    expect((await call('POST', '/session', { id: 'ses_bad' })).status).toBe(400);
    expect((await call('POST', '/session', { id: SAMPLE.main })).status).toBe(409);
    expect((await call('POST', '/session', '{not json')).json).toEqual({
      name: 'BadRequest',
      data: { message: 'request body:1:2: invalid JSON: expected a property name in double quotes, found "n"', kind: 'Body' },
    });
    expect((await call('PATCH', `/session/${SAMPLE.main}`, { title: 5 })).status).toBe(400);
    expect((await call('POST', `/session/${SAMPLE.main}/fork`, { messageID: missingMessage })).status).toBe(404);
    expect((await call('GET', `/session/${SAMPLE.main}/message?limit=-3`)).status).toBe(400);
    expect((await call('PUT', `/session/${SAMPLE.main}/status`, { type: 'busy' })).status).toBe(200);
    const busy = await call('POST', `/session/${SAMPLE.main}/revert`, { messageID: 'msg_019a8b7c6d02Zq8Wm3Nx5Rv7Tb' });
    expect(busy.status).toBe(409);
    expect(busy.json).toMatchObject({ _tag: 'SessionBusyError', sessionID: SAMPLE.main });
    expect((await call('GET', '/session/status')).json).toMatchObject({ [SAMPLE.main]: { type: 'busy' } });
    expect((await call('POST', `/session/${SAMPLE.main}/abort`)).json).toBe(true);
    expect((await call('GET', '/session/status')).json).toEqual({});
    expect((await call('GET', '/no/such/route')).status).toBe(404);
  });

  it('pages messages with X-Next-Cursor, history with its cursor, and serves the archive routes', async () => {
    const { call } = await served();
    const first = await call('GET', `/session/${SAMPLE.main}/message?limit=2`);
    expect(first.json).toHaveLength(2);
    const cursor = first.headers.get('x-next-cursor') as string;
    expect(cursor).toBeTruthy();
    const second = await call('GET', `/session/${SAMPLE.main}/message?limit=2&before=${cursor}`);
    expect((second.json as Array<{ info: { id: string } }>).map((m) => m.info.id)).toEqual([
      'msg_019a8b7c6d02Zq8Wm3Nx5Rv7Tb',
      'msg_019a8b7c6d03Zq8Wm3Nx5Rv7Tb',
    ]);
    const last = await call('GET', `/session/${SAMPLE.main}/message?limit=2&before=${second.headers.get('x-next-cursor')}`);
    expect(last.json).toHaveLength(1);
    expect(last.headers.get('x-next-cursor')).toBeNull();
    const h1 = await call('GET', '/session/history?limit=2');
    expect((h1.json as Array<{ project: unknown }>)[0]?.project).toMatchObject({ id: '8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5c4b3a291' });
    const h2 = await call('GET', `/experimental/session?limit=2&cursor=${h1.headers.get('x-next-cursor')}`);
    expect((h2.json as unknown[]).length).toBe(1);
    expect((await call('GET', '/session/history?archived=only')).json).toHaveLength(1);
    // workspace and start filter the global lists as they filter GET /session.
    const inWorkspace = (await call('POST', '/session?workspace=wrk_one', { title: 'in a workspace' })).json as { id: string };
    for (const route of ['/session/history', '/experimental/session', '/session']) {
      expect(((await call('GET', `${route}?workspace=wrk_one`)).json as Array<{ id: string }>).map((s) => s.id)).toEqual([inWorkspace.id]);
    }
    expect((await call('GET', '/session/history?workspace=wrk_other')).json).toEqual([]);
    expect((await call('GET', `/experimental/session?start=${Date.now() + 60_000}`)).json).toEqual([]);
    expect((await call('DELETE', `/session/${inWorkspace.id}`)).status).toBe(200);
    expect((await call('GET', `/session/${SAMPLE.main}/forks`)).json).toMatchObject([{ id: SAMPLE.fork }]);
    expect(((await call('GET', '/session/orphans')).json as unknown[]).length).toBeGreaterThan(0);
    // A relative target is refused, not taken against the server's own folder.
    const relative = await call('POST', `/session/${SAMPLE.notes}/migrate`, { directory: 'relative/dir' });
    expect(relative.status).toBe(400);
    expect(JSON.stringify(relative.json)).toContain('expected an absolute path');
    expect((await call('POST', '/session/migrate', { ids: [SAMPLE.notes], to: 'relative/dir' })).status).toBe(400);
    const moved = await call('POST', `/session/${SAMPLE.notes}/migrate`, { directory: '/srv/notes' });
    expect(moved.json).toMatchObject({ moved: [{ id: SAMPLE.notes, to: { directory: '/srv/notes' } }] });
    expect((await call('POST', '/session/migrate', { fromDir: '/home/dev/src/*', to: '/srv/web', dryRun: true })).json).toMatchObject({
      dryRun: true,
    });
    const put = await call('PUT', `/session/${SAMPLE.fork}/message/msg_019a8b7c6d99Zq8Wm3Nx5Rv7Tb`, {
      info: assistantInfo('msg_019a8b7c6d21Zq8Wm3Nx5Rv7Tb', { time: { created: 1 } }),
      parts: [{ type: 'text', text: 'from an agent' }],
    });
    expect(put.status).toBe(200);
    expect((await call('PUT', `/session/${SAMPLE.fork}/todo`, [{ content: 'x', status: 'pending', priority: 'low' }])).json).toHaveLength(
      1,
    );
    const part = (put.json as { parts: Array<{ id: string }> }).parts[0]?.id;
    expect(
      (await call('PATCH', `/session/${SAMPLE.fork}/message/msg_019a8b7c6d99Zq8Wm3Nx5Rv7Tb/part/${part}`, { type: 'text', text: 'edited' }))
        .json,
    ).toMatchObject({ text: 'edited' });
    expect((await call('DELETE', `/session/${SAMPLE.fork}/message/msg_019a8b7c6d99Zq8Wm3Nx5Rv7Tb/part/${part}`)).json).toBe(true);
    expect((await call('DELETE', `/session/${SAMPLE.fork}/message/msg_019a8b7c6d99Zq8Wm3Nx5Rv7Tb`)).json).toBe(true);
  });

  it('GET /session without a limit answers 100 sessions, as OpenCode does; a limit asks for more', async () => {
    const { call, archive, dir: archiveDir } = await served();
    for (let i = 0; i < 110; i++) await archive.sessions.create({ title: `s${i}`, directory: '/tmp/many' });
    const dir = encodeURIComponent('/tmp/many');
    const count = async (query: string) => ((await call('GET', `/session?directory=${dir}${query}`)).json as unknown[]).length;
    // The server learns of the sessions through its watcher.
    for (let i = 0; (await count('&limit=150')) < 110 && i < 200; i++) await new Promise((r) => setTimeout(r, 25));
    // (110 here, and the samples that share the project of a folder outside git.)
    expect(await count('&limit=150')).toBeGreaterThanOrEqual(110);
    expect(await count('')).toBe(100);
    // Infos listed before are answered from memory while their file is unchanged: a hand edit still shows.
    const [top] = (await call('GET', `/session?directory=${dir}&limit=1`)).json as Array<{ id: string; title: string }>;
    const path = join(archiveDir, 'sessions', top?.id as string, 'info.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace(`"${top?.title}"`, '"edited by hand"'));
    const title = async () => ((await call('GET', `/session?directory=${dir}&limit=1`)).json as Array<{ title: string }>)[0]?.title;
    for (let i = 0; (await title()) !== 'edited by hand' && i < 200; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await title()).toBe('edited by hand');
  });

  it('backup: list, export, import (clone by default, keep-ids on request)', async () => {
    const { call } = await served();
    const listed = (await call('POST', '/backup/list')).json as Array<{ id: string; messages: number }>;
    expect(listed.find((s) => s.id === SAMPLE.main)?.messages).toBe(5);
    const doc = (await call('POST', '/backup/export', { sessionID: SAMPLE.main, children: true })).json as { sessions: unknown[] };
    expect(doc.sessions).toHaveLength(2);
    const imported = await call('POST', '/backup/import', doc);
    expect((imported.json as { sessions: Array<{ from: string; id: string }> }).sessions.map((s) => s.from)).toEqual([
      SAMPLE.main,
      SAMPLE.child,
    ]);
    expect((await call('POST', '/backup/import?mode=keep-ids', doc)).status).toBe(409);
    const opencode = (await call('POST', '/backup/export', { sessionID: SAMPLE.notes, format: 'opencode' })).json as object;
    expect(Object.keys(opencode)).toEqual(['info', 'messages']);
    expect((await call('POST', '/backup/import', { nonsense: true })).status).toBe(400);
  });

  it('shares read-only pages; revoked or unknown tokens are 404', async () => {
    const { call, server } = await served();
    const shared = (await call('POST', `/session/${SAMPLE.main}/share`)).json as { share: { url: string } };
    expect(shared.share.url.startsWith(`${server.url}/share/`)).toBe(true);
    const page = await fetch(shared.share.url);
    const html = await page.text();
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('<h1>Add retries to the HTTP client</h1>');
    const json = (await (await fetch(shared.share.url, { headers: { accept: 'application/json' } })).json()) as { messages: unknown[] };
    expect(json.messages).toHaveLength(5);
    await call('DELETE', `/session/${SAMPLE.main}/share`);
    expect((await fetch(shared.share.url)).status).toBe(404);
    expect((await fetch(`${server.url}/share/..%2F..%2Fetc`)).status).toBe(404);
  });

  it('a hand edit of an info.json reaches an event-stream client', async () => {
    const { server, dir } = await served();
    const path = join(dir, 'sessions', SAMPLE.notes, 'info.json');
    const seen = await sse(
      `${server.url}/event`,
      (e) => e.type === 'session.updated',
      async () => {
        await writeFile(path, (await readFile(path, 'utf8')).replace('Weekly notes summary', 'Edited on disk'));
      },
    );
    expect(seen[0]?.type).toBe('server.connected');
    expect(seen.at(-1)).toMatchObject({
      type: 'session.updated',
      properties: { sessionID: SAMPLE.notes, info: { title: 'Edited on disk' } },
    });
  });

  it('GET /search finds content across sessions, filters, pages, answers 400 for nothing to search, and sees a hand edit within a second', async () => {
    const { call, dir } = await served();
    const first = await call('GET', '/search?query=retry&limit=2');
    expect(first.status).toBe(200);
    const body = first.json as { hits: Array<{ snippet: string; marks: number[][]; sessionID: string }>; more: boolean; complete: boolean };
    expect(body.hits).toHaveLength(2);
    expect(body.more).toBe(true);
    for (const h of body.hits) expect(h.snippet.slice(h.marks[0]?.[0], h.marks[0]?.[1]).toLowerCase()).toMatch(/^retr/);
    const filtered = (await call('GET', `/search?query=retry&archived=exclude&role=user&limit=50`)).json as {
      hits: Array<{ role: string; sessionID: string }>;
    };
    expect(filtered.hits.length).toBeGreaterThan(0);
    expect(filtered.hits.every((h) => h.role === 'user' && h.sessionID !== SAMPLE.notes)).toBe(true);
    expect((await call('GET', '/search?query=%22%22')).status).toBe(400);
    expect((await call('GET', '/search?query=retry&limit=0')).status).toBe(400);
    expect((await call('GET', '/search')).status).toBe(400);
    const file = join(dir, 'sessions', SAMPLE.notes, 'messages', 'msg_019a8b7c6d31Zq8Wm3Nx5Rv7Tb.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/"text": "[^"]*"/, '"text": "the blueberry plan"'));
    const seen = Date.now();
    for (;;) {
      const found = (await call('GET', '/search?query=blueberry')).json as { hits: unknown[]; complete: boolean };
      if (found.hits.length === 1 && found.complete) break;
      expect(Date.now() - seen).toBeLessThan(1_000);
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('concurrent clients writing to one session lose nothing', async () => {
    const { call } = await served();
    const made = await call('POST', '/session', { title: 'busy' });
    const id = (made.json as { id: string }).id;
    await Promise.all(
      Array.from({ length: 4 }, (_, client) =>
        (async () => {
          for (let i = 0; i < 25; i++) {
            const r = await call('POST', `/session/${id}/message`, { parts: [{ type: 'text', text: `${client}-${i}` }] });
            if (r.status !== 200) throw new Error(JSON.stringify(r.json));
          }
        })(),
      ),
    );
    expect(((await call('GET', `/session/${id}/message`)).json as unknown[]).length).toBe(100);
  });

  it('basic auth when a password is set (shares stay public); bodies past the limit are 413', async () => {
    const { call } = await served({ password: 's3cret', bodyLimit: 10_000 });
    expect((await call('GET', '/session/status')).status).toBe(401);
    const auth = { authorization: `Basic ${Buffer.from('any:s3cret').toString('base64')}` };
    expect((await call('GET', '/session/status', undefined, auth)).status).toBe(200);
    expect(
      (await call('GET', '/session/status', undefined, { authorization: `Basic ${Buffer.from('any:wrong').toString('base64')}` })).status,
    ).toBe(401);
    expect((await call('GET', '/share/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await call('POST', '/backup/import', { big: 'x'.repeat(20_000) }, auth)).status).toBe(413);
  });

  it('reads and limits request bodies whether their length is declared or they come chunked', async () => {
    const { server } = await served({ bodyLimit: 10_000 });
    // Node's client sends a body written in pieces without Content-Length as chunks.
    const post = (chunks: string[], headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          `${server.url}/session`,
          { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              body += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    const title = (r: { body: string }) => (JSON.parse(r.body) as { title: string }).title;
    const chunked = await post(['{"title": "in ', 'two chunks"}']);
    expect(chunked.status).toBe(200);
    expect(title(chunked)).toBe('in two chunks');
    const text = '{"title": "declared ü"}';
    const declared = await post([text], { 'content-length': String(Buffer.byteLength(text)) });
    expect(declared.status).toBe(200);
    expect(title(declared)).toBe('declared ü');
    expect((await post(['{"title": "', 'x'.repeat(6_000), 'x'.repeat(6_000), '"}'])).status).toBe(413);
    const big = `{"title": "${'x'.repeat(12_000)}"}`;
    expect((await post([big], { 'content-length': String(big.length) })).status).toBe(413);
    // No body at all: OpenCode's defaults.
    expect(title(await post([], { 'content-length': '0' }))).toMatch(/^New session - /);
  });

  it('serves an OpenAPI document listing every route', async () => {
    const { call } = await served();
    const doc = (await call('GET', '/doc')).json as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const op of [
      'session.list',
      'session.create',
      'session.status',
      'session.get',
      'session.update',
      'session.delete',
      'session.children',
      'session.fork',
      'session.share',
      'session.unshare',
      'session.todo',
      'session.diff',
      'session.revert',
      'session.unrevert',
      'session.abort',
      'session.init',
      'session.messages',
      'session.prompt',
      'session.message',
      'session.deleteMessage',
      'part.update',
      'part.delete',
      'session.message.put',
      'session.todo.set',
      'session.status.set',
      'session.history',
      'experimental.session.list',
      'session.orphans',
      'session.migrate',
      'session.migrateMany',
      'session.forks',
      'backup.list',
      'backup.export',
      'backup.import',
      'event.subscribe',
      'share.get',
      'search',
    ]) {
      expect(ops, op).toContain(op);
    }
    expect(doc.paths['/search']?.get).toMatchObject({ parameters: expect.arrayContaining([expect.objectContaining({ name: 'query' })]) });
    expect(doc.paths['/session']?.post).toMatchObject({
      requestBody: { content: { 'application/json': { schema: { properties: { id: { type: 'string' } } } } } },
    });
  });
});

describe('sarc serve', () => {
  it('keeps sessions, order and messages across a restart, and refuses a public address without a password', async () => {
    const { dir, stateDir } = await tempArchive({ samples: true });
    const env = { ...process.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, SARC_SERVER_PASSWORD: '' };
    const start = () => serveProcess(env);
    const a = await start();
    type Row = { id: string };
    const created = (await (
      await fetch(`${a.url}/session`, {
        method: 'POST',
        body: JSON.stringify({ title: 'survives' }),
        headers: { 'content-type': 'application/json' },
      })
    ).json()) as Row;
    await fetch(`${a.url}/session/${created.id}/message`, {
      method: 'POST',
      body: JSON.stringify({ parts: [{ type: 'text', text: 'kept' }] }),
      headers: { 'content-type': 'application/json' },
    });
    const before = (await (await fetch(`${a.url}/session/history?archived=include`)).json()) as Row[];
    await a.stop();
    const b = await start();
    const after = (await (await fetch(`${b.url}/session/history?archived=include`)).json()) as Row[];
    expect(after.map((s: { id: string }) => s.id)).toEqual(before.map((s: { id: string }) => s.id));
    const messages = (await (await fetch(`${b.url}/session/${created.id}/message`)).json()) as Array<{ parts: Array<{ text: string }> }>;
    expect(messages.map((m: { parts: Array<{ text: string }> }) => m.parts[0]?.text)).toEqual(['kept']);
    await b.stop();

    const refused = await sarc(['serve', '--hostname', '0.0.0.0'], {
      env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, SARC_SERVER_PASSWORD: '' },
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to serve on 0.0.0.0 without a password');
  }, 60_000);

  it('`npm start` (serve --demo) serves a writable copy of the samples kept in the state dir', async () => {
    const { root } = await tempArchive();
    const state = join(root, 'demo-state');
    const child = spawn(process.execPath, [...SARC, 'serve', '--demo', '--port', '0'], {
      env: { ...process.env, SARC_STATE_DIR: state },
    });
    const url = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
    });
    try {
      const history = (await (await fetch(`${url}/session/history?archived=include`)).json()) as Array<{ id: string }>;
      expect(history.map((s: { id: string }) => s.id).sort()).toEqual(Object.values(SAMPLE).sort());
      const renamed = (await (
        await fetch(`${url}/session/${SAMPLE.main}`, {
          method: 'PATCH',
          body: JSON.stringify({ title: 'demo edit' }),
          headers: { 'content-type': 'application/json' },
        })
      ).json()) as { title: string };
      expect(renamed.title).toBe('demo edit');
      expect(await readFile(join(state, 'demo-archive', 'sessions', SAMPLE.main, 'info.json'), 'utf8')).toContain('demo edit');
      expect(await readFile(join(ROOT, 'samples', 'sessions', SAMPLE.main, 'info.json'), 'utf8')).not.toContain('demo edit');
    } finally {
      await new Promise((done) => {
        child.on('close', done);
        child.kill('SIGTERM');
      });
    }
  }, 60_000);
});

describe('the event stream', () => {
  it('drops a client that stops reading instead of queueing without bound', async () => {
    const { archive } = await tempArchive({ samples: true });
    const { openIndex } = await import('../../src/index.js');
    const { createApp } = await import('../../src/server/app.js');
    const index = await openIndex(archive, { watch: false });
    const app = createApp({ archive, index, maxQueuedEvents: 10, heartbeatMs: 60_000 });
    const res = await app.request('/event');
    // Nobody reads while 200 events happen.
    for (let i = 0; i < 100; i++) {
      await index.setStatus(SAMPLE.main, { type: 'busy' });
      await index.setStatus(SAMPLE.main, { type: 'idle' });
    }
    const text = await res.text(); // ends: the server closed the stream
    const events = text.split('\n\n').filter((c) => c.startsWith('data: '));
    expect(events.length).toBeLessThanOrEqual(12);
    expect(JSON.parse((events[0] as string).slice(6))).toEqual({ type: 'server.connected', properties: {} });
    await index.close();
  });
});
