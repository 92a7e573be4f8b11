import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeSessionId, type MessageWithParts, syncAgent } from '../../src/index.js';
import { tempArchive, tempDir } from '../helpers.js';

// Claude Code transcripts as they are in the wild (../shared/AGENTS.md):
// each case here lost something before the capture seam.

const PROJECT = '-home-dev-shop';
const base = (sessionId: string) => ({ cwd: '/home/dev/shop', sessionId, version: '2.1.212', gitBranch: 'main', userType: 'external' });
const line = (r: unknown) => `${JSON.stringify(r)}\n`;
const iso = (s: number) => new Date(Date.parse('2026-07-01T10:00:00.000Z') + s * 1000).toISOString();

function user(sessionId: string, uuid: string, at: number, content: unknown, extra: Record<string, unknown> = {}) {
  return line({ ...base(sessionId), type: 'user', uuid, timestamp: iso(at), message: { role: 'user', content }, ...extra });
}
function assistant(sessionId: string, uuid: string, at: number, id: string, content: unknown[], extra: Record<string, unknown> = {}) {
  return line({
    ...base(sessionId),
    type: 'assistant',
    uuid,
    timestamp: iso(at),
    message: {
      id,
      role: 'assistant',
      model: 'claude-opus-4-5',
      content,
      stop_reason: 'end_turn',
      usage: { input_tokens: 5, output_tokens: 3 },
    },
    ...extra,
  });
}

const texts = (m: MessageWithParts) => m.parts.map((p) => (p.type === 'text' ? p.text : p.type));

async function projects(files: Record<string, string>): Promise<string> {
  const from = join(await tempDir(), 'projects');
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(from, rel, '..'), { recursive: true });
    await writeFile(join(from, rel), text);
  }
  return from;
}

describe('Claude Code transcripts as they are in the wild', () => {
  it('reads workflow and helper sub-agents as child sessions, titled from their sidecar', async () => {
    const S = 'aaaa0000-0000-4000-8000-000000000001';
    const from = await projects({
      [`${PROJECT}/${S}.jsonl`]:
        user(S, 'u1', 0, 'Run the review workflow') + assistant(S, 'a1', 1, 'm1', [{ type: 'text', text: 'Started.' }]),
      [`${PROJECT}/${S}/subagents/workflows/wf1/agent-w1.jsonl`]:
        user(S, 'w1', 2, 'Review src/', { isSidechain: true, agentId: 'w1' }) +
        assistant(S, 'w2', 3, 'm2', [{ type: 'text', text: 'Looks fine.' }], { isSidechain: true, agentId: 'w1' }),
      [`${PROJECT}/${S}/subagents/workflows/wf1/agent-w1.meta.json`]: JSON.stringify({
        agentType: 'reviewer',
        description: 'Review the source',
      }),
      [`${PROJECT}/${S}/subagents/workflows/wf1/journal.jsonl`]: line({ type: 'step', n: 1 }),
      [`${PROJECT}/${S}/subagents/agent-acompact-x1.jsonl`]:
        user(S, 'c1', 4, 'Summarise', { isSidechain: true }) +
        assistant(S, 'c2', 5, 'm3', [{ type: 'text', text: 'Summary.' }], { isSidechain: true }),
    });
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'claude-code', { from });
    expect(r.sessions).toEqual({ new: 3, updated: 0, unchanged: 0, failed: 0 });
    const children = (await archive.sessions.list()).filter((s) => s.parentID === claudeSessionId(S));
    expect(children.map((c) => c.title).sort()).toEqual(['Compaction helper acompact-x1', 'reviewer: Review the source']);
    expect(children.map((c) => c.id).sort()).toEqual([claudeSessionId(S, 'acompact-x1'), claudeSessionId(S, 'w1')].sort());
  });

  it('brings a large output saved in tool-results/ in whole, not its preview', async () => {
    const S = 'aaaa0000-0000-4000-8000-000000000002';
    const whole = `${'x'.repeat(60_000)}\nERROR at the end`;
    const preview =
      '<persisted-output>\nOutput too large (60KB). Full output saved to: /somewhere/toolu_big.txt\n\nPreview (first 2KB):\nxxxx\n</persisted-output>';
    const from = await projects({
      [`${PROJECT}/${S}.jsonl`]:
        user(S, 'u1', 0, 'Build it') +
        assistant(S, 'a1', 1, 'm1', [{ type: 'tool_use', id: 'toolu_big', name: 'Bash', input: { command: 'make' } }]) +
        user(S, 'u2', 2, [{ type: 'tool_result', tool_use_id: 'toolu_big', content: preview }]),
      [`${PROJECT}/${S}/tool-results/toolu_big.txt`]: whole,
    });
    const { archive } = await tempArchive();
    await syncAgent(archive, 'claude-code', { from });
    const [, call] = await archive.messages.list(claudeSessionId(S));
    expect(call?.parts[0]).toMatchObject({ type: 'tool', state: { status: 'completed', output: whole } });
  });

  it("takes a session's identity from its file name: lines carried over from another session link to it, never merge into it", async () => {
    const A = 'aaaa0000-0000-4000-8000-00000000000a';
    const B = 'aaaa0000-0000-4000-8000-00000000000b';
    const from = await projects({
      [`${PROJECT}/${A}.jsonl`]:
        user(A, 'a-u1', 0, 'Plan the migration') + assistant(A, 'a-a1', 1, 'ma', [{ type: 'text', text: 'Plan: …' }]),
      // Plan Mode's "clear context and implement": the new file starts with a line of the old session.
      [`${PROJECT}/${B}.jsonl`]:
        user(A, 'b-carried', 2, 'Implement the following plan: …') +
        assistant(B, 'b-a1', 3, 'mb', [{ type: 'text', text: 'Implementing.' }]),
    });
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'claude-code', { from });
    expect(r.sessions.new).toBe(2);
    expect((await archive.messages.list(claudeSessionId(A))).length).toBe(2);
    const b = await archive.sessions.get(claudeSessionId(B));
    expect(b.forkedFrom).toEqual({ sessionID: claudeSessionId(A) });
    expect(b.metadata?.claudeCode).toMatchObject({ id: B, carriedFrom: [A] });
    expect((await archive.messages.list(claudeSessionId(B))).map(texts)).toEqual([['Implement the following plan: …'], ['Implementing.']]);
  });

  it('completes a tool call whose result stands on a line before it', async () => {
    const S = 'aaaa0000-0000-4000-8000-000000000003';
    const from = await projects({
      [`${PROJECT}/${S}.jsonl`]:
        user(S, 'u1', 0, 'List files') +
        user(S, 'u2', 2, [{ type: 'tool_result', tool_use_id: 'toolu_early', content: 'a.ts\nb.ts' }]) +
        assistant(S, 'a1', 1, 'm1', [{ type: 'tool_use', id: 'toolu_early', name: 'Bash', input: { command: 'ls' } }]),
    });
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'claude-code', { from });
    expect(r.unknown).toEqual({});
    const [, call] = await archive.messages.list(claudeSessionId(S));
    expect(call?.parts[0]).toMatchObject({ state: { status: 'completed', output: 'a.ts\nb.ts' } });
  });

  it('keeps attached documents (text and PDF) as file parts, and counts blocks it does not map', async () => {
    const S = 'aaaa0000-0000-4000-8000-000000000004';
    const from = await projects({
      [`${PROJECT}/${S}.jsonl`]: user(S, 'u1', 0, [
        { type: 'text', text: 'Read these' },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes: ship on Friday' }, title: 'notes.txt' },
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQ=' }, title: 'spec.pdf' },
        { type: 'container_upload', file_id: 'f1' },
      ]),
    });
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'claude-code', { from });
    expect(r.unknown).toEqual({ 'user block container_upload': 1 });
    const [m] = await archive.messages.list(claudeSessionId(S));
    expect(m?.parts.map((p) => (p.type === 'file' ? `${p.mime} ${p.filename}` : p.type))).toEqual([
      'text',
      'text/plain notes.txt',
      'application/pdf spec.pdf',
    ]);
    const text = m?.parts[1];
    expect(text?.type === 'file' && Buffer.from(text.url.split(',')[1] as string, 'base64').toString()).toBe('notes: ship on Friday');
  });

  it('titles by /rename, then agent name, then AI title, then the first prompt without markup; keeps system records as quiet messages', async () => {
    const S = 'aaaa0000-0000-4000-8000-000000000005';
    const T = 'aaaa0000-0000-4000-8000-000000000006';
    const from = await projects({
      [`${PROJECT}/${S}.jsonl`]:
        user(S, 'u0', 0, '<local-command-caveat>Caveat: …</local-command-caveat>', { isMeta: true }) +
        user(
          S,
          'u1',
          1,
          '<command-message>review is running…</command-message>\n<command-name>/review</command-name>\n<command-args>src/cart.ts</command-args>',
        ) +
        line({ type: 'system', subtype: 'api_error', content: 'API Error: 529 overloaded', uuid: 's1', timestamp: iso(2), sessionId: S }) +
        line({ type: 'system', subtype: 'turn_duration', durationMs: 10, uuid: 's2', timestamp: iso(3), sessionId: S }) +
        line({ type: 'ai-title', aiTitle: 'Review the cart', sessionId: S }),
      [`${PROJECT}/${T}.jsonl`]:
        user(T, 't1', 0, 'First words') +
        line({ type: 'ai-title', aiTitle: 'An AI title', sessionId: T }) +
        line({ type: 'custom-title', customTitle: 'My own title', sessionId: T }),
    });
    const { archive } = await tempArchive();
    await syncAgent(archive, 'claude-code', { from });
    expect((await archive.sessions.get(claudeSessionId(S))).title).toBe('Review the cart');
    expect((await archive.sessions.get(claudeSessionId(T))).title).toBe('My own title');
    const messages = await archive.messages.list(claudeSessionId(S));
    const system = messages.find((m) => (m.info as { origin?: string }).origin === 'system');
    expect(system?.parts[0]).toMatchObject({ type: 'text', text: 'API Error: 529 overloaded', synthetic: true });
    // Without the AI title, the prompt without its markup.
    const U = 'aaaa0000-0000-4000-8000-000000000007';
    const from2 = await projects({
      [`${PROJECT}/${U}.jsonl`]: user(U, 'v1', 0, '<command-name>/review</command-name>\n<command-args>src/cart.ts</command-args>'),
    });
    await syncAgent(archive, 'claude-code', { from: from2 });
    expect((await archive.sessions.get(claudeSessionId(U))).title).toBe('/review src/cart.ts');
  });

  it('splits 1.0.x inline sidechains into one child session per sub-agent, even interleaved', async () => {
    const S = 'aaaa0000-0000-4000-8000-000000000008';
    const side = (uuid: string, parent: string | null, at: number, type: 'user' | 'assistant', text: string) =>
      type === 'user'
        ? user(S, uuid, at, text, { isSidechain: true, parentUuid: parent, version: '1.0.98' })
        : assistant(S, uuid, at, `m-${uuid}`, [{ type: 'text', text }], { isSidechain: true, parentUuid: parent, version: '1.0.98' });
    const from = await projects({
      [`${PROJECT}/${S}.jsonl`]:
        user(S, 'u1', 0, 'Research two things') +
        side('x1', null, 1, 'user', 'Look up A') +
        side('y1', null, 2, 'user', 'Look up B') +
        side('x2', 'x1', 3, 'assistant', 'A is …') +
        side('y2', 'y1', 4, 'assistant', 'B is …') +
        assistant(S, 'a1', 5, 'm1', [{ type: 'text', text: 'Both done.' }]),
    });
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'claude-code', { from });
    expect(r.sessions.new).toBe(3);
    const children = (await archive.sessions.list()).filter((s) => s.parentID === claudeSessionId(S));
    const conversations = await Promise.all(children.map(async (c) => (await archive.messages.list(c.id)).flatMap(texts)));
    expect(conversations.sort()).toEqual([
      ['Look up A', 'A is …'],
      ['Look up B', 'B is …'],
    ]);
  });

  it('keeps records with equal times in file order, and skips a duplicate uuid, a negative time and a record nested too deep with their lines', async () => {
    const S = 'aaaa0000-0000-4000-8000-000000000009';
    const deep = `${'['.repeat(300)}${']'.repeat(300)}`;
    const from = await projects({
      [`${PROJECT}/${S}.jsonl`]:
        user(S, 'u1', 0, 'first') +
        user(S, 'u2', 0, 'second') +
        user(S, 'u3', 0, 'third') +
        user(S, 'u2', 0, 'second again') +
        `{"type":"user","uuid":"deep","message":{"role":"user","content":${deep}}}\n` +
        line({ ...base(S), type: 'user', uuid: 'neg', timestamp: -5, message: { role: 'user', content: 'before 1970' } }),
    });
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'claude-code', { from });
    expect(r.skipped.map((s) => [s.line, s.reason])).toEqual([
      [4, 'duplicate uuid u2'],
      [5, 'nested deeper than 200 levels'],
      [6, 'bad time -5'],
    ]);
    const messages = await archive.messages.list(claudeSessionId(S));
    expect(messages.map((m) => texts(m)[0])).toEqual(['first', 'second', 'third']);
    // The same archive from a clean sync and from one that ran when the file had fewer lines.
    const { archive: clean } = await tempArchive();
    await syncAgent(clean, 'claude-code', { from });
    expect(await clean.messages.list(claudeSessionId(S))).toEqual(messages);
  });

  it('bounds a title (a 5 MB summary does not become a 5 MB title) and keeps a relative cwd out of the directory', async () => {
    const S = 'aaaa0000-0000-4000-8000-00000000000c';
    const from = await projects({
      [`${PROJECT}/${S}.jsonl`]:
        line({ type: 'summary', summary: 'y'.repeat(5_000_000), leafUuid: 'u1' }) + user(S, 'u1', 0, 'Hi', { cwd: 'relative/folder' }),
    });
    const { archive } = await tempArchive();
    await syncAgent(archive, 'claude-code', { from });
    const info = await archive.sessions.get(claudeSessionId(S));
    expect(info.title.length).toBeLessThanOrEqual(120);
    expect(info.directory).toBe('/');
  });
});
