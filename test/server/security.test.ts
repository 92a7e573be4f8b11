import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/index.js';
import { type RunningServer, type ServeOptions, startServer } from '../../src/server/serve.js';
import { SAMPLE, SARC, serveProcess, tempArchive, userMessage } from '../helpers.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: unlike fetch, it sends exactly the headers given (Host, Origin, Sec-Fetch-Site included). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    // No Host header at all when none is given (Node would add one).
    const req = httpRequest({ hostname, port, method, path, headers, setHost: 'host' in headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function served(options: Partial<ServeOptions> = {}) {
  const t = await tempArchive({ samples: true });
  const server = await startServer({ dir: t.dir, stateDir: t.stateDir, port: 0, onWarning: () => {}, ...options });
  running.push(server);
  const host = new URL(server.url).host;
  const sessions = async () => (await readdir(join(t.dir, 'sessions'))).sort();
  return { ...t, server, host, sessions };
}

const json = { 'content-type': 'application/json' };
const PAYLOAD = JSON.stringify({ title: 'planted' });

describe('cross-site requests', () => {
  it('refuses writes a browser marks as cross-site, with a foreign Origin, or with a body that is not JSON; nothing is written', async () => {
    const { server, host, sessions, dir } = await served();
    const before = await sessions();
    const attempts: Array<[string, Record<string, string>, string, number]> = [
      // What a page on another site can send without a preflight: text/plain, a form.
      ['text/plain JSON', { host, 'content-type': 'text/plain' }, PAYLOAD, 415],
      ['form', { host, 'content-type': 'application/x-www-form-urlencoded' }, 'title=planted', 415],
      [
        'text/plain from a page',
        { host, 'content-type': 'text/plain', origin: 'http://evil.test', 'sec-fetch-site': 'cross-site' },
        PAYLOAD,
        403,
      ],
      ['JSON with a foreign Origin', { host, ...json, origin: 'http://evil.test' }, PAYLOAD, 403],
      ['JSON marked cross-site', { host, ...json, 'sec-fetch-site': 'cross-site' }, PAYLOAD, 403],
      ['JSON marked same-site', { host, ...json, 'sec-fetch-site': 'same-site' }, PAYLOAD, 403],
      ['Origin null from a sandboxed page', { host, ...json, origin: 'null' }, PAYLOAD, 403],
    ];
    for (const [what, headers, body, status] of attempts) {
      const answer = await raw(server.url, 'POST', '/session', headers, body);
      expect(answer.status, what).toBe(status);
      expect(JSON.parse(answer.body).name, what).toBe(status === 415 ? 'UnsupportedMediaType' : 'ForbiddenError');
    }
    // The mass rewrite from the report, and a message append.
    const migrate = JSON.stringify({ fromDir: '/', to: '/tmp/elsewhere' });
    expect((await raw(server.url, 'POST', '/session/migrate', { host, 'content-type': 'text/plain' }, migrate)).status).toBe(415);
    expect((await raw(server.url, 'POST', '/session/migrate', { host, ...json, origin: 'http://evil.test' }, migrate)).status).toBe(403);
    const message = JSON.stringify({ parts: [{ type: 'text', text: 'planted' }] });
    expect((await raw(server.url, 'POST', `/session/${SAMPLE.main}/message`, { host, 'content-type': 'text/plain' }, message)).status).toBe(
      415,
    );
    // DELETE and the UI's forms are refused the same way.
    expect((await raw(server.url, 'DELETE', `/session/${SAMPLE.notes}`, { host, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const form = await raw(
      server.url,
      'POST',
      `/ui/session/${SAMPLE.notes}/delete`,
      { host, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.test', 'sec-fetch-site': 'cross-site' },
      'confirm=yes',
    );
    expect(form.status).toBe(403);
    expect(await sessions()).toEqual(before);
    const archive = await openArchive({ dir, stateDir: join(dir, '..', 'state2') });
    expect((await archive.sessions.get(SAMPLE.main)).directory).not.toBe('/tmp/elsewhere');
    expect(await archive.messages.ids(SAMPLE.main)).toHaveLength(5);
  });

  it("the web UI's forms need the page's token, even from the same origin", async () => {
    const { server, host, sessions } = await served();
    const before = await sessions();
    const form = { host, 'content-type': 'application/x-www-form-urlencoded', origin: server.url, 'sec-fetch-site': 'same-origin' };
    const missing = await raw(server.url, 'POST', `/ui/session/${SAMPLE.notes}/delete`, form, 'confirm=yes');
    expect(missing.status).toBe(403);
    expect(missing.body).toContain('the form is missing its token or it is stale');
    const wrong = await raw(server.url, 'POST', `/ui/session/${SAMPLE.notes}/delete`, form, 'confirm=yes&_csrf=guess');
    expect(wrong.status).toBe(403);
    const upload = await raw(
      server.url,
      'POST',
      '/ui/import',
      { ...form, 'content-type': 'multipart/form-data; boundary=x' },
      '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\n{}\r\n--x--\r\n',
    );
    expect(upload.status).toBe(403);
    expect(await sessions()).toEqual(before);
    // With the token from a page the server rendered, the same form works.
    const page = await raw(server.url, 'GET', `/ui/session/${SAMPLE.notes}`, { host });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    expect(token).toBeDefined();
    const ok = await raw(server.url, 'POST', `/ui/session/${SAMPLE.notes}/delete`, form, `confirm=yes&_csrf=${token}`);
    expect(ok.status).toBe(303);
    expect(await sessions()).not.toContain(SAMPLE.notes);
  });

  it('holds with a password set: cached credentials on a cross-site post do not help', async () => {
    const { server, host, sessions } = await served({ password: 'pw' });
    const auth = `Basic ${Buffer.from('u:pw').toString('base64')}`;
    const before = await sessions();
    const cross = await raw(
      server.url,
      'POST',
      '/session',
      { host, ...json, authorization: auth, 'sec-fetch-site': 'cross-site' },
      PAYLOAD,
    );
    expect(cross.status).toBe(403);
    const plain = await raw(server.url, 'POST', '/session', { host, 'content-type': 'text/plain', authorization: auth }, PAYLOAD);
    expect(plain.status).toBe(415);
    expect(await sessions()).toEqual(before);
    // A client that sends neither header (the CLI, the SDK, curl) keeps working.
    const client = await raw(server.url, 'POST', '/session', { host, ...json, authorization: auth }, PAYLOAD);
    expect(client.status).toBe(200);
    expect(JSON.parse(client.body).title).toBe('planted');
  });
});

describe('Host names', () => {
  it('answers only to loopback names of its port and the names allowed; share URLs come from --public-url', async () => {
    const { server, host } = await served({ publicUrl: 'https://sessions.example.org/', allowHosts: ['laptop.local'] });
    const port = new URL(server.url).port;
    for (const name of [`127.0.0.1:${port}`, `localhost:${port}`, 'laptop.local', `laptop.local:${port}`, 'sessions.example.org']) {
      expect((await raw(server.url, 'GET', '/session', { host: name })).status, name).toBe(200);
    }
    // HTTP/1.1 without a Host: Node's server itself answers 400.
    expect((await raw(server.url, 'GET', '/session/history', {})).status).toBe(400);
    for (const name of ['evil.test', `evil.test:${port}`, `127.0.0.1:${Number(port) + 1}`]) {
      const answer = await raw(server.url, 'GET', '/session/history', { host: name });
      expect(answer.status, name).toBe(421);
      expect(JSON.parse(answer.body).data.message).toContain('--allow-host');
    }
    // A rebinding page cannot plant its name in share.url either: the URL is the configured one.
    const refused = await raw(server.url, 'POST', `/session/${SAMPLE.main}/share`, { host: 'evil.test' });
    expect(refused.status).toBe(421);
    const shared = await raw(server.url, 'POST', `/session/${SAMPLE.main}/share`, { host: 'laptop.local' });
    expect(JSON.parse(shared.body).share.url).toMatch(/^https:\/\/sessions\.example\.org\/share\/[\w-]{32}$/);
    expect(host).toBe(`127.0.0.1:${port}`);
  });

  it('builds share URLs from the bound address by default, never from the request', async () => {
    const { server } = await served({ allowHosts: ['other.local'] });
    const shared = await raw(server.url, 'POST', `/session/${SAMPLE.main}/share`, { host: 'other.local' });
    expect(JSON.parse(shared.body).share.url.startsWith(`${server.url}/share/`)).toBe(true);
  });

  it('refuses a public URL that is not http(s)', async () => {
    await expect(served({ publicUrl: 'javascript:alert(1)' })).rejects.toThrow('invalid public URL');
  });
});

describe('no script from data', () => {
  it('renders a javascript: URL as text, sends a CSP on every page, and sandboxes share pages', async () => {
    const { server, host, dir, stateDir } = await served();
    const archive = await openArchive({ dir, stateDir });
    for (const url of ['javascript:alert(1)', ' JaVa\tScRiPt:alert(2)', 'data:text/html,<script>alert(3)</script>', 'vbscript:x']) {
      await archive.messages.append(SAMPLE.main, {
        info: { role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' } },
        parts: [{ type: 'file', mime: 'text/html', filename: `evil ${url.length}`, url }],
      });
    }
    await archive.messages.append(SAMPLE.main, {
      info: { role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' } },
      parts: [{ type: 'file', mime: 'text/plain', filename: 'fine.txt', url: 'https://example.org/fine.txt' }],
    });
    const page = await raw(server.url, 'GET', `/ui/session/${SAMPLE.main}`, { host });
    expect(page.status).toBe(200);
    expect(page.body).not.toMatch(/href="\s*(java|vb)/i);
    expect(page.body).not.toMatch(/href="data:/i);
    expect(page.body).toContain('<span class="unlinked" title="not a web link">evil 19</span>');
    expect(page.body).toContain('<a href="https://example.org/fine.txt" rel="noreferrer">fine.txt</a>');
    const csp = String(page.headers['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] as string;
    expect(csp).toContain(`script-src 'nonce-${nonce}'`);
    for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'none'"])
      expect(csp).toContain(directive);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // Every script tag on the page carries the nonce.
    expect(page.body.match(/<script[^>]*>/g)?.every((tag) => tag.includes(`nonce="${nonce}"`))).toBe(true);
    // A new nonce for every answer: 16 random bytes, never the same twice.
    const nonces = new Set([nonce]);
    for (let i = 0; i < 20; i++) {
      const csp = String((await raw(server.url, 'GET', `/ui/session/${SAMPLE.main}`, { host })).headers['content-security-policy']);
      nonces.add(/'nonce-([^']+)'/.exec(csp)?.[1] as string);
    }
    expect(nonces.size).toBe(21);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    for (const path of ['/', '/ui/usage', '/ui/session/ses_fe5e0a1b2c3d000000000000000', '/no-such-page']) {
      const other = await raw(server.url, 'GET', path, { host });
      expect(String(other.headers['content-security-policy']), path).toContain("object-src 'none'");
    }

    const shared = JSON.parse((await raw(server.url, 'POST', `/session/${SAMPLE.main}/share`, { host })).body).share.url as string;
    const share = await raw(server.url, 'GET', new URL(shared).pathname, { host });
    expect(share.status).toBe(200);
    expect(String(share.headers['content-security-policy'])).toMatch(/^sandbox; default-src 'none'/);
    expect(share.body).not.toContain('<script');
    expect(share.body).not.toMatch(/href="\s*(java|vb|data)/i);
  });
});

describe('shutdown', () => {
  it('SIGTERM stops sarc serve within 2 s after an event client of a missing session left', async () => {
    const t = await tempArchive({ samples: true });
    const child = spawn(process.execPath, [...SARC, 'serve', '--port', '0', '--json'], {
      env: { ...process.env, SARC_ARCHIVE: t.dir, SARC_STATE_DIR: t.stateDir },
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line).url);
      });
    });
    // A session ID whose folder does not exist: the subscription watches a missing folder.
    const controller = new AbortController();
    const res = await fetch(`${url}/event?session=ses_fe5e00000000aaaaaaaaaaaaaa`, { signal: controller.signal });
    expect(res.status).toBe(200);
    controller.abort();
    // A second client that stays connected.
    const stays = await fetch(`${url}/event`);
    expect(stays.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    const sent = Date.now();
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5_000))]);
    expect(code).toBe(0);
    // A deadline, not a benchmark: "within 2 s" is what the command promises.
    expect(Date.now() - sent).toBeLessThan(2_500);
  });
});

describe('bounded work', () => {
  it('slowloris: 1,000 trickling sockets do not stop normal requests, and are cut off within about 10 s', async () => {
    const { server, host } = await served();
    const { hostname, port } = new URL(server.url);
    const sockets: Socket[] = [];
    const closed: number[] = [];
    try {
      for (let i = 0; i < 1_000; i++) {
        const opened = Date.now();
        const socket = connect(Number(port), hostname);
        socket.on('error', () => {});
        // How long each socket lived, from its own start.
        socket.on('close', () => closed.push(Date.now() - opened));
        socket.write(`GET /session HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
        sockets.push(socket);
      }
      // One header byte a second from every socket, never finishing the headers.
      const trickle = setInterval(() => {
        for (const s of sockets) if (!s.destroyed) s.write('a');
      }, 1_000);
      try {
        await new Promise((r) => setTimeout(r, 1_500));
        const res = await fetch(`${server.url}/session/history`);
        expect(res.status).toBe(200);
        expect(((await res.json()) as unknown[]).length).toBe(3);
        const deadline = Date.now() + 16_000;
        while (closed.length < sockets.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      } finally {
        clearInterval(trickle);
      }
      expect(closed.length).toBe(sockets.length);
      // Cut off by the server after its 8 s header timeout (and Node's checks), not by us.
      expect(Math.max(...closed)).toBeLessThan(12_500);
      expect(Math.min(...closed)).toBeGreaterThanOrEqual(7_000);
    } finally {
      for (const s of sockets) s.destroy();
    }
  }, 40_000);
});

describe('answers larger than memory', () => {
  it('a 120 MB session is served whole (message list, UI page, share page, UI export) by a server whose heap is capped at 64 MB', async () => {
    const { archive, dir, stateDir } = await tempArchive();
    const s = await archive.sessions.create();
    const big = 'x'.repeat(2 * 1024 * 1024);
    for (let i = 0; i < 60; i++) await archive.messages.append(s.id, userMessage(`${i}${big}`));
    const server = await serveProcess({
      ...process.env,
      SARC_ARCHIVE: dir,
      SARC_STATE_DIR: stateDir,
      NODE_OPTIONS: '--max-old-space-size=64',
    });
    /** Reads an answer to its end, keeping only its size and its first and last bytes. */
    const drain = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let size = 0;
      let head = '';
      let tail = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        size += value.length;
        if (head.length < 64) head += Buffer.from(value.subarray(0, 64)).toString();
        // The last 64 bytes of the answer, whatever sizes the reads come in.
        tail = (tail + Buffer.from(value.subarray(-64)).toString()).slice(-64);
      }
      return { status: res.status, size, head, tail };
    };
    try {
      const list = await drain(`/session/${s.id}/message`);
      expect(list.status).toBe(200);
      expect(list.size).toBeGreaterThan(120 * 1024 * 1024);
      expect(list.head.startsWith('[{"info":{')).toBe(true);
      expect(list.tail.endsWith('}]}]')).toBe(true);
      const exported = await drain(`/ui/session/${s.id}/export`);
      expect(exported.status).toBe(200);
      expect(exported.size).toBeGreaterThan(120 * 1024 * 1024);
      const page = await drain(`/ui/session/${s.id}`);
      expect(page.status).toBe(200);
      expect(page.size).toBeGreaterThan(120 * 1024 * 1024);
      expect(page.tail.endsWith('</body></html>\n')).toBe(true);
      const shared = (await (await fetch(`${server.url}/session/${s.id}/share`, { method: 'POST' })).json()) as { share: { url: string } };
      const sharePage = await drain(new URL(shared.share.url).pathname);
      expect(sharePage.status).toBe(200);
      expect(sharePage.size).toBeGreaterThan(120 * 1024 * 1024);
      // The server is still there.
      expect((await fetch(`${server.url}/session/${s.id}`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
