import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeSessionId, codexSessionId, syncAgent } from '../../src/index.js';
import { sarc } from '../cli/helpers.js';
import { ROOT, SAMPLE, tempArchive } from '../helpers.js';
import { type AgentBinary, agentHome, CLAUDE, CODEX, COPILOT, GEMINI, haveAgent, PI, QWEN, runAgent } from './agents.js';
import { type MockModel, startMockModel } from './mock-model.js';

// `sarc resume`: a session from the archive (here one OpenCode made, with tool calls and todos) written into the
// real Claude Code's store, resumed by it offline against the mock model, and the new turn synced back in.

let mock: MockModel;
beforeAll(async () => {
  mock = await startMockModel({ reply: 'picked up where we left off' });
});
afterAll(async () => {
  await mock.close();
});

/** How each target runs offline against the mock: its environment, and the command that resumes with a new prompt. */
interface Target {
  agent: string;
  binary: AgentBinary;
  /** Its store under HOME. */
  store(home: string): string;
  env(home: string): Record<string, string>;
  setup?(home: string): Promise<void>;
  args(command: string[], prompt: string): string[];
}

const TARGETS: Target[] = [
  {
    agent: 'claude-code',
    binary: CLAUDE,
    store: (home: string) => join(home, '.claude', 'projects'),
    env: (): Record<string, string> => ({
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'x',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    }),
    args: (command: string[], prompt: string) => ['--model', 'mock-model', '--allowedTools', 'Bash', ...command.slice(1), '-p', prompt],
  },
  {
    agent: 'codex',
    binary: CODEX,
    store: (home: string) => join(home, '.codex', 'sessions'),
    env: (home: string): Record<string, string> => ({ MOCK_API_KEY: 'x', CODEX_HOME: join(home, '.codex') }),
    args: (command: string[], prompt: string) => [
      'exec',
      'resume',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      ...['-c', 'model_provider=mock', '-c', 'model=mock-model'],
      ...['-c', `model_providers.mock={name="Mock",base_url="${mock.url}/v1",wire_api="responses",env_key="MOCK_API_KEY"}`],
      command.at(-1) as string,
      prompt,
    ],
  },
  {
    agent: 'qwen-code',
    binary: QWEN,
    store: (home: string) => join(home, '.qwen', 'projects'),
    env: (): Record<string, string> => ({
      OPENAI_API_KEY: 'x',
      OPENAI_BASE_URL: `${mock.url}/v1`,
      OPENAI_MODEL: 'mock-model',
      QWEN_CODE_SUPPRESS_YOLO_WARNING: '1',
    }),
    // Its background memory agent off (it would make calls of its own).
    setup: (home: string) =>
      writeFile(join(home, '.qwen', 'settings.json'), JSON.stringify({ memory: { enableManagedAutoMemory: false } })),
    args: (command: string[], prompt: string) => ['--yolo', ...command.slice(1), '-p', prompt],
  },
  {
    agent: 'pi',
    binary: PI,
    store: (home: string) => join(home, '.pi', 'agent', 'sessions'),
    env: (): Record<string, string> => ({ PI_OFFLINE: '1' }),
    setup: (home: string) =>
      writeFile(
        join(home, '.pi', 'agent', 'models.json'),
        JSON.stringify({
          providers: {
            mock: {
              baseUrl: `${mock.url}/v1`,
              api: 'openai-completions',
              apiKey: 'x',
              compat: { supportsDeveloperRole: false },
              models: [{ id: 'mock-model' }],
            },
          },
        }),
      ),
    args: (command: string[], prompt: string) => ['--provider', 'mock', '--model', 'mock-model', ...command.slice(1), '-p', prompt],
  },
  {
    agent: 'gemini-cli',
    binary: GEMINI,
    store: (home: string) => join(home, '.gemini', 'tmp'),
    env: (): Record<string, string> => ({ GEMINI_API_KEY: 'x', GOOGLE_GEMINI_BASE_URL: mock.url, GEMINI_CLI_TRUST_WORKSPACE: 'true' }),
    setup: (home: string) =>
      writeFile(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } })),
    args: (command: string[], prompt: string) => ['-m', 'gemini-2.5-flash', '--approval-mode', 'yolo', ...command.slice(1), '-p', prompt],
  },
  {
    agent: 'copilot-cli',
    binary: COPILOT,
    store: (home: string) => join(home, '.copilot', 'session-state'),
    env: (): Record<string, string> => ({
      COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_BASE_URL: `${mock.url}/v1`,
      COPILOT_PROVIDER_API_KEY: 'x',
      COPILOT_MODEL: 'mock-model',
    }),
    args: (command: string[], prompt: string) => [
      '--allow-all-tools',
      '--disable-client-telemetry',
      '-s',
      ...command.slice(1),
      '-p',
      prompt,
    ],
  },
];

for (const t of TARGETS) {
  describe.skipIf(!haveAgent(t.binary))(`sarc resume in the real ${t.binary.name}`, () => {
    it(`${t.agent} resumes the written session with its earlier turns; the next sync brings in exactly the new turn`, async () => {
      const { archive, dir, stateDir } = await tempArchive({ samples: true });
      const h = await agentHome();
      h.env = { ...h.env, ...t.env(h.home) };
      await mkdir(t.store(h.home), { recursive: true });
      await t.setup?.(h.home);
      // The session's folder is this machine's working folder.
      await archive.sessions.modify(SAMPLE.main, (info) => ({ ...info, directory: h.work }));
      const before = (await archive.messages.list(SAMPLE.main)).length;
      const env = { ...h.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
      const run = await sarc(['resume', SAMPLE.main, '--in', t.agent, '--print', '--json'], { env });
      expect(run.code, run.stderr).toBe(0);
      const plan = JSON.parse(run.stdout) as { agentID: string; path: string; command: string[]; cwd: string };
      expect(plan.path.startsWith(t.store(h.home))).toBe(true);
      expect(plan.path).toContain(plan.agentID.slice(0, 8));
      expect(plan.path.endsWith('.jsonl')).toBe(true);
      expect(plan.command.at(-1)).toContain(plan.agentID);
      expect(plan.cwd).toBe(h.work);
      expect(existsSync(plan.path)).toBe(true);

      // Synced before the agent added anything: nothing new (the file holds only the archive's own messages).
      const early = await sarc(['sync', t.agent, '--json'], { env });
      expect(early.code, early.stderr).toBe(0);
      expect(JSON.parse(early.stdout).sessions).toMatchObject({ new: 0, updated: 0 });

      const requests = mock.requests.length;
      const resumed = await runAgent(t.binary.bin, t.args(plan.command, 'Go on: retry on 503 too'), h);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('picked up where we left off');
      // The model was sent the earlier turns: the first prompt, the tool calls' results, then the new prompt.
      const sent = JSON.stringify(mock.requests.slice(requests).map((r) => r.body));
      expect(sent).toContain('The HTTP client gives up after one failed request');
      expect(sent).toContain('Run the tests, and only retry on 5xx and network errors.');
      expect(sent).toContain('Go on: retry on 503 too');

      const after = await sarc(['sync', t.agent, '--json'], { env });
      expect(after.code, after.stderr).toBe(0);
      expect(JSON.parse(after.stdout).sessions).toMatchObject({ new: 1, updated: 0 });
      // The source is untouched; the continuation links to it and holds only the new turn.
      expect((await archive.messages.list(SAMPLE.main)).length).toBe(before);
      const list = JSON.parse((await sarc(['list', '--all', '--json', '--agent', t.agent], { env })).stdout) as {
        items: Array<{ id: string; forkedFrom?: { sessionID: string } }>;
      };
      expect(list.items).toHaveLength(1);
      const continuation = list.items[0] as { id: string; forkedFrom?: { sessionID: string } };
      expect(continuation.forkedFrom?.sessionID).toBe(SAMPLE.main);
      const messages = await archive.messages.list(continuation.id);
      const texts = messages.flatMap((m) => ('parts' in m ? m.parts : []).flatMap((p) => (p.type === 'text' ? [p.text] : [])));
      // What Claude Code added on resuming (its own marker, the new prompt, the answer), none of the archive's messages again.
      expect(texts).toContain('Go on: retry on 503 too');
      expect(texts).toContain('picked up where we left off');
      const original = await archive.messages.list(SAMPLE.main);
      const old = new Set(original.flatMap((m) => ('parts' in m ? m.parts : []).flatMap((p) => (p.type === 'text' ? [p.text] : []))));
      expect(texts.filter((t) => old.has(t))).toEqual([]);
      // One prompt of the person's own (the agent may add its own notices, as quiet messages).
      expect(messages.filter((m) => m.info.role === 'user' && !(m.info as { synthetic?: boolean }).synthetic).length).toBe(1);
      const shown = (await sarc(['show', continuation.id], { env })).stdout;
      expect(shown).toContain(`forked    from ${SAMPLE.main}`);
      expect(shown).toMatch(new RegExp(`resumed   from ${SAMPLE.main} in [A-Z][\\w ]+ \\(.*\\); this session holds what was added there`));
      // Again: nothing more.
      const again = await sarc(['sync', t.agent, '--json'], { env });
      expect(JSON.parse(again.stdout).sessions).toMatchObject({ new: 0, updated: 0 });
      expect(await readFile(plan.path, 'utf8')).toContain('Go on: retry on 503 too');
    }, 180_000);
  });
}

/** Sessions from an agent's own fixtures, resumed in that agent: the first prompt is what the model must be sent again. */
const OWN = [
  {
    target: TARGETS[0] as Target,
    fixture: 'claude-code',
    id: () => claudeSessionId('7d1c2b3a-0000-4000-8000-000000000001'),
    first: 'Add retries to the HTTP client',
  },
  {
    target: TARGETS[1] as Target,
    fixture: 'codex',
    id: () => codexSessionId('0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'),
    first: 'Rename the /v1/users route to /v2/users',
  },
];

for (const own of OWN) {
  const t = own.target;
  describe.skipIf(!haveAgent(t.binary))(`sarc resume in the agent the session came from (the real ${t.binary.name})`, () => {
    it('what the agent adds comes into the same session: no continuation, no copy, exactly the new turn', async () => {
      const { archive, dir, stateDir } = await tempArchive();
      await syncAgent(archive, t.agent, { from: join(ROOT, 'test', 'fixtures', own.fixture) });
      const id = own.id();
      const h = await agentHome();
      h.env = { ...h.env, ...t.env(h.home) };
      await mkdir(t.store(h.home), { recursive: true });
      await archive.sessions.modify(id, (info) => ({ ...info, directory: h.work }));
      const before = await archive.messages.list(id);
      const sessions = (await archive.sessions.list()).length;
      const env = { ...h.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
      const run = await sarc(['resume', id, '--print', '--json'], { env });
      expect(run.code, run.stderr).toBe(0);
      const plan = JSON.parse(run.stdout) as { agent: string; command: string[]; same: boolean };
      expect(plan).toMatchObject({ agent: t.agent, same: true });
      const early = await sarc(['sync', t.agent, '--json'], { env });
      expect(JSON.parse(early.stdout).sessions).toMatchObject({ new: 0, updated: 0 });

      const requests = mock.requests.length;
      const resumed = await runAgent(t.binary.bin, t.args(plan.command, 'Now add jitter'), h);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.stringify(mock.requests.slice(requests).map((r) => r.body))).toContain(own.first);

      const after = await sarc(['sync', t.agent, '--json'], { env });
      expect(after.code, after.stdout + after.stderr).toBe(0);
      expect(JSON.parse(after.stdout).sessions).toMatchObject({ new: 0, updated: 1 });
      expect((await archive.sessions.list()).length).toBe(sessions);
      const now = await archive.messages.list(id);
      // Every message it had, as it was, then only what was added.
      expect(now.slice(0, before.length)).toEqual(before);
      const added = now.slice(before.length);
      const texts = added.flatMap((m) => m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])));
      expect(texts).toContain('Now add jitter');
      expect(texts).toContain('picked up where we left off');
      expect(added.filter((m) => m.info.role === 'user' && !(m.info as { synthetic?: boolean }).synthetic)).toHaveLength(1);
      const old = new Set(before.flatMap((m) => m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : []))));
      expect(texts.filter((x) => old.has(x))).toEqual([]);
      // The folder stays the archive's, no fork link appears; the last update moves on.
      const info = await archive.sessions.get(id);
      expect(info.directory).toBe(h.work);
      expect(info.forkedFrom).toBeUndefined();
      const again = await sarc(['sync', t.agent, '--json'], { env });
      expect(JSON.parse(again.stdout).sessions).toMatchObject({ new: 0, updated: 0 });
      expect(await archive.messages.list(id)).toHaveLength(now.length);
    }, 180_000);
  });
}

describe('sarc resume', () => {
  it('runs the resume command in the session’s folder (an agent on PATH), and says so when the folder is not on this machine', async () => {
    const { archive, dir, stateDir, root } = await tempArchive({ samples: true });
    const work = join(root, 'work');
    const bin = join(root, 'bin');
    await mkdir(work, { recursive: true });
    await mkdir(bin, { recursive: true });
    // A stand-in `claude` that writes down where it ran and with what.
    const record = join(root, 'ran.json');
    await writeFile(join(bin, 'claude'), `#!/bin/sh\nprintf '{"cwd":"%s","args":"%s"}' "$PWD" "$*" > ${JSON.stringify(record)}\nexit 3\n`, {
      mode: 0o755,
    });
    await archive.sessions.modify(SAMPLE.main, (info) => ({ ...info, directory: work }));
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, HOME: root, PATH: `${bin}:${process.env.PATH}` };
    const run = await sarc(['resume', SAMPLE.main, '--in', 'claude-code'], { env });
    // The agent's exit code is the command's.
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^wrote .*\.jsonl\nrunning: cd ".*work" && claude --resume [0-9a-f-]{36}\n$/);
    const ran = JSON.parse(await readFile(record, 'utf8')) as { cwd: string; args: string };
    expect(ran.cwd).toBe(work);
    expect(ran.args).toMatch(/^--resume [0-9a-f-]{36}$/);
    // A folder from another machine: the file is written, the command printed, nothing run.
    await archive.sessions.modify(SAMPLE.main, (info) => ({ ...info, directory: '/nowhere/on/this/machine' }));
    const away = await sarc(['resume', SAMPLE.main, '--in', 'claude-code'], { env });
    expect(away.code).toBe(2);
    expect(away.stdout).toMatch(/^wrote .*\.jsonl\ncd "\/nowhere\/on\/this\/machine" && claude --resume [0-9a-f-]{36}\n$/);
    expect(away.stderr).toContain('/nowhere/on/this/machine is not on this machine');
  });

  it('refuses an agent it cannot resume in, naming those it can', async () => {
    const { dir, stateDir } = await tempArchive({ samples: true });
    const run = await sarc(['resume', SAMPLE.main, '--in', 'cline', '--print'], {
      env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('it can be resumed in claude-code, codex, opencode, gemini-cli, qwen-code, pi, copilot-cli');
  });

  it('OpenCode: loads the written file with the import of the opencode on PATH first, then opens the session; a failed import stops there', async () => {
    const { archive, dir, stateDir, root } = await tempArchive({ samples: true });
    const work = join(root, 'work');
    const bin = join(root, 'bin');
    await mkdir(work, { recursive: true });
    await mkdir(bin, { recursive: true });
    // A stand-in `opencode` of the given version that writes down each call (and fails an import when told to).
    const calls = join(root, 'calls.txt');
    const standIn = (version: string, importExit: number) =>
      writeFile(
        join(bin, 'opencode'),
        `#!/bin/sh\nif [ "$1" = "--version" ]; then echo ${version}; exit 0; fi\necho "$PWD|$*" >> ${JSON.stringify(calls)}\ncase "$*" in *import*) exit ${importExit};; esac\nexit 0\n`,
        { mode: 0o755 },
      );
    await archive.sessions.modify(SAMPLE.main, (info) => ({ ...info, directory: work }));
    const env = {
      SARC_ARCHIVE: dir,
      SARC_STATE_DIR: stateDir,
      HOME: root,
      XDG_DATA_HOME: join(root, 'data'),
      PATH: `${bin}:${process.env.PATH}`,
    };
    for (const [version, importArgs] of [
      ['1.18.33', 'import'],
      ['opencode v2.1.2', 'session import'],
    ] as const) {
      await writeFile(calls, '');
      await standIn(version, 0);
      const run = await sarc(['resume', SAMPLE.main, '--in', 'opencode'], { env });
      expect(run.code, run.stderr).toBe(0);
      const file = /^wrote (.*)$/m.exec(run.stdout)?.[1] as string;
      expect(file.startsWith(join(root, 'data', 'opencode', 'import', 'ses_'))).toBe(true);
      const id = file.slice(file.lastIndexOf('/') + 1, -'.json'.length);
      expect((await readFile(calls, 'utf8')).trim().split('\n')).toEqual([`${work}|${importArgs} ${file}`, `${work}|--session ${id}`]);
      // The file is the generation's own export shape, under fresh IDs throughout.
      const doc = JSON.parse(await readFile(file, 'utf8')) as {
        info: { id: string; location?: unknown };
        messages: Array<{ id?: string; info?: { id: string } }>;
      };
      expect(doc.info.id).toBe(id);
      expect('location' in doc.info).toBe(version.startsWith('opencode'));
      const originals = new Set((await archive.messages.list(SAMPLE.main)).map((m) => m.info.id));
      const ids = doc.messages.map((m) => m.info?.id ?? m.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.filter((m) => originals.has(m as string))).toEqual([]);
      expect([...ids].sort()).toEqual(ids);
    }
    await writeFile(calls, '');
    await standIn('1.18.33', 4);
    const failed = await sarc(['resume', SAMPLE.main, '--in', 'opencode'], { env });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/opencode import .* failed: the session is in .*, not yet in opencode/);
    expect((await readFile(calls, 'utf8')).trim().split('\n')).toHaveLength(1);
  });
});
