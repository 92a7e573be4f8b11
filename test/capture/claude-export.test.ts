import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeSessionId, type MessageWithParts, syncAgent } from '../../src/index.js';
import { sarc } from '../cli/helpers.js';
import { ROOT, tempArchive } from '../helpers.js';
import { readSource } from './read-source.js';

const S1 = '7d1c2b3a-0000-4000-8000-000000000001';

/** What a conversation says, without IDs and times: roles, then each part's kind and content. */
const shape = (messages: MessageWithParts[]) =>
  messages.map((m) => ({
    role: m.info.role,
    parts: m.parts.map((p) =>
      p.type === 'tool'
        ? {
            tool: p.tool,
            input: p.state.input,
            status: p.state.status,
            out: p.state.status === 'completed' ? p.state.output : p.state.status === 'error' ? p.state.error : undefined,
          }
        : p.type === 'text' || p.type === 'reasoning'
          ? { [p.type]: p.text }
          : p.type === 'file'
            ? { file: p.url }
            : { kind: p.type },
    ),
  }));

describe('back out to Claude Code', () => {
  it('sarc export --format claude-code writes a transcript that reads back as the same conversation, with the same session ID', async () => {
    const { archive, dir, stateDir, root } = await tempArchive();
    await syncAgent(archive, 'claude-code', { from: join(ROOT, 'test', 'fixtures', 'claude-code') });
    const id = claudeSessionId(S1);
    const out = join(root, 'back.jsonl');
    const run = await sarc(['export', id, '--format', 'claude-code', '-o', out], { env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir } });
    expect(run.code).toBe(0);
    // Where Claude Code keeps it, never as a place to write it over (that made a second copy at the next sync): resume instead.
    expect(run.stderr).toContain(
      `it is the transcript Claude Code keeps as ~/.claude/projects/-home-dev-src-webapp/${S1}.jsonl; put it there only if that file is gone (to go on with the session in Claude Code: sarc resume ${id})`,
    );
    const text = await readFile(out, 'utf8');
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; sessionId?: string; parentUuid?: string | null; uuid?: string });
    expect(records[0]).toMatchObject({ type: 'summary', summary: 'Retry failed HTTP requests' });
    // One chain: each record's parent is the one before.
    for (let i = 2; i < records.length; i++) expect(records[i]?.parentUuid).toBe(records[i - 1]?.uuid);
    expect(new Set(records.slice(1).map((r) => r.sessionId))).toEqual(new Set([S1]));

    // Read back as Claude Code would keep it: <projects>/<folder>/<session>.jsonl.
    const projects = join(root, 'projects');
    await mkdir(join(projects, '-home-dev-src-webapp'), { recursive: true });
    await writeFile(join(projects, '-home-dev-src-webapp', `${S1}.jsonl`), text);
    const { sessions, stats } = await readSource('claude-code', projects);
    const back = sessions.get(id);
    expect(back?.info.title).toBe('Retry failed HTTP requests');
    expect(stats).toMatchObject({ skipped: [], unknown: {} });
    expect(shape(back?.messages ?? [])).toEqual(shape(await archive.messages.list(id)));
    expect(back?.info.todos).toEqual(await archive.todos.get(id));
  });

  it('takes one session only', async () => {
    const { dir, stateDir } = await tempArchive({ samples: true });
    const run = await sarc(['export', 'ses_fe5e0a1b2c3d', '--children', '--format', 'claude-code'], {
      env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--format claude-code writes one session');
  });
});
