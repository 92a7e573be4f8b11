// The hostile input corpus (test/fixtures/hostile/) against every way data
// comes in: import payloads, hand-edited files, HTTP bodies. Each case is
// refused with a clear typed error or (odd but valid data) kept whole; nothing
// crashes, nothing is written outside the archive, Object.prototype is untouched.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Archive, exportSessions, importSessions, isArchiveError, readImportFile } from '../../src/index.js';
import { type RunningServer, startServer } from '../../src/server/serve.js';
import { checkFiles } from '../fixtures/chaos.js';
import { corpus, type HostileCase, type Template } from '../fixtures/hostile/corpus.js';
import { SAMPLE, tempArchive } from '../helpers.js';

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

function untouchedPrototype() {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** Nothing named after a hostile ID exists anywhere near the archive. */
async function nothingOutside(root: string) {
  expect((await readdir(root)).sort()).toEqual(['archive', 'cases', 'state']);
  for (const rel of await readdir(root, { recursive: true })) expect(rel).not.toMatch(/pwn/);
  expect(existsSync('/tmp/pwn')).toBe(false);
}

const refuses = (c: HostileCase, t: Template) => (typeof c.refuse === 'function' ? c.refuse(t) : c.refuse);

async function payloadTemplate(archive: Archive): Promise<Template> {
  let text = '';
  for await (const piece of exportSessions(archive, [SAMPLE.notes])) text += piece;
  return {
    kind: 'payload',
    value: JSON.parse(text),
    idPaths: [
      ['sessions', 0, 'info', 'id'],
      ['sessions', 0, 'info', 'parentID'],
      ['sessions', 0, 'messages', 0, 'info', 'id'],
      ['sessions', 0, 'messages', 0, 'info', 'sessionID'],
      ['sessions', 0, 'messages', 0, 'parts', 0, 'id'],
      ['sessions', 0, 'messages', 0, 'parts', 0, 'messageID'],
    ],
  };
}

function messageTemplate(value: Record<string, unknown>): Template {
  return {
    kind: 'message',
    value,
    idPaths: [
      ['info', 'id'],
      ['info', 'sessionID'],
      ['parts', 0, 'id'],
      ['parts', 0, 'messageID'],
      ['parts', 0, 'sessionID'],
    ],
  };
}

function outcome(error: unknown): string {
  if (error === undefined) return 'accepted';
  if (isArchiveError(error)) return error.code;
  return `crash: ${String(error)}`;
}

describe('the hostile corpus', () => {
  it('as import payloads (clone and keep-ids): refused with INVALID_INPUT, INVALID_ID or UNSUPPORTED_VERSION, or imported whole', async () => {
    const { archive, root } = await tempArchive({ samples: true });
    await mkdir(join(root, 'cases'));
    const template = await payloadTemplate(archive);
    const cases = corpus(template);
    expect(cases.length).toBeGreaterThanOrEqual(100);
    let accepted = 0;
    for (const [i, c] of cases.entries()) {
      const file = join(root, 'cases', `${i}.json`);
      await writeFile(file, c.bytes(template));
      for (const mode of ['clone', 'keep-ids'] as const) {
        if (mode === 'keep-ids' && !refuses(c, template)) continue; // the sample's IDs exist: DUPLICATE_ID
        const error = await readImportFile(file)
          .then((payload) => importSessions(archive, payload, { mode }))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        const got = outcome(error);
        if (refuses(c, template))
          expect(['INVALID_INPUT', 'INVALID_ID', 'UNSUPPORTED_VERSION'], `${c.name} (${mode}): ${String(error)}`).toContain(got);
        else expect(got, `${c.name} (${mode}): ${String(error)}`).toBe('accepted');
        if (got === 'accepted') accepted++;
      }
      untouchedPrototype();
    }
    expect(accepted).toBe(cases.filter((c) => !refuses(c, template)).length);
    await nothingOutside(root);
    await checkFiles(join(root, 'archive'));
    expect((await archive.sessions.list()).length).toBe(4 + accepted);
  }, 120_000);

  it('as hand-edited info.json and message files: CORRUPT and never rewritten, or read whole; other sessions keep working', async () => {
    const { archive, root, dir } = await tempArchive({ samples: true });
    await mkdir(join(root, 'cases'));
    const infoPath = join(dir, 'sessions', SAMPLE.notes, 'info.json');
    const [firstMessage] = await archive.messages.orderedIds(SAMPLE.notes);
    const messagePath = join(dir, 'sessions', SAMPLE.notes, 'messages', `${firstMessage}.json`);
    const targets: Array<{ template: Template; path: string; read: () => Promise<unknown>; write: () => Promise<unknown> }> = [
      {
        template: {
          kind: 'info',
          value: JSON.parse(await readFile(infoPath, 'utf8')),
          idPaths: [
            ['id'],
            ['parentID'],
            ['forkedFrom', 'sessionID'],
            ['forkedFrom', 'messageID'],
            ['revert', 'messageID'],
            ['revert', 'partID'],
          ],
        },
        path: infoPath,
        read: () => archive.sessions.get(SAMPLE.notes),
        write: () => archive.sessions.update(SAMPLE.notes, { title: 'overwritten?' }),
      },
      {
        template: messageTemplate(JSON.parse(await readFile(messagePath, 'utf8'))),
        path: messagePath,
        read: () => archive.messages.get(SAMPLE.notes, firstMessage as string),
        write: () => archive.messages.upsertPart(SAMPLE.notes, firstMessage as string, { type: 'text', text: 'overwritten?' }),
      },
    ];
    for (const { template, path, read, write } of targets) {
      const original = await readFile(path);
      const cases = corpus(template);
      expect(cases.length).toBeGreaterThanOrEqual(100);
      for (const c of cases) {
        const bytes = c.bytes(template);
        await writeFile(path, bytes);
        const got = outcome(
          await read().then(
            () => undefined,
            (e: unknown) => e,
          ),
        );
        if (refuses(c, template)) {
          expect(got, `${template.kind}: ${c.name}`).toBe('CORRUPT');
          // An operation that would write refuses too, and the bytes stay as they are.
          expect(
            outcome(
              await write().then(
                () => undefined,
                (e: unknown) => e,
              ),
            ),
            `${template.kind}: ${c.name}`,
          ).toBe('CORRUPT');
          expect(Buffer.compare(await readFile(path), Buffer.from(bytes)), `${template.kind}: ${c.name} rewritten`).toBe(0);
        } else {
          expect(got, `${template.kind}: ${c.name}`).toBe('accepted');
        }
        // The rest of the archive works meanwhile.
        expect((await archive.sessions.get(SAMPLE.main)).id).toBe(SAMPLE.main);
        untouchedPrototype();
        await writeFile(path, original);
      }
    }
    await nothingOutside(root);
  }, 120_000);
});

describe('the hostile corpus over HTTP', () => {
  const running: RunningServer[] = [];
  afterEach(async () => {
    for (const s of running.splice(0)) await s.close();
  });

  it('as request bodies (message upsert, import): 400 or 413 with a typed body, never a 500, and the server keeps serving', async () => {
    const { archive, dir, stateDir, root } = await tempArchive({ samples: true });
    await mkdir(join(root, 'cases'));
    const server = await startServer({ dir, stateDir, port: 0, onWarning: () => {} });
    running.push(server);
    const [firstMessage] = await archive.messages.orderedIds(SAMPLE.notes);
    const message = await archive.messages.get(SAMPLE.notes, firstMessage as string);
    const targets: Array<{ template: Template; method: string; url: string }> = [
      {
        template: messageTemplate(structuredClone(message) as unknown as Record<string, unknown>),
        method: 'PUT',
        url: `/session/${SAMPLE.notes}/message/${firstMessage}`,
      },
      { template: await payloadTemplate(archive), method: 'POST', url: '/backup/import' },
    ];
    for (const { template, method, url } of targets) {
      const cases = corpus(template);
      expect(cases.length).toBeGreaterThanOrEqual(100);
      for (const c of cases) {
        const res = await fetch(`${server.url}${url}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: c.bytes(template),
        });
        const body = (await res.json()) as { name?: string; _tag?: string; data?: { message?: string } };
        if (refuses(c, template)) {
          expect([400, 413], `${url}: ${c.name}: ${JSON.stringify(body).slice(0, 300)}`).toContain(res.status);
          expect(body.name, c.name).toBe('BadRequest');
          expect(body.data?.message, c.name).toBeTruthy();
        } else {
          expect(res.status, `${url}: ${c.name}: ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
        }
        untouchedPrototype();
      }
    }
    expect((await fetch(`${server.url}/session/${SAMPLE.main}`)).status).toBe(200);
    await nothingOutside(root);
  }, 180_000);
});
