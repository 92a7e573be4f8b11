import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openArchive } from '../src/index.js';
import { ROOT, runWorker, tempDir } from './helpers.js';

describe('README', () => {
  it('opens with the run and test commands', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm install && npm test');
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe('tsx src/bin/sarc.ts serve --demo');
    expect(pkg.scripts.example).toBe('tsx examples/quickstart.ts');
    expect(pkg.scripts.test).toBe('npm run typecheck && npm run lint && vitest run');
  });

  it('shows the library example exactly as examples/quickstart.ts, which runs', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const example = await readFile(join(ROOT, 'examples', 'quickstart.ts'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example.replace("from '../src/index.js'", "from 'session-archive'")}\`\`\``);
    const root = await tempDir();
    const run = await runWorker(join(ROOT, 'examples', 'quickstart.ts'), [], {
      env: { SARC_ARCHIVE: '', SARC_STATE_DIR: join(root, 'state'), TMPDIR: root },
    });
    expect(run.stderr).toBe('');
    expect(run.end).toBe('done');
    expect(run.stdout).toContain('ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA  root   Add retries to the HTTP client');
    expect(run.stdout).toContain('fork   Add retries to the HTTP client (fork #1)');
    const created = /created (ses_\w+) in (.+)\/sessions\//.exec(run.stdout);
    expect(created).not.toBeNull();
    const archive = await openArchive({ dir: created?.[2] as string, stateDir: join(root, 'state') });
    const messages = await archive.messages.list(created?.[1] as string);
    expect(messages.map((m) => m.parts[0]?.type === 'text' && m.parts[0].text)).toEqual(['Hello, archive!']);
  });
});
