import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sarc } from '../cli/helpers.js';
import { SAMPLE, tempArchive } from '../helpers.js';
import { agentHome, CLAUDE, haveAgent, runAgent } from './agents.js';
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

describe.skipIf(!haveAgent(CLAUDE))('sarc resume in the real Claude Code', () => {
  it('Claude Code resumes the written session with its earlier turns; the next sync brings in exactly the new turn', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const h = await agentHome({
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'x',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    });
    // The session's folder is this machine's working folder.
    await archive.sessions.modify(SAMPLE.main, (info) => ({ ...info, directory: h.work }));
    const before = (await archive.messages.list(SAMPLE.main)).length;
    const env = { ...h.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
    const run = await sarc(['resume', SAMPLE.main, '--in', 'claude-code', '--print', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as { agentID: string; path: string; command: string[]; cwd: string };
    expect(plan.path.startsWith(join(h.home, '.claude', 'projects'))).toBe(true);
    expect(plan.path.endsWith(`${plan.agentID}.jsonl`)).toBe(true);
    expect(plan.command).toEqual(['claude', '--resume', plan.agentID]);
    expect(plan.cwd).toBe(h.work);
    expect(existsSync(plan.path)).toBe(true);

    // Synced before the agent added anything: nothing new (the file holds only the archive's own messages).
    const early = await sarc(['sync', 'claude-code', '--json'], { env });
    expect(early.code, early.stderr).toBe(0);
    expect(JSON.parse(early.stdout).sessions).toMatchObject({ new: 0, updated: 0 });

    const requests = mock.requests.length;
    const [, ...args] = plan.command;
    const resumed = await runAgent(
      CLAUDE.bin,
      ['--model', 'mock-model', '--allowedTools', 'Bash', ...args, '-p', 'Go on: retry on 503 too'],
      h,
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('picked up where we left off');
    // The model was sent the earlier turns: the first prompt, the tool calls' results, then the new prompt.
    const sent = JSON.stringify(mock.requests.slice(requests).map((r) => r.body));
    expect(sent).toContain('The HTTP client gives up after one failed request');
    expect(sent).toContain('Run the tests, and only retry on 5xx and network errors.');
    expect(sent).toContain('Go on: retry on 503 too');

    const after = await sarc(['sync', 'claude-code', '--json'], { env });
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).sessions).toMatchObject({ new: 1, updated: 0 });
    // The source is untouched; the continuation links to it and holds only the new turn.
    expect((await archive.messages.list(SAMPLE.main)).length).toBe(before);
    const list = JSON.parse((await sarc(['list', '--all', '--json', '--agent', 'claude-code'], { env })).stdout) as {
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
    expect(messages.filter((m) => m.info.role === 'user').length).toBe(1);
    const shown = (await sarc(['show', continuation.id], { env })).stdout;
    expect(shown).toContain(`forked    from ${SAMPLE.main}`);
    // Again: nothing more.
    const again = await sarc(['sync', 'claude-code', '--json'], { env });
    expect(JSON.parse(again.stdout).sessions).toMatchObject({ new: 0, updated: 0 });
    // The export of a Claude Code file never suggests writing over the agent's own.
    const exported = await sarc(['export', continuation.id, '--format', 'claude-code', '-o', join(h.home, 'x.jsonl')], { env });
    expect(exported.stderr).toContain('put it there only if that file is gone');
    expect(await readFile(plan.path, 'utf8')).toContain('Go on: retry on 503 too');
  }, 180_000);

  it('refuses an agent it cannot resume in, naming those it can', async () => {
    const { dir, stateDir } = await tempArchive({ samples: true });
    const run = await sarc(['resume', SAMPLE.main, '--in', 'pi', '--print'], { env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('it can be resumed in claude-code');
  });
});
