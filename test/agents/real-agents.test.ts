import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeSessionId, codexSessionId, type MessageWithParts, syncAgent } from '../../src/index.js';
import { tempArchive } from '../helpers.js';
import { agentHome, CLAUDE, CODEX, haveAgent, runAgent } from './agents.js';
import { type MockModel, startMockModel } from './mock-model.js';

// The real Claude Code and Codex, offline against the mock model: each writes
// its own session files (a prompt, a shell tool call and its result, an
// answer, then a resumed second turn), and the archive brings in exactly what
// they wrote.

let mock: MockModel;
beforeAll(async () => {
  mock = await startMockModel();
});
afterAll(async () => {
  await mock.close();
});

/** A conversation as roles and part kinds, tools with their status and output. */
const shape = (messages: MessageWithParts[]) =>
  messages.map(
    (m) =>
      `${m.info.role}: ${m.parts
        .map((p) =>
          p.type === 'text'
            ? p.text
            : p.type === 'tool'
              ? `${p.tool}(${JSON.stringify(p.state.input)}) ${p.state.status} ${p.state.status === 'completed' ? JSON.stringify(p.state.output.trim()) : ''}`
              : p.type,
        )
        .join(' | ')}`,
  );

describe.skipIf(!haveAgent(CLAUDE))('the real Claude Code', () => {
  it('writes a transcript that syncs whole, and a resumed turn arrives in the same session', async () => {
    const h = await agentHome({
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'x',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    });
    const args = ['--model', 'mock-model', '--allowedTools', 'Bash', '-p'];
    const first = await runAgent(CLAUDE.bin, [...args, 'Run echo hi, please'], h);
    expect(first.code, first.stderr).toBe(0);
    const projects = join(h.home, '.claude', 'projects');
    const [folder] = await readdir(projects);
    const [file] = (await readdir(join(projects, folder as string))).filter((f) => f.endsWith('.jsonl'));
    const uuid = (file as string).replace(/\.jsonl$/, '');
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'claude-code', { from: projects });
    expect(r.sessions).toEqual({ new: 1, updated: 0, unchanged: 0, failed: 0 });
    expect(r.unknown).toEqual({});
    const id = claudeSessionId(uuid);
    const info = await archive.sessions.get(id);
    expect(info).toMatchObject({ title: 'Run echo hi, please', directory: h.work, version: expect.stringMatching(/^claude-code 2\./) });
    expect(shape(await archive.messages.list(id))).toEqual([
      'user: Run echo hi, please',
      'assistant: Bash({"command":"echo hi"}) completed "hi"',
      'assistant: done',
    ]);

    // A second turn, resumed: the request carries the earlier turns, and the archive grows in place.
    const before = mock.requests.length;
    const second = await runAgent(CLAUDE.bin, [...args, '--resume', uuid, 'And once more'], h);
    expect(second.code, second.stderr).toBe(0);
    const resumed = mock.requests.slice(before).find((q) => q.api === 'anthropic');
    expect(JSON.stringify(resumed?.body.messages)).toContain('Run echo hi, please');
    const again = await syncAgent(archive, 'claude-code', { from: projects });
    expect(again.sessions).toEqual({ new: 0, updated: 1, unchanged: 0, failed: 0 });
    expect((await archive.sessions.list()).length).toBe(1);
    expect(shape(await archive.messages.list(id))).toEqual([
      'user: Run echo hi, please',
      'assistant: Bash({"command":"echo hi"}) completed "hi"',
      'assistant: done',
      'user: And once more',
      'assistant: Bash({"command":"echo hi"}) completed "hi"',
      'assistant: done',
    ]);
  }, 120_000);
});

describe.skipIf(!haveAgent(CODEX))('the real Codex', () => {
  it('writes a rollout that syncs whole, and a resumed turn arrives in the same session', async () => {
    const h = await agentHome({ MOCK_API_KEY: 'x' });
    h.env.CODEX_HOME = join(h.home, '.codex');
    await mkdir(h.env.CODEX_HOME);
    const config = [
      '-c',
      'model_provider=mock',
      '-c',
      'model=mock-model',
      '-c',
      `model_providers.mock={name="Mock",base_url="${mock.url}/v1",wire_api="responses",env_key="MOCK_API_KEY"}`,
    ];
    const exec = ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', ...config];
    const first = await runAgent(CODEX.bin, [...exec, 'Run echo hi, please'], h);
    expect(first.code, first.stderr).toBe(0);
    const sessions = join(h.home, '.codex', 'sessions');
    const rollout = (await readdir(sessions, { recursive: true })).find((f) => f.endsWith('.jsonl')) as string;
    const uuid = /([0-9a-f-]{36})\.jsonl$/.exec(rollout)?.[1] as string;
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'codex', { from: sessions });
    expect(r.sessions).toEqual({ new: 1, updated: 0, unchanged: 0, failed: 0 });
    expect(r.unknown).toEqual({});
    const id = codexSessionId(uuid);
    expect(await archive.sessions.get(id)).toMatchObject({ title: 'Run echo hi, please', directory: h.work });
    const spoken = (messages: MessageWithParts[]) => shape(messages.filter((m) => !(m.info as { origin?: string }).origin));
    expect(spoken(await archive.messages.list(id))).toEqual([
      'user: Run echo hi, please',
      expect.stringMatching(/^assistant: exec_command\(\{"cmd":"echo hi"\}\) completed ".*Process exited with code 0.*\\nhi" \| done$/),
    ]);

    const before = mock.requests.length;
    const second = await runAgent(CODEX.bin, [...exec.slice(0, 1), 'resume', ...exec.slice(1), uuid, 'And once more'], h);
    expect(second.code, second.stderr).toBe(0);
    const resumed = mock.requests.slice(before).find((q) => q.api === 'responses');
    expect(JSON.stringify(resumed?.body.input)).toContain('Run echo hi, please');
    const again = await syncAgent(archive, 'codex', { from: sessions });
    expect(again.sessions).toEqual({ new: 0, updated: 1, unchanged: 0, failed: 0 });
    expect((await archive.sessions.list()).length).toBe(1);
    const prompts = spoken(await archive.messages.list(id)).filter((s) => s.startsWith('user:'));
    expect(prompts).toEqual(['user: Run echo hi, please', 'user: And once more']);
  }, 120_000);
});
