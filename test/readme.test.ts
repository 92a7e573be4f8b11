import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openArchive } from '../src/index.js';
import { ROOT, runWorker, SAMPLE, SAMPLES, tempArchive, tempDir } from './helpers.js';

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
    expect(run.stdout).toMatch(/\ncreated ses_\w+: Hello, archive!\n/);
    // Every line of the conversation says something (a message of files only shows them).
    expect(run.stdout).not.toMatch(/^(user|assistant): *$/m);
    // The copy it made is gone (tsx keeps its own cache there).
    expect((await readdir(root)).filter((name) => name.startsWith('sarc-'))).toEqual([]);

    // With SARC_ARCHIVE, that archive is used and kept.
    const kept = join(root, 'mine');
    await cp(SAMPLES, kept, { recursive: true });
    const again = await runWorker(join(ROOT, 'examples', 'quickstart.ts'), [], {
      env: { SARC_ARCHIVE: kept, SARC_STATE_DIR: join(root, 'state'), TMPDIR: root },
    });
    const id = /created (ses_\w+):/.exec(again.stdout)?.[1] as string;
    const archive = await openArchive({ dir: kept, stateDir: join(root, 'state') });
    expect((await archive.messages.list(id)).map((m) => m.parts[0]?.type === 'text' && m.parts[0].text)).toEqual(['Hello, archive!']);
  });

  it('"Get sarc" works as written on a fresh home folder: npm link puts sarc on PATH, npx runs it in the checkout', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Get `sarc`'), readme.indexOf('## Bring your sessions in'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] as string;
    const lines = block
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter(Boolean);
    expect(lines[0]).toBe('npm install && npm link');
    const root = await tempDir();
    const home = join(root, 'home');
    const prefix = join(root, 'prefix');
    await Promise.all([mkdir(home), mkdir(prefix)]);
    // `npm install` is what this test run did already; the rest runs as written, in order, in the checkout.
    const script = ['npm link', ...lines.slice(1)].map((l, i) => `echo "@@@ ${i}"\n${l}`).join('\n');
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
    const result = spawnSync('bash', ['-e', '-c', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...env,
        HOME: home,
        npm_config_prefix: prefix,
        npm_config_cache: join(root, 'npm-cache'),
        PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
        NO_COLOR: '1',
      },
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const out = result.stdout.split(/^@@@ \d+\n/m).slice(1);
    expect(out[1]?.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(out[2]).toContain('Usage: sarc [options] [command]');
    // The link points at this checkout, and nothing was written outside the temp folders.
    expect(await readdir(join(prefix, 'bin'))).toEqual(['sarc']);
  }, 180_000);

  it('the command-line tour runs as written, in order, on a fresh home folder, and does what its comments say', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const tour = blocks.find((b) => b.startsWith('sarc init')) as string;
    const lines = tour.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThanOrEqual(10);
    const root = await tempDir();
    const home = join(root, 'home');
    const bin = join(root, 'bin');
    const cwd = join(root, 'work');
    await Promise.all([mkdir(home), mkdir(bin), mkdir(cwd)]);
    // `sarc` on PATH, as after `npm install -g`.
    await writeFile(join(bin, 'sarc'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'sarc.cjs')}" "$@"\n`, { mode: 0o755 });
    // Each line as written, with a marker before it on both streams, in one shell (the export carries over).
    const script = lines.map((l, i) => `echo "@@@ ${i}"; echo "@@@ ${i}" >&2\n${l}`).join('\n');
    const result = spawnSync('bash', ['-e', '-c', script], {
      cwd,
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: home, NO_COLOR: '1', TZ: 'UTC' },
    });
    expect(result.status, result.stderr).toBe(0);
    const split = (text: string) => text.split(/^@@@ \d+\n/m).slice(1);
    const out = split(result.stdout);
    const err = split(result.stderr);
    expect(out.length).toBe(lines.length);
    const at = (command: string) => {
      const i = lines.findIndex((l) => l.startsWith(command));
      expect(i, command).toBeGreaterThanOrEqual(0);
      return { out: out[i] as string, err: err[i] as string };
    };
    expect(at('sarc init').out).toContain(`archive ready at ${join(home, 'sessions')}\n4 sample sessions copied in`);
    const [header, ...listed] = at('sarc list').out.trim().split('\n');
    expect(header).toMatch(/^ID +UPDATED +AGENT +MSGS +FOLDER +TITLE$/);
    expect(listed.length).toBe(2);
    for (const row of listed) expect(row).toContain('Add retries to the HTTP client');
    // The samples' own costs: 3 sessions with messages of their own (the fork's are copies).
    const stats = at('sarc stats').out;
    expect(stats).toMatch(/^\$0\.0492 over 3 sessions, 10 messages, 4 tool calls \(1 failed\), 5 min active\n/);
    expect(stats).toMatch(/^webapp +2 +7 /m);
    expect(stats).toMatch(/^claude-sonnet-4-5 +3 +4 /m);
    const found = at('sarc search retry').out;
    // Grouped per session: the main session (its fork's copies folded in) and the notes, each with its best hits.
    expect(found).toContain('Add retries to the HTTP client  ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA (with 1 fork)');
    expect(found).toContain('Weekly notes summary');
    expect(found).toMatch(/\d+ more in this session/);
    expect(await readFile(join(cwd, 'retries.md'), 'utf8')).toMatch(
      /^# Add retries to the HTTP client\n[\s\S]*\n## You · 2026-10-03 09:15 UTC\n/,
    );
    expect(at('sarc show fe5e0a1b2c3d').out).toContain('Add retries to the HTTP client\nid        ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA');
    const fork = /^(ses_\w+) {2}Add retries to the HTTP client \(fork #\d\)$/m.exec(at('sarc fork').out);
    expect(fork).not.toBeNull();
    const latest = at('sarc show latest').out;
    expect(latest).toContain(`id        ${fork?.[1]}`);
    expect(latest).toContain('forked    from ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA at msg_019a8b7c6d03Zq8Wm3Nx5Rv7Tb');
    // The fork holds the first turn: the prompt and the reply.
    expect(latest.match(/^▍You /gm)?.length).toBe(1);
    expect(latest.match(/^── /gm)?.length).toBe(1);
    expect(at('sarc export fe5e0a1b2c3d --children').err).toBe('exported 2 sessions to backup.json\n');
    expect(at('sarc import backup.json').out.trim().split('\n')).toEqual([
      expect.stringMatching(/^ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA → ses_\w+ {2}Add retries to the HTTP client$/),
      expect.stringMatching(/^ses_fe5e0a1b2a10Lm4NbV8cXz3QeR → ses_\w+ {2}Find fetch callers/),
    ]);
    expect(at('sarc export fe5e0a1b2c3d --format opencode').out).toMatch(/^ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA → ses_\w+ {2}Add retries/);
    const migrate = at('sarc migrate').out;
    expect(migrate).toContain(`/home/dev/src/webapp → ${join(home, 'src', 'webapp')}`);
    expect(migrate).toMatch(/would move 7 sessions\n$/);
    expect(at('sarc doctor').out).toMatch(
      /^search: SQLite (through node:sqlite|through better-sqlite3|in WebAssembly .*)\nredaction on: secretlint .*\narchive is healthy\n$/,
    );
    // Nothing outside the fresh home and the working folder.
    expect((await readdir(home)).sort()).toEqual(['.local', 'sessions']);
  }, 120_000);

  it('the server example serves as written: a password, and share links from --public-url', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string).find((b) => b.includes('sarc serve')) as string;
    expect(block.trim().split('\n')).toHaveLength(1);
    const { dir, stateDir, root } = await tempArchive({ samples: true });
    const bin = join(root, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'sarc'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'sarc.cjs')}" "$@"\n`, { mode: 0o755 });
    const child = spawn('bash', ['-c', block], {
      detached: true,
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: root, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir },
    });
    try {
      const port = /--port (\d+)/.exec(block)?.[1];
      const password = /SARC_SERVER_PASSWORD=(\S+)/.exec(block)?.[1] as string;
      const auth = { authorization: `Basic ${Buffer.from(`me:${password}`).toString('base64')}` };
      const url = `http://127.0.0.1:${port}`;
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = await fetch(`${url}/session`, { headers: auth }).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      expect((await fetch(`${url}/session`)).status).toBe(401);
      const shared = (await (await fetch(`${url}/session/${SAMPLE.main}/share`, { method: 'POST', headers: auth })).json()) as {
        share: { url: string };
      };
      expect(shared.share.url.startsWith(`${/--public-url (\S+)/.exec(block)?.[1]}/share/`)).toBe(true);
    } finally {
      // Wait for the exit: a server that is closing still writes its state dir, which the test's cleanup removes.
      const closed = new Promise((resolve) => child.once('close', resolve));
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      await closed;
    }
  }, 30_000);

  it('the sync example brings in the sessions of a fresh home folder’s ~/.claude and ~/.codex, as written', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string).find((b) => b.startsWith('sarc sync')) as string;
    const { dir, stateDir, root } = await tempArchive();
    const home = join(root, 'home');
    await cp(join(ROOT, 'test', 'fixtures', 'claude-code'), join(home, '.claude', 'projects'), { recursive: true });
    await cp(join(ROOT, 'test', 'fixtures', 'codex'), join(home, '.codex', 'sessions'), { recursive: true });
    const bin = join(root, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'sarc'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'sarc.cjs')}" "$@"\n`, { mode: 0o755 });
    const result = spawnSync('bash', ['-e', '-c', block], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: home, NO_COLOR: '1', SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'claude-code: brought 4 new, 0 updated, 0 unchanged, 0 failed (3 transcripts read, 0 unchanged); 1 record skipped; 1 record still being written',
      'codex: brought 2 new, 0 updated, 0 unchanged, 0 failed (2 rollouts read, 0 unchanged); 1 record still being written',
      'no sessions found for opencode (~/.local/share/opencode/opencode.db), gemini-cli (~/.gemini), qwen-code (~/.qwen), ' +
        'pi (~/.pi/agent/sessions), copilot-cli (~/.copilot/session-state), copilot-vscode (~/.config/Code/User), cursor (~/.config/Cursor/User), ' +
        'cline (~/.config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks), ' +
        'roo-code (~/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/tasks), ' +
        'kilo-code (~/.config/Code/User/globalStorage/kilocode.kilo-code/tasks), amp (~/.local/share/amp/threads), aider (nowhere to look yet), crush (nowhere to look yet), droid (~/.factory/sessions)',
      'claude-code: nothing changed (3 transcripts at ~/.claude/projects, 3 unchanged since the last run)',
      expect.stringMatching(
        /^claude-code {5}~\/\.claude\/projects +3 transcripts, 4 sessions in the archive, last sync \d{4}-\d\d-\d\d \d\d:\d\d$/,
      ),
      expect.stringMatching(/^codex {11}~\/\.codex\/sessions +2 rollouts, 2 sessions in the archive, last sync \d{4}-\d\d-\d\d \d\d:\d\d$/),
      ...[
        ['opencode', '~/.local/share/opencode/opencode.db'],
        ['gemini-cli', '~/.gemini'],
        ['qwen-code', '~/.qwen'],
        ['pi', '~/.pi/agent/sessions'],
        ['copilot-cli', '~/.copilot/session-state'],
        ['copilot-vscode', '~/.config/Code/User'],
        ['cursor', '~/.config/Cursor/User'],
        ['cline', '~/.config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks'],
        ['roo-code', '~/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/tasks'],
        ['kilo-code', '~/.config/Code/User/globalStorage/kilocode.kilo-code/tasks'],
        ['amp', '~/.local/share/amp/threads'],
        ['aider', 'nowhere to look yet'],
        ['crush', 'nowhere to look yet'],
        ['droid', '~/.factory/sessions'],
      ].map(([agent, path]) => `${(agent as string).padEnd(14)}  ${(path as string).padEnd(66)}  not found`),
      '',
    ]);
  }, 30_000);
});
