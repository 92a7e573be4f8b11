import { describe, expect, it } from 'vitest';
import { diff, newId } from '../../src/index.js';
import { sarc } from '../cli/helpers.js';
import { assistantInfo, tempArchive, userMessage } from '../helpers.js';

/** A completed (or failed) tool call part of a message. */
const call = (tool: string, input: Record<string, unknown>, status: 'completed' | 'error' = 'completed') => ({
  type: 'tool',
  callID: newId('part'),
  tool,
  state:
    status === 'completed'
      ? { status, input, output: 'ok', title: tool, metadata: {}, time: { start: 1, end: 2 } }
      : { status, input, error: 'no match', time: { start: 1, end: 2 } },
});

describe('diff without recorded snapshots', () => {
  it("shows what the agent's edit tool calls changed: Edit, MultiEdit, Write, apply_patch; a failed call changed nothing", async () => {
    const { archive, dir, stateDir } = await tempArchive();
    const s = await archive.sessions.create({ directory: '/w/app', title: 'edits' });
    const u = await archive.messages.append(s.id, userMessage('fix it'));
    await archive.messages.append(s.id, {
      info: assistantInfo(u.info.id),
      parts: [
        call('Edit', { file_path: '/w/app/src/a.ts', old_string: 'let a = 1;\n', new_string: 'const a = 1;\n' }),
        call('Edit', { file_path: '/w/app/src/a.ts', old_string: 'nothing', new_string: 'else' }, 'error'),
        call('MultiEdit', {
          file_path: '/w/app/src/b.ts',
          edits: [
            { old_string: 'x', new_string: 'y' },
            { old_string: 'one\ntwo', new_string: 'one' },
          ],
        }),
        call('Write', { file_path: '/w/app/README.md', content: '# App\n\nHello' }),
        call('apply_patch', {
          input:
            '*** Begin Patch\n*** Update File: src/routes.ts\n@@\n-app.get("/v1/users")\n+app.get("/v2/users")\n*** Add File: src/new.ts\n+export {};\n*** End Patch',
        }),
      ],
    } as never);
    const files = (await diff(archive, s.id)).map((d) => [d.file, d.status, d.additions, d.deletions]);
    expect(files).toEqual([
      ['src/a.ts', 'modified', 1, 1],
      ['src/b.ts', 'modified', 1, 2],
      ['README.md', 'added', 3, 0],
      ['src/routes.ts', 'modified', 1, 1],
      ['src/new.ts', 'added', 1, 0],
    ]);
    const cli = await sarc(['diff', s.id], { env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir } });
    expect(cli.code).toBe(0);
    expect(cli.stdout).not.toContain('no recorded changes');
    expect(cli.stdout).toContain('modified  src/a.ts  +1 -1');
    expect(cli.stdout).toContain('-let a = 1;\n+const a = 1;');
  });
});
