import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSessions, exportToFile, importSessions } from '../../src/index.js';
import { hasTool, normalizeIds, ROOT, tempArchive, tempDir } from '../helpers.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'opencode-export.json');
/** The real OpenCode binary: $OPENCODE_BIN, or the one .ci/run installs. */
const OPENCODE = process.env.OPENCODE_BIN || join(ROOT, '.ci', 'tools', 'node_modules', 'opencode-linux-x64', 'bin', 'opencode');
const HAVE_OPENCODE = hasTool(
  'the opencode binary',
  () => existsSync(OPENCODE),
  'npm install --prefix .ci/tools opencode-linux-x64@1.18.33, or set OPENCODE_BIN',
);

async function text(gen: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const piece of gen) out += piece;
  return out;
}

describe('OpenCode export files', () => {
  it('import with exact IDs, and export back to the same document', async () => {
    const fixture = JSON.parse(await readFile(FIXTURE, 'utf8'));
    const { archive } = await tempArchive();
    const result = await importSessions(archive, fixture, { mode: 'keep-ids' });
    expect(result.sessions).toEqual([{ from: fixture.info.id, to: fixture.info.id, title: 'Fixture: retry policy' }]);
    const back = JSON.parse(await text(exportSessions(archive, [fixture.info.id], { format: 'opencode' })));
    expect(back).toEqual(fixture);
  });

  it('clone-imports in order by time even though the IDs wrapped', async () => {
    const fixture = JSON.parse(await readFile(FIXTURE, 'utf8'));
    const { archive } = await tempArchive();
    const [r] = (await importSessions(archive, [fixture])).sessions;
    const messages = await archive.messages.list(r?.to as string);
    expect(messages.map((m) => m.parts[0]?.type === 'text' && m.parts[0].text)).toEqual([
      'Explain the retry policy in README.md',
      'And add a test for it.',
    ]);
    expect(normalizeIds(messages)).toEqual(normalizeIds(fixture.messages));
  });

  it.skipIf(!HAVE_OPENCODE)(
    'our opencode-format export is accepted by the real `opencode import`',
    async () => {
      const fixture = JSON.parse(await readFile(FIXTURE, 'utf8'));
      const { archive, root } = await tempArchive();
      const [r] = (await importSessions(archive, fixture)).sessions;
      const file = join(root, 'for-opencode.json');
      await exportToFile(archive, [r?.to as string], file, { format: 'opencode' });
      const home = await tempDir();
      const env = {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CONFIG_HOME: join(home, 'config'),
        XDG_STATE_HOME: join(home, 'state'),
      };
      const out = execFileSync(OPENCODE, ['import', file], { cwd: home, env, encoding: 'utf8', timeout: 60_000 });
      expect(out).toContain(`Imported session: ${r?.to}`);
      const exported = JSON.parse(
        execFileSync(OPENCODE, ['export', r?.to as string], {
          cwd: home,
          env,
          encoding: 'utf8',
          timeout: 60_000,
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      );
      expect(exported.info.id).toBe(r?.to);
      expect(exported.messages).toEqual(await archive.messages.list(r?.to as string));
    },
    120_000,
  );
});
