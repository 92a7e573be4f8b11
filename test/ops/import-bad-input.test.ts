import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Archive, exportSessions, importSessions, isArchiveError } from '../../src/index.js';
import { SAMPLE, tempArchive } from '../helpers.js';

async function exported(archive: Archive, id: string) {
  let t = '';
  for await (const piece of exportSessions(archive, [id])) t += piece;
  return JSON.parse(t);
}

async function refused(archive: Archive, dir: string, payload: unknown, code: string, message: string | RegExp) {
  const before = (await readdir(join(dir, 'sessions'))).sort();
  const error = await importSessions(archive, payload).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isArchiveError(error), String(error)).toBe(true);
  if (!isArchiveError(error)) return;
  expect(error.code).toBe(code);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  expect((await readdir(join(dir, 'sessions'))).sort()).toEqual(before);
}

describe('import refuses bad input with a typed error and writes nothing', () => {
  it('wrong shapes and empty payloads', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const shape = 'expected a session-archive export {format, version, sessions} or an OpenCode export {info, messages}';
    await refused(archive, dir, 'hello', 'INVALID_INPUT', `invalid import: ${shape}`);
    await refused(archive, dir, null, 'INVALID_INPUT', `invalid import: ${shape}`);
    await refused(archive, dir, { sessions: [] }, 'INVALID_INPUT', `invalid import: ${shape}`);
    await refused(archive, dir, [], 'INVALID_INPUT', 'invalid import: the payload holds no sessions');
    await refused(
      archive,
      dir,
      { format: 'session-archive/export', version: 1, sessions: [] },
      'INVALID_INPUT',
      'invalid import: the payload holds no sessions',
    );
    await refused(
      archive,
      dir,
      { format: 'session-archive/export', version: 9, sessions: [] },
      'UNSUPPORTED_VERSION',
      /export version 9 is newer/,
    );
    await refused(archive, dir, [1], 'INVALID_INPUT', `invalid import at [0]: ${shape}`);
  });

  it('reports the JSON path of the first problems', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const doc = await exported(archive, SAMPLE.main);
    doc.sessions[0].messages[1].parts[2].state.status = 'finished';
    doc.sessions[0].info.title = 7;
    await refused(
      archive,
      dir,
      doc,
      'INVALID_INPUT',
      "invalid import: sessions[0].info.title: Invalid input: expected string, received number; sessions[0].messages[1].parts[2].state.status: Invalid discriminator value. Expected 'pending' | 'running' | 'completed' | 'error'",
    );
    const oc = { info: doc.sessions[0].info, messages: [{ info: { role: 'robot' }, parts: [] }] };
    oc.info.title = 'ok';
    await refused(archive, dir, [oc], 'INVALID_INPUT', /^invalid import: \[0\]\.messages\[0\]\.info\.role: Invalid discriminator value/);
  });

  it('__proto__ keys are refused; constructor and prototype keys are data, imported as they are', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const doc = await exported(archive, SAMPLE.main);
    const text = JSON.stringify(doc).replace('"title":', '"__proto__": {"polluted": true}, "title":');
    await refused(archive, dir, JSON.parse(text), 'INVALID_INPUT', 'invalid import: sessions[0].info.__proto__: this key is not allowed');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The store holds such keys (a tool's input may name a field so), so its export must import again.
    const ctor = structuredClone(doc);
    const metadata = { constructor: { prototype: { x: 1 } }, prototype: null };
    ctor.sessions[0].messages[0].parts[0].metadata = metadata;
    const [imported] = (await importSessions(archive, ctor)).sessions;
    const [first] = await archive.messages.list(imported?.to as string);
    expect(first?.parts[0]?.metadata).toEqual(metadata);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('x');
  });

  it('IDs with path tricks, 50 MB IDs, and messages that disagree with their session', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const doc = await exported(archive, SAMPLE.main);
    const withId = (id: string) => {
      const copy = structuredClone(doc);
      copy.sessions[0].info.id = id;
      for (const m of copy.sessions[0].messages) {
        m.info.sessionID = id;
        for (const p of m.parts) p.sessionID = id;
      }
      return copy;
    };
    await refused(
      archive,
      dir,
      withId('../../../etc'),
      'INVALID_INPUT',
      /^invalid import: sessions\[0\]\.info\.id: expected a session ID \(ses_…\)/,
    );
    await refused(
      archive,
      dir,
      withId('ses_../../../../etc/passwd'),
      'INVALID_INPUT',
      /^invalid import: sessions\[0\]\.info\.id: expected a session ID \(ses_…\)/,
    );
    const huge = structuredClone(doc);
    huge.sessions[0].messages[0].info.id = `msg_${'a'.repeat(50 * 1024 * 1024)}`;
    await refused(
      archive,
      dir,
      huge,
      'INVALID_INPUT',
      /^invalid import: sessions\[0\]\.messages\[0\]\.info\.id: expected a message ID \(msg_…\)/,
    );
    const disagree = structuredClone(doc);
    disagree.sessions[0].messages[2].info.sessionID = SAMPLE.notes;
    await refused(
      archive,
      dir,
      disagree,
      'INVALID_INPUT',
      `invalid import: sessions[0].messages[2]: message: info.sessionID: ${SAMPLE.notes} does not match its session ${SAMPLE.main}`,
    );
    const twice = { ...doc, sessions: [doc.sessions[0], doc.sessions[0]] };
    await refused(
      archive,
      dir,
      twice,
      'INVALID_INPUT',
      `invalid import: sessions[1].info.id: session ${SAMPLE.main} appears more than once`,
    );
  });

  it('a 50 MB string in a part is data, and comes through whole', async () => {
    const { archive } = await tempArchive({ samples: true });
    const doc = await exported(archive, SAMPLE.main);
    const big = 'y'.repeat(50 * 1024 * 1024);
    doc.sessions[0].messages[0].parts[0].text = big;
    const [r] = (await importSessions(archive, doc)).sessions;
    const [first] = await archive.messages.list(r?.to as string);
    expect(first?.parts[0]?.type === 'text' && first.parts[0].text.length).toBe(big.length);
  }, 60_000);
});
