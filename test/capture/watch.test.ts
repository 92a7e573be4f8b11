import { spawn } from 'node:child_process';
import { appendFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeSessionId, type MessageWithParts, openArchive } from '../../src/index.js';
import { ROOT, SARC, serveProcess, tempArchive, tempDir } from '../helpers.js';

const S2 = '7d1c2b3a-0000-4000-8000-000000000002';

/** A transcript's cut last line finished, and an answer: what the agent writes next. */
function nextLines(): string {
  return (
    `t"}, "uuid": "v3", "timestamp": "2026-05-02T09:01:00.000Z", "sessionId": "${S2}", "cwd": "/home/dev/src/webapp"}\n` +
    `${JSON.stringify({ type: 'assistant', uuid: 'v4', parentUuid: 'v3', sessionId: S2, timestamp: '2026-05-02T09:01:05.000Z', message: { id: 'msg_V2', role: 'assistant', model: 'claude-opus-4-1', content: [{ type: 'text', text: 'Fixed.' }] } })}\n`
  );
}

async function until(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

describe('continuous sync', () => {
  it('sarc sync claude-code --watch brings a change to a transcript in within about a second', async () => {
    const { dir, stateDir } = await tempArchive();
    const from = join(await tempDir(), 'projects');
    await cp(join(ROOT, 'test', 'fixtures', 'claude-code'), from, { recursive: true });
    const child = spawn(process.execPath, [...SARC, 'sync', 'claude-code', '--watch', '--from', from], {
      env: { ...process.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    try {
      await until(20_000, async () => err.includes('following claude-code'));
      expect(out).toContain('claude-code: brought 4 new');
      const archive = await openArchive({ dir, stateDir });
      const id = claudeSessionId(S2);
      expect((await archive.messages.list(id)).length).toBe(2);
      await appendFile(join(from, '-home-dev-src-webapp', `${S2}.jsonl`), nextLines());
      // A deadline for liveness, not a measurement (the bench measures).
      await until(3_000, async () => (await archive.messages.list(id)).length === 4);
      // The line is printed after the write it reports: wait for it rather than race it.
      await until(3_000, async () => out.includes('claude-code: brought 0 new, 1 updated'));
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
  }, 40_000);

  it('sarc serve --sync claude-code serves what the agent writes, as it writes it', async () => {
    const { dir, stateDir } = await tempArchive();
    const config = await tempDir();
    await cp(join(ROOT, 'test', 'fixtures', 'claude-code'), join(config, 'projects'), { recursive: true });
    const server = await serveProcess({ ...process.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, CLAUDE_CONFIG_DIR: config }, [
      '--sync',
      'claude-code',
    ]);
    try {
      const id = claudeSessionId(S2);
      const messages = async () => {
        const res = await fetch(`${server.url}/session/${id}/message`);
        return res.ok ? ((await res.json()) as MessageWithParts[]).length : 0;
      };
      await until(20_000, async () => (await messages()) === 2);
      await appendFile(join(config, 'projects', '-home-dev-src-webapp', `${S2}.jsonl`), nextLines());
      await until(3_000, async () => (await messages()) === 4);
    } finally {
      await server.stop();
    }
  }, 40_000);
});
