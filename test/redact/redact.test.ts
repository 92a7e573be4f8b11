import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Archive, claudeSessionId, codexSessionId, syncAgent } from '../../src/index.js';
import { startServer } from '../../src/server/serve.js';
import { OPENCODE_FIXTURE } from '../capture/contract/opencode-fixture.js';
import { sarc } from '../cli/helpers.js';
import { allText, DECOYS, leaks, type Planted, plantedSecrets } from '../fixtures/secrets.js';
import { hasTool, tempArchive, tempDir } from '../helpers.js';

// Secrets never reach the archive: planted in every place a transcript can
// hold one, for each agent and for an import, none is in any file of the
// archive or the state dir, in `sarc show`, the markdown export, the web page
// or the event stream; every decoy survives; a re-run changes nothing.

const line = (r: unknown) => `${JSON.stringify(r)}\n`;
const iso = (s: number) => new Date(Date.parse('2026-08-01T10:00:00.000Z') + s * 1000).toISOString();

/** A Claude Code transcript with a secret in each place one can stand: prompt, answer, thinking, tool input and output, a document, todos, the title, an unknown record. */
function claudeTranscript(session: string, s: Planted[]): string {
  const at = (k: number) => s[k % s.length] as Planted;
  const base = { sessionId: session, cwd: '/home/dev/shop', version: '2.1.300' };
  const decoys = DECOYS.join('\n');
  return (
    line({ type: 'custom-title', customTitle: `Deploy with ${at(0).line}`, sessionId: session }) +
    line({
      ...base,
      type: 'user',
      uuid: 'u1',
      timestamp: iso(0),
      message: { role: 'user', content: `${at(1).line}\n${at(2).line}\n${decoys}` },
    }) +
    line({
      ...base,
      type: 'user',
      uuid: 'u2',
      timestamp: iso(1),
      message: {
        role: 'user',
        content: [
          { type: 'text', text: 'the env file' },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: `${at(3).line}\n${at(4).line}` }, title: '.env' },
        ],
      },
    }) +
    line({
      ...base,
      type: 'assistant',
      uuid: 'a1',
      timestamp: iso(2),
      message: {
        id: 'm1',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [
          { type: 'thinking', thinking: `I see ${at(5).line}`, signature: 's' },
          { type: 'text', text: `Found ${at(6).line} and ${decoys}` },
          { type: 'tool_use', id: 't1', name: 'Bash', input: { command: `${at(7).line} && ${at(8).line}` } },
          { type: 'tool_use', id: 't2', name: 'TodoWrite', input: { todos: [{ content: `rotate ${at(9).line}`, status: 'pending' }] } },
        ],
      },
    }) +
    line({
      ...base,
      type: 'user',
      uuid: 'u3',
      timestamp: iso(3),
      message: {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 't1', content: `${at(10).line}\n${at(11).line}\n${at(12).line}` }],
      },
    }) +
    line({
      ...base,
      type: 'user',
      uuid: 'u4',
      timestamp: iso(4),
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't2', content: 'ok' }] },
    }) +
    line({ type: 'hologram', sessionId: session, note: `${at(13).line} ${at(14).line}` }) +
    line({
      ...base,
      type: 'system',
      subtype: 'local_command',
      uuid: 's1',
      timestamp: iso(5),
      content: `${at(15).line}\n${at(16).line}\n${at(17).line}\n${at(18).line}`,
    })
  );
}

/** A Codex rollout with a secret in each place: prompt, answer, reasoning, a call's arguments and output, the plan, an unknown event. */
function codexRollout(id: string, s: Planted[]): string {
  const at = (k: number) => s[k % s.length] as Planted;
  let t = 0;
  const r = (type: string, payload: unknown) => line({ timestamp: iso(t++), type, payload });
  return (
    r('session_meta', { id, cwd: '/home/dev/api', cli_version: '0.171.0' }) +
    r('response_item', {
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: `${at(0).line}\n${at(1).line}\n${DECOYS.join('\n')}` }],
    }) +
    r('response_item', { type: 'reasoning', summary: [{ type: 'summary_text', text: at(2).line }] }) +
    r('response_item', {
      type: 'function_call',
      name: 'exec_command',
      arguments: JSON.stringify({ cmd: `${at(3).line}; ${at(4).line}` }),
      call_id: 'c1',
    }) +
    r('response_item', {
      type: 'function_call_output',
      call_id: 'c1',
      output: `${at(5).line}\n${at(6).line}\n${at(7).line}\nProcess exited with code 0`,
    }) +
    r('response_item', {
      type: 'function_call',
      name: 'update_plan',
      arguments: JSON.stringify({ plan: [{ step: `rotate ${at(8).line}`, status: 'pending' }] }),
      call_id: 'c2',
    }) +
    r('response_item', {
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: `${at(9).line} ${at(10).line} ${at(11).line} ${at(12).line}` }],
    }) +
    r('event_msg', { type: 'hologram', text: `${at(13).line} ${at(14).line} ${at(15).line} ${at(16).line} ${at(17).line} ${at(18).line}` })
  );
}

/** Every way a session can be seen: show, markdown export, the web page; and the server's event stream while the sync runs. */
async function everywhere(dir: string, stateDir: string, id: string, during: () => Promise<unknown>): Promise<string> {
  const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1' };
  const server = await startServer({ dir, stateDir, port: 0, onWarning: () => {} });
  let events = '';
  const controller = new AbortController();
  try {
    const stream = await fetch(`${server.url}/event`, { signal: controller.signal });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) break;
        events += Buffer.from(value as Uint8Array).toString('utf8');
      }
    })();
    await during();
    // Events of the files the sync wrote come within about 100 ms; wait for the session's to be sure they came.
    for (let i = 0; i < 100 && !events.includes(id); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    controller.abort();
    await reading;
    const page = await (await fetch(`${server.url}/ui/session/${id}`)).text();
    const shown = (await sarc(['show', id], { env })).stdout;
    const markdown = (await sarc(['export', id, '--format', 'markdown'], { env })).stdout;
    expect(events).toContain(id);
    expect(page).toContain('<h1>');
    return `${events}\n${page}\n${shown}\n${markdown}`;
  } finally {
    await server.close();
  }
}

async function checkArchive(archive: Archive, dir: string, stateDir: string, secrets: Planted[]) {
  expect(leaks(await allText(dir), secrets)).toEqual([]);
  expect(leaks(await allText(stateDir), secrets)).toEqual([]);
  const text = await allText(dir);
  for (const d of DECOYS) expect(text, d).toContain(JSON.stringify(d).slice(1, -1));
  expect(text).toMatch(/\[REDACTED:github-token:[0-9a-f]{8}\]/);
  expect((await archive.sessions.list()).length).toBeGreaterThan(0);
}

describe('secrets never reach the archive', () => {
  it('Claude Code: every place in a transcript, in the files, the state dir, show, markdown, the web page and the event stream', async () => {
    const secrets = plantedSecrets(1);
    const from = join(await tempDir(), 'projects');
    const S = 'dddd0000-0000-4000-8000-000000000001';
    await mkdir(join(from, '-home-dev-shop'), { recursive: true });
    await writeFile(join(from, '-home-dev-shop', `${S}.jsonl`), claudeTranscript(S, secrets));
    const { archive, dir, stateDir } = await tempArchive();
    let first: Awaited<ReturnType<typeof syncAgent>> | undefined;
    const seen = await everywhere(dir, stateDir, claudeSessionId(S), async () => {
      first = await syncAgent(archive, 'claude-code', { from });
    });
    expect(leaks(seen, secrets)).toEqual([]);
    expect(Object.values(first?.redacted ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(secrets.length);
    await checkArchive(archive, dir, stateDir, secrets);
    // The title, the todos and the kept unknown record are redacted too.
    const info = await archive.sessions.get(claudeSessionId(S));
    expect(info.title).toMatch(/^Deploy with Stripe.apiKey|^Deploy with export AWS_ACCESS_KEY_ID=\[REDACTED:aws-access-key-id:/);
    expect(JSON.stringify(await archive.todos.get(claudeSessionId(S)))).toContain('[REDACTED:');
    // The same secret, the same marker: a re-run changes nothing.
    const before = await allText(dir);
    const again = await syncAgent(archive, 'claude-code', { from, all: true });
    expect(again.sessions).toMatchObject({ new: 0, updated: 0, failed: 0 });
    expect(await allText(dir)).toBe(before);
  }, 60_000);

  it('Codex: every place in a rollout, and a second archive gets the same markers only with the same key', async () => {
    const secrets = plantedSecrets(2);
    const from = join(await tempDir(), 'sessions');
    const ID = '01c00000-0000-7000-8000-000000000001';
    await mkdir(join(from, '2026', '08', '01'), { recursive: true });
    await writeFile(join(from, '2026', '08', '01', `rollout-2026-08-01T10-00-00-${ID}.jsonl`), codexRollout(ID, secrets));
    const { archive, dir, stateDir } = await tempArchive();
    const seen = await everywhere(dir, stateDir, codexSessionId(ID), () => syncAgent(archive, 'codex', { from }));
    expect(leaks(seen, secrets)).toEqual([]);
    await checkArchive(archive, dir, stateDir, secrets);
    // A clone of the archive (same redaction.json) syncing the same rollout writes the same bytes.
    const clone = await tempArchive();
    await writeFile(join(clone.dir, 'redaction.json'), await readFile(join(dir, 'redaction.json')));
    await syncAgent(clone.archive, 'codex', { from });
    const messages = (a: Archive) => a.messages.list(codexSessionId(ID));
    expect(await messages(clone.archive)).toEqual(await messages(archive));
  }, 60_000);

  it.skipIf(OPENCODE_FIXTURE.missing !== undefined)(
    'OpenCode: a message and a title OpenCode wrote come in with markers, and a re-run changes nothing',
    async () => {
      const secrets = plantedSecrets(10);
      const store = await OPENCODE_FIXTURE.make(await tempDir());
      await store.grow(`${secrets.map((p) => p.line).join('\n')}\n${DECOYS.join('\n')}`);
      const { archive, dir, stateDir } = await tempArchive();
      const r = await syncAgent(archive, 'opencode', { from: store.from });
      expect(r.failures).toEqual([]);
      expect(Object.values(r.redacted).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(secrets.length);
      await checkArchive(archive, dir, stateDir, secrets);
      const before = await allText(dir);
      expect((await syncAgent(archive, 'opencode', { from: store.from, all: true })).sessions).toMatchObject({ new: 0, updated: 0 });
      expect(await allText(dir)).toBe(before);
    },
    60_000,
  );

  it('sarc import redacts an export file; --no-redact writes it as it is, with a warning', async () => {
    const secrets = plantedSecrets(3);
    const payload = {
      format: 'session-archive/export',
      version: 1,
      sessions: [
        {
          info: {
            id: 'ses_fe5d00000000AAAAAAAAAAAAAA',
            slug: 's',
            projectID: 'global',
            directory: '/',
            title: secrets[0]?.line,
            version: 'x',
            time: { created: 1, updated: 2 },
          },
          messages: [
            {
              info: {
                id: 'msg_000000000001AAAAAAAAAAAAAA',
                sessionID: 'ses_fe5d00000000AAAAAAAAAAAAAA',
                role: 'user',
                time: { created: 1 },
                agent: 'a',
                model: { providerID: 'p', modelID: 'm' },
              },
              parts: secrets.map((s, i) => ({
                id: `prt_000000000001AAAAAAAAAAAA${String(i).padStart(2, '0')}`,
                sessionID: 'ses_fe5d00000000AAAAAAAAAAAAAA',
                messageID: 'msg_000000000001AAAAAAAAAAAAAA',
                type: 'text',
                text: s.line,
              })),
            },
          ],
          todos: [{ content: secrets[1]?.line, status: 'pending', priority: 'high' }],
        },
      ],
    };
    const file = join(await tempDir(), 'export.json');
    await writeFile(file, JSON.stringify(payload));
    const { archive, dir, stateDir } = await tempArchive();
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1' };
    const imported = await sarc(['import', file], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`${secrets.length + 2} secrets replaced by markers`);
    expect(leaks(await allText(dir), secrets)).toEqual([]);
    expect(leaks(await allText(stateDir), secrets)).toEqual([]);
    expect((await archive.sessions.list())[0]?.title).toMatch(/\[REDACTED:aws-access-key-id:[0-9a-f]{8}\]/);
    const raw = await sarc(['import', file, '--no-redact'], { env });
    expect(raw.code).toBe(0);
    expect(raw.stderr).toContain('--no-redact: secrets in these sessions are written as they are');
    expect(leaks(await allText(dir), secrets).length).toBeGreaterThan(0);
  }, 60_000);
});

describe('finding what is already there', () => {
  it('sarc scan finds a secret written through the API (kind and place, never the secret), --fix redacts it, and the web page warns until then', async () => {
    const [secret] = plantedSecrets(4);
    const { archive, dir, stateDir } = await tempArchive();
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1' };
    const s = await archive.sessions.create({ title: 'notes' });
    const m = await archive.messages.append(s.id, {
      info: { role: 'user', agent: 'a', model: { providerID: 'p', modelID: 'm' } },
      parts: [{ type: 'text', text: `${secret?.line}` }],
    });
    const found = await sarc(['scan', '--json'], { env });
    expect(found.code).toBe(1);
    const report = JSON.parse(found.stdout);
    expect(report.findings).toEqual([
      { session: s.id, file: `sessions/${s.id}/messages/${m.info.id}.json`, path: 'parts[0].text', kind: secret?.kind },
    ]);
    expect(found.stdout).not.toContain(secret?.secret);
    const server = await startServer({ dir, stateDir, port: 0, onWarning: () => {} });
    try {
      const page = await (await fetch(`${server.url}/ui/session/${s.id}`)).text();
      expect(page).toContain(`This page shows 1 possible secret (${secret?.kind})`);
    } finally {
      await server.close();
    }
    const fixed = await sarc(['scan', '--fix'], { env });
    expect(fixed.code).toBe(0);
    expect(JSON.stringify(await archive.messages.get(s.id, m.info.id))).toMatch(/\[REDACTED:aws-access-key-id:[0-9a-f]{8}\]/);
    expect((await sarc(['scan'], { env })).stdout).toBe('no secret in 1 session\n');
  });

  it.skipIf(!hasTool('git'))(
    'the pre-commit hook of sarc git-setup refuses a commit that adds a secret, and takes it once redacted',
    async () => {
      const [secret] = plantedSecrets(5);
      const { archive, dir, stateDir } = await tempArchive();
      const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1' };
      const git = (...args: string[]) =>
        spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, ...env },
        });
      git('init', '-q');
      const setup = await sarc(['git-setup'], { env });
      expect(setup.code, setup.stderr).toBe(0);
      expect(setup.stdout).toContain('pre-commit hook');
      const s = await archive.sessions.create({ title: 'notes' });
      await archive.messages.append(s.id, {
        info: { role: 'user', agent: 'a', model: { providerID: 'p', modelID: 'm' } },
        parts: [{ type: 'text', text: `${secret?.line}` }],
      });
      git('add', '-A');
      const refused = git('commit', '-qm', 'notes');
      expect(refused.status).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain(`: ${secret?.kind}`);
      expect(refused.stdout + refused.stderr).not.toContain(secret?.secret);
      await sarc(['scan', '--fix'], { env });
      git('add', '-A');
      const taken = git('commit', '-qm', 'notes');
      expect(taken.status, taken.stderr).toBe(0);
      // And the history scan finds what an earlier commit added.
      await writeFile(join(dir, 'notes.json'), JSON.stringify({ note: secret?.line }));
      git('add', 'notes.json');
      git('commit', '-qm', 'raw', '--no-verify');
      const history = await sarc(['scan', '--history'], { env });
      expect(history.code).toBe(1);
      expect(history.stdout).toMatch(new RegExp(`notes\\.json: ${secret?.kind}`));
      expect(history.stdout).toContain('git filter-repo');
    },
    60_000,
  );

  it('sarc redaction: off with a warning at every sync, an allowed value and pattern are kept as they are, doctor says which rules', async () => {
    const [secret, other] = plantedSecrets(6);
    const { dir, stateDir } = await tempArchive();
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1' };
    expect((await sarc(['redaction', 'allow', secret?.secret as string], { env })).code).toBe(0);
    expect((await sarc(['redaction', 'allow', '--pattern', '^sk_live_'], { env })).code).toBe(0);
    const settings = await readFile(join(dir, 'redaction.json'), 'utf8');
    expect(settings).not.toContain(secret?.secret);
    expect(JSON.parse(settings).allow.patterns).toEqual(['^sk_live_']);
    const doctor = await sarc(['doctor', '--json'], { env });
    expect(JSON.parse(doctor.stdout).redaction).toMatchObject({
      enabled: true,
      rules: expect.stringContaining('secretlint'),
      allowedValues: 1,
      allowedPatterns: 1,
    });
    const from = join(await tempDir(), 'projects');
    const S = 'dddd0000-0000-4000-8000-000000000006';
    await mkdir(join(from, '-p'), { recursive: true });
    const stripe = plantedSecrets(6).find((p) => p.kind === 'stripe-key') as Planted;
    await writeFile(
      join(from, '-p', `${S}.jsonl`),
      line({
        sessionId: S,
        cwd: '/',
        type: 'user',
        uuid: 'u',
        timestamp: iso(0),
        message: { role: 'user', content: `${secret?.line}\n${other?.line}\n${stripe.line}` },
      }),
    );
    await sarc(['sync', 'claude-code', '--from', from], { env });
    const text = await allText(join(dir, 'sessions'));
    expect(text).toContain(secret?.secret); // allowed by value
    expect(text).toContain(stripe.secret); // allowed by pattern
    expect(text).not.toContain(other?.secret);
    expect((await sarc(['redaction', 'off'], { env })).stderr).toContain('warning: redaction is off');
    const off = await sarc(['sync', 'claude-code', '--from', from], { env });
    expect(off.stderr).toContain('warning: redaction is off (this archive turned it off');
    expect((await sarc(['redaction'], { env })).stdout).toContain('redaction off');
  }, 60_000);
});
