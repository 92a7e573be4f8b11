import { spawn } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_NAMES, claudeSessionId, type ReadStats, syncAgent, watchSync } from '../../src/index.js';
import { readJsonLines } from '../../src/ops/capture/kit/jsonl.js';
import { sarc } from '../cli/helpers.js';
import { SARC, tempArchive, tempDir } from '../helpers.js';

// The engine and the kit against hostile and broken sources, and the answers
// `sarc sync` and `sarc sources` give.

const line = (r: unknown) => `${JSON.stringify(r)}\n`;
const transcript = (session: string, text: string) =>
  line({
    type: 'user',
    uuid: `${session}-u`,
    sessionId: session,
    cwd: '/home/dev/x',
    timestamp: '2026-07-01T10:00:00.000Z',
    message: { role: 'user', content: text },
  });
const uuid = (n: number) => `bbbb0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('hostile sources', () => {
  it('never follows a symbolic link: a loop, a link to /usr and a linked transcript from elsewhere are passed over', async () => {
    const root = await tempDir();
    const from = join(root, 'projects');
    await mkdir(join(from, '-home-dev-x'), { recursive: true });
    await writeFile(join(from, '-home-dev-x', `${uuid(1)}.jsonl`), transcript(uuid(1), 'real'));
    await writeFile(join(root, 'outside.jsonl'), transcript(uuid(2), 'from outside'));
    await symlink(join(root, 'outside.jsonl'), join(from, '-home-dev-x', `${uuid(2)}.jsonl`));
    await symlink(from, join(from, 'loop'));
    await symlink('/usr', join(from, 'usr'));
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'claude-code', { from });
    expect(r.files.found).toBe(1);
    expect((await archive.sessions.list()).map((s) => s.title)).toEqual(['real']);
    // Followed live too, without a walk through the loop.
    const watcher = watchSync(archive, ['claude-code'], { from: { 'claude-code': from } });
    await watcher.ready;
    await watcher.close();
  });

  it('reads records as a stream: a line over the bound is skipped with its line number and the next one read', async () => {
    const file = join(await tempDir(), 'big.jsonl');
    await writeFile(file, `${line({ a: 1 })}${line({ big: 'x'.repeat(5000) })}${line({ a: 3 })}`);
    const stats: ReadStats = { records: 0, unknown: {}, skipped: [], pending: 0 };
    const got: number[] = [];
    for await (const { record, line: at } of readJsonLines(file, stats, { maxLine: 1000 })) if (record.a) got.push(at);
    expect(got).toEqual([1, 3]);
    expect(stats.skipped).toEqual([{ line: 2, reason: 'over 1000 bytes' }]);
  });

  it('a killed sync keeps what it wrote, and the next run finishes without writing anything twice', async () => {
    const from = join(await tempDir(), 'projects');
    await mkdir(join(from, '-home-dev-x'), { recursive: true });
    const total = 400;
    for (let i = 0; i < total; i++) await writeFile(join(from, '-home-dev-x', `${uuid(i)}.jsonl`), transcript(uuid(i), `prompt ${i}`));
    const { archive, dir, stateDir } = await tempArchive();
    const child = spawn(process.execPath, [...SARC, 'sync', 'claude-code', '--from', from], {
      env: { ...process.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir },
      stdio: 'ignore',
    });
    // Killed once some sessions are in (the bound keeps a fast machine from finishing first unnoticed).
    const start = Date.now();
    while ((await archive.sessions.ids()).length < 20 && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const kept = (await archive.sessions.ids()).length;
    expect(kept).toBeGreaterThan(0);
    const r = await syncAgent(archive, 'claude-code', { from });
    expect(r.sessions.new).toBe(total - kept);
    expect(r.sessions.updated).toBe(0);
    expect(r.failures).toEqual([]);
    expect((await archive.sessions.list()).length).toBe(total);
  }, 90_000);
});

describe('clear answers', () => {
  it('sarc sync with no names syncs every agent it finds and says which it looked for and where; sarc sources lists them', async () => {
    const { dir, stateDir, root } = await tempArchive();
    const home = join(root, 'home');
    await mkdir(join(home, '.claude', 'projects', '-home-dev-x'), { recursive: true });
    await writeFile(join(home, '.claude', 'projects', '-home-dev-x', `${uuid(1)}.jsonl`), transcript(uuid(1), 'hello'));
    const env = {
      HOME: home,
      SARC_ARCHIVE: dir,
      SARC_STATE_DIR: stateDir,
      NO_COLOR: '1',
      CLAUDE_CONFIG_DIR: '',
      CODEX_HOME: '',
      XDG_DATA_HOME: '',
      GEMINI_CLI_HOME: '',
      QWEN_HOME: '',
      PI_CODING_AGENT_DIR: '',
      PI_CODING_AGENT_SESSION_DIR: '',
      COPILOT_HOME: '',
      APPDATA: '',
    };
    const all = await sarc(['sync'], { env });
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter(Boolean)).toEqual([
      'claude-code: brought 1 new, 0 updated, 0 unchanged, 0 failed (1 transcript read, 0 unchanged)',
      'no sessions found for codex (~/.codex/sessions), opencode (~/.local/share/opencode/opencode.db), gemini-cli (~/.gemini), ' +
        'qwen-code (~/.qwen), pi (~/.pi/agent/sessions), copilot-cli (~/.copilot/session-state), copilot-vscode (~/.config/Code/User), cursor (~/.config/Cursor/User), ' +
        'cline (~/.config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks), ' +
        'roo-code (~/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/tasks), ' +
        'kilo-code (~/.config/Code/User/globalStorage/kilocode.kilo-code/tasks), amp (~/.local/share/amp/threads), aider (nowhere to look yet), crush (nowhere to look yet), droid (~/.factory/sessions)',
    ]);
    const sources = await sarc(['sources', '--json'], { env });
    const rows = JSON.parse(sources.stdout);
    expect(rows.map((r: { agent: string }) => r.agent)).toEqual([...AGENT_NAMES]);
    expect(rows.slice(0, 3)).toEqual([
      expect.objectContaining({
        agent: 'claude-code',
        path: join(home, '.claude', 'projects'),
        found: 1,
        sessions: 1,
        lastSync: expect.any(Number),
      }),
      { agent: 'codex', label: 'Codex', unit: 'rollout', path: join(home, '.codex', 'sessions'), sessions: 0 },
      {
        agent: 'opencode',
        label: 'OpenCode',
        unit: 'session',
        path: join(home, '.local', 'share', 'opencode', 'opencode.db'),
        sessions: 0,
      },
    ]);
    const human = await sarc(['sources'], { env });
    expect(human.stdout).toMatch(/^codex {11}~\/\.codex\/sessions +not found$/m);
  });

  it('a named agent with nothing there is said plainly, with its own exit code, never "nothing changed"', async () => {
    const { dir, stateDir, root } = await tempArchive();
    const env = { HOME: join(root, 'home'), SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1', CODEX_HOME: '' };
    const plain = await sarc(['sync', 'codex'], { env });
    expect(plain.code).toBe(3);
    expect(plain.stdout).toBe('codex: no Codex sessions at ~/.codex/sessions\n');
    const json = await sarc(['sync', 'codex', '--json'], { env });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ source: 'codex', missing: true, files: { found: 0 } });
  });

  it('sarc show says which agent and source a session came from, and finds it by the agent’s own ID', async () => {
    const from = join(await tempDir(), 'projects');
    await mkdir(join(from, '-home-dev-x'), { recursive: true });
    await writeFile(join(from, '-home-dev-x', `${uuid(7)}.jsonl`), transcript(uuid(7), 'hello'));
    const { archive, dir, stateDir } = await tempArchive();
    await syncAgent(archive, 'claude-code', { from });
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, NO_COLOR: '1' };
    const shown = await sarc(['show', uuid(7)], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`id        ${claudeSessionId(uuid(7))}`);
    expect(shown.stdout).toContain(`source    Claude Code ${uuid(7)} (${join(from, '-home-dev-x', `${uuid(7)}.jsonl`)})`);
  });
});
