import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { serveCommand } from '../../src/bin/serve-command.js';
import { createProgram } from '../../src/cli/program.js';
import { formatTime, openArchive } from '../../src/index.js';
import { SAMPLE, SARC, tempArchive, tempDir } from '../helpers.js';
import { sarc } from './helpers.js';

const COMMANDS = [
  'init',
  'list',
  'show',
  'create',
  'rename',
  'archive',
  'unarchive',
  'delete',
  'fork',
  'export',
  'import',
  'migrate',
  'orphans',
  'share',
  'unshare',
  'status',
  'revert',
  'unrevert',
  'diff',
  'index',
  'watch',
  'doctor',
  'completion',
  'sync',
  'opencode',
  'search',
];

async function setup() {
  const t = await tempArchive({ samples: true });
  const env = { SARC_ARCHIVE: t.dir, SARC_STATE_DIR: t.stateDir };
  const json = async (args: string[]) => {
    const run = await sarc([...args, '--json'], { env, cwd: t.root });
    if (run.code !== 0) throw new Error(`sarc ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
    return JSON.parse(run.stdout);
  };
  return { ...t, env, json, run: (args: string[], input?: string) => sarc(args, { env, cwd: t.root, input }) };
}

describe('sarc', () => {
  it('read-only commands leave the index snapshot alone when nothing changed, and write it when something did', async () => {
    const { run, stateDir, dir } = await setup();
    expect((await run(['list', '--all'])).code).toBe(0);
    const snapshot = join(stateDir, 'index.ndjson');
    const before = statSync(snapshot);
    for (const args of [['list', '--all'], ['show', SAMPLE.main], ['status']]) expect((await run(args)).code).toBe(0);
    const after = statSync(snapshot);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    const info = join(dir, 'sessions', SAMPLE.main, 'info.json');
    writeFileSync(info, readFileSync(info, 'utf8').replace('"Add retries to the HTTP client"', '"Retries, edited"'));
    expect((await run(['list', '--all'])).stdout).toContain('Retries, edited');
    expect(statSync(snapshot).mtimeMs).not.toBe(before.mtimeMs);
  });

  it('describes every command and option with an example', async () => {
    const top = await sarc(['--help']);
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.stdout).toMatch(new RegExp(`\\n  ${c}[ |]`));
    expect(top.stdout).toContain('Examples:');
    // Every command and sub-command, read from the program itself so a new one cannot be missed.
    const helpOf = (command: Command) => {
      let text = '';
      command.configureOutput({ writeOut: (s) => (text += s) });
      command.outputHelp();
      return text;
    };
    const walk = (command: Command, path: string[]): string[][] =>
      command.commands.flatMap((c) => [[...path, c.name()], ...walk(c, [...path, c.name()])]);
    const program = await createProgram([serveCommand]);
    const all = walk(program, []);
    expect(all.map((p) => p.join(' '))).toEqual(expect.arrayContaining([...COMMANDS, 'serve', 'index stats', 'index rebuild']));
    for (const path of all) {
      let command = program;
      for (const name of path) command = command.commands.find((c) => c.name() === name) as Command;
      // A group (`index`) lists its sub-commands; each leaf shows how it is used.
      if (command.commands.length > 0) continue;
      const help = helpOf(command);
      expect(help, path.join(' ')).toMatch(/Examples?[^\n]*:\n {2}[^\n]*\bsarc /);
      // Each example as a shell reads it: no option ends up inside a quoted argument (where it would be a word of the query).
      for (const line of help.split('\n').filter((l) => /^ {2}sarc /.test(l))) {
        const words = spawnSync('bash', ['-c', `printf '%s\\0' ${line.replace(/#.*$/, '').replace(/[|&;<>].*$/, '')}`], {
          encoding: 'utf8',
        }).stdout;
        for (const word of words.split('\0')) expect(word, line).not.toMatch(/\s--[a-z]/);
      }
      for (const option of command.options) {
        expect(option.description, `${path.join(' ')} ${option.flags}`).not.toBe('');
        expect(help).toContain(option.flags);
      }
    }
  });

  it('--project of list and search takes a project by its name, its folder or its ID; an unknown one lists the names it knows', async () => {
    const t = await setup();
    const ids = (page: { items: Array<{ id: string }> }) => page.items.map((s) => s.id).sort();
    const byId = ids(await t.json(['list', '--project', '8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5c4b3a291']));
    expect(byId).toHaveLength(3);
    expect(ids(await t.json(['list', '--project', 'webapp']))).toEqual(byId);
    expect(ids(await t.json(['list', '--project', 'WebApp']))).toEqual(byId);
    expect(ids(await t.json(['list', '--project', '/home/dev/src/webapp']))).toEqual(byId);
    expect(ids(await t.json(['list', '--project', 'global', '--archived', 'include']))).toEqual([SAMPLE.notes]);
    const hits = (await t.json(['search', 'retry', '--project', 'webapp', '--limit', '100', '--flat'])).hits as Array<{
      projectID: string;
    }>;
    expect(hits.length).toBeGreaterThan(0);
    expect(new Set(hits.map((h) => h.projectID))).toEqual(new Set(['8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5c4b3a291']));
    const unknown = await t.run(['list', '--project', 'shop']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no project named "shop"; the archive knows global, webapp');
  });

  it('show of a session with a broken message file shows the rest, the broken one in its place with what is wrong, and exits 1', async () => {
    const t = await setup();
    const broken = 'msg_019a8b7c6d03Zq8Wm3Nx5Rv7Tb';
    await writeFile(join(t.dir, 'sessions', SAMPLE.main, 'messages', `${broken}.json`), '{ "info": ');
    const run = await t.run(['show', SAMPLE.main]);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    const at = lines.indexOf(`── unreadable message ${broken}`);
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe(
      `  ${join(t.dir, 'sessions', SAMPLE.main, 'messages', `${broken}.json`)}:1:11: invalid JSON: unexpected end of file`,
    );
    // The four others are there too.
    expect(run.stdout).toContain('Look at how requests are sent, then wrap them in a retry loop.');
    for (const text of ['The HTTP client gives up after one failed request', 'One test fails: a 404 is retried', 'Ask the explore agent'])
      expect(run.stdout).toContain(text);
    expect(lines.filter((l) => l.startsWith('▍You'))).toHaveLength(2);
    expect(run.stderr).toContain(
      `1 message file could not be read (shown in place): ${join(t.dir, 'sessions', SAMPLE.main, 'messages', `${broken}.json`)}`,
    );
    const raw = await t.run(['show', SAMPLE.main, '--raw']);
    expect(raw.code).toBe(1);
    expect(JSON.parse(raw.stdout).messages.map((m: { error?: { name: string } }) => m.error?.name ?? 'ok')).toContain('CorruptFileError');
  });

  it('a CLI child that runs past its bound is killed and says so (the suite never waits on one)', async () => {
    const t = await setup();
    const run = await sarc(['watch', '--quiet'], { env: t.env, cwd: t.root, timeoutMs: 1_500 });
    expect(run.code).toBeNull();
    expect(run.stderr).toContain('(sarc watch --quiet killed by SIGKILL: it ran past its bound)');
  });

  it('init, create, show, rename, archive, unarchive, list', async () => {
    const t = await setup();
    const { json, run, root, env } = t;
    const fresh = join(root, 'fresh');
    expect((await sarc(['init', fresh, '--json'], { env })).stdout).toContain(fresh);
    expect(await readFile(join(fresh, 'archive.json'), 'utf8')).toContain('session-archive');

    const created = await json(['create', '--title', 'From the CLI', '--dir', root]);
    expect(created).toMatchObject({ title: 'From the CLI', directory: root });
    const custom = await json(['create', '--id', 'ses_0123456789abCliCustomId123']);
    expect(custom.id).toBe('ses_0123456789abCliCustomId123');
    const shown = await json(['show', created.id]);
    expect(shown).toMatchObject({ info: { id: created.id }, todos: [], messages: [] });
    expect((await json(['rename', created.id, 'Renamed'])).title).toBe('Renamed');
    expect((await json(['archive', created.id])).time.archived).toBeGreaterThan(0);
    const listed = await json(['list', '--all']);
    expect(listed.items.map((s: { id: string }) => s.id)).not.toContain(created.id);
    expect((await json(['list', '--all', '--archived', 'only'])).items.map((s: { id: string }) => s.id)).toContain(created.id);
    expect((await json(['unarchive', created.id])).time.archived).toBeUndefined();
    expect((await json(['list', '--all', '--search', 'RENAMED'])).items.map((s: { id: string }) => s.id)).toEqual([created.id]);
    expect((await json(['list', '--all', '--roots'])).items.every((s: { parentID?: string }) => !s.parentID)).toBe(true);
    const page = await json(['list', '--all', '--limit', '2']);
    expect(page.items.length).toBe(2);
    const next = await json(['list', '--all', '--limit', '2', '--cursor', page.nextCursor]);
    expect(next.items.map((s: { id: string }) => s.id)).not.toContain(page.items[0].id);
    // --workspace: only that workspace's sessions, across projects.
    const archive = await openArchive({ dir: t.dir, stateDir: t.stateDir });
    const inWorkspace = await archive.sessions.create({ directory: '/w', workspaceID: 'wrk_cli' });
    expect((await json(['list', '--workspace', 'wrk_cli'])).items.map((s: { id: string }) => s.id)).toEqual([inWorkspace.id]);
    expect((await json(['list', '--workspace', 'wrk_none'])).items).toEqual([]);
    // Without --all: the current folder's project (here: global, the fresh session's own).
    expect((await json(['list'])).items.map((s: { id: string }) => s.id)).toContain(created.id);
    const human = await run(['show', SAMPLE.main]);
    expect(human.stdout).toContain('Add retries to the HTTP client');
    expect(human.stdout).toContain('[~] Retry only on 5xx and network errors (high)');
    expect(human.stdout).toContain('⚙ bash npm test failed');
    expect(human.stdout).not.toContain('\u001b[');
  }, 120_000);

  it('delete asks, refuses without --yes when stdin is not a terminal, and says how many children go', async () => {
    const { run, json } = await setup();
    const refused = await run(['delete', SAMPLE.main]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `sarc: refusing to delete "Add retries to the HTTP client" (${SAMPLE.main}) and its 1 child session without --yes (stdin is not a terminal)\n`,
    );
    expect((await json(['delete', SAMPLE.main, '--yes'])).deleted).toEqual([SAMPLE.main, SAMPLE.child]);
    const gone = await run(['show', SAMPLE.main]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`sarc: session not found: ${SAMPLE.main}\n`);
  }, 30_000);

  it('fork, export, import', async () => {
    const { json, run, root } = await setup();
    const messages = (await json(['show', SAMPLE.main])).messages;
    const fork = await json(['fork', SAMPLE.main, '--at', messages[2].info.id]);
    expect(fork.forkedFrom).toEqual({ sessionID: SAMPLE.main, messageID: messages[2].info.id });
    expect((await json(['show', fork.id])).messages.length).toBe(2);
    const file = join(root, 'backup.json');
    const exported = await run(['export', SAMPLE.main, '--children', '-o', file]);
    expect(exported.code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8')).sessions.length).toBe(2);
    const stdout = await run(['export', SAMPLE.notes, '--format', 'opencode']);
    expect(Object.keys(JSON.parse(stdout.stdout))).toEqual(['info', 'messages']);
    const imported = await json(['import', file]);
    expect(imported.imported[0].sessions.map((s: { from: string }) => s.from)).toEqual([SAMPLE.main, SAMPLE.child]);
    const collision = await run(['import', file, '--keep-ids']);
    expect(collision.code).toBe(1);
    expect(collision.stderr).toBe(`sarc: session IDs already exist: ${SAMPLE.main}, ${SAMPLE.child}\n`);
    await writeFile(join(root, 'bad.json'), '{"info": oops}');
    const bad = await run(['import', join(root, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`sarc: ${join(root, 'bad.json')}:1:10: invalid JSON: expected a value, found "o"\n`);
    const debug = await run(['import', join(root, 'bad.json'), '--debug']);
    expect(debug.stderr).toContain('    at ');
    const badFormat = await run(['export', SAMPLE.main, '--format', 'xml']);
    expect(badFormat.code).toBe(2);
  }, 60_000);

  it('migrate (and rebind), orphans, share, unshare, status, revert, unrevert, diff', async () => {
    const { json, run } = await setup();
    const plan = await json(['migrate', '--from-dir', '/home/dev/src/*', '--to', '/srv/webapp', '--dry-run']);
    expect(plan.dryRun).toBe(true);
    expect(plan.moved.length).toBe(3);
    // --from-id (a prefix will do) combines with the other selectors and the IDs given as arguments.
    const combined = await json([
      'migrate',
      SAMPLE.child,
      '--from-id',
      SAMPLE.notes.slice(4, 16),
      '--from-id',
      SAMPLE.notes,
      '--from-project',
      'global',
      '--to',
      '/srv/x',
      '--dry-run',
    ]);
    expect(combined.moved.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([SAMPLE.child, SAMPLE.notes]));
    expect(new Set(combined.moved.map((r: { id: string }) => r.id)).size).toBe(combined.moved.length);
    expect((await run(['migrate', SAMPLE.notes, '--to', 'relative/dir'])).code).toBe(2);
    const moved = await json(['rebind', SAMPLE.notes, '--to', '/srv/notes']);
    expect(moved.moved.map((r: { to: { directory: string } }) => r.to.directory)).toEqual(['/srv/notes']);
    const orphans = await json(['orphans']);
    expect(orphans.map((o: { reason: string }) => o.reason)).toContain('missing-directory');
    const shared = await json(['share', SAMPLE.main, '--base-url', 'https://s.example']);
    expect(shared.url).toMatch(/^https:\/\/s\.example\/share\/[A-Za-z0-9_-]{32}$/);
    expect((await json(['share', SAMPLE.main])).url).toBe(shared.url);
    expect((await json(['unshare', SAMPLE.main])).shared).toBe(false);
    expect(await json(['status'])).toEqual({});
    const msgs = (await json(['show', SAMPLE.main])).messages;
    expect((await json(['revert', SAMPLE.main, '--message', msgs[3].info.id])).revert.messageID).toBe(msgs[3].info.id);
    expect((await json(['unrevert', SAMPLE.main])).revert).toBeUndefined();
    // No snapshot diffs recorded: what the session's edit call changed.
    expect(await json(['diff', SAMPLE.main])).toMatchObject([{ file: 'src/client.ts', additions: 1, deletions: 1, status: 'modified' }]);
    const missing = await run(['revert', SAMPLE.main]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '-m, --message <messageID>' not specified");
  }, 60_000);

  it('index rebuild and stats; doctor finds and fixes what it may, never touching data', async () => {
    const { json, run, dir, stateDir } = await setup();
    expect(await json(['index', 'rebuild'])).toMatchObject({ sessions: 4, invalid: 0 });
    const msgPath = join(dir, 'sessions', SAMPLE.main, 'messages', 'msg_019a8b7c6d03Zq8Wm3Nx5Rv7Tb.json');
    await writeFile(msgPath, '{"info": ');
    const conflict = join(dir, 'sessions', SAMPLE.notes, "info (Laptop's conflicted copy 2026-11-02).json");
    await writeFile(conflict, '{}');
    await writeFile(join(dir, 'sessions', SAMPLE.notes, 'messages', '.msg_019a8b7c6d31Zq8Wm3Nx5Rv7Tb.json.Ab12Cd'), '{}');
    const lock = join(stateDir, 'locks', `${SAMPLE.fork}.lock`);
    await mkdir(lock, { recursive: true });
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    // A waiter's marker left by a process that is gone (see SessionLocks).
    const marker = `${lock}.want`;
    await writeFile(marker, '');
    await utimes(marker, old, old);
    const stats = await json(['index', 'stats']);
    expect(stats).toMatchObject({ sessions: 4, strays: 2 });

    const check = await run(['doctor', '--json']);
    expect(check.code).toBe(1);
    const found = JSON.parse(check.stdout).problems.map((p: { kind: string; path: string }) => [p.kind, p.path]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['corrupt', msgPath],
        ['stray', conflict],
        ['stale-lock', lock],
        ['stale-lock', marker],
      ]),
    );
    expect(found.length).toBe(5);
    const fixed = await run(['doctor', '--fix', '--json']);
    expect(fixed.code).toBe(1);
    const result = JSON.parse(fixed.stdout);
    expect(result.fixed.length).toBe(4);
    expect(result.problems.map((p: { kind: string }) => p.kind)).toEqual(['corrupt']);
    expect(await readFile(msgPath, 'utf8')).toBe('{"info": ');
    await expect(stat(conflict)).rejects.toThrow();
    await expect(stat(lock)).rejects.toThrow();
    await expect(stat(marker)).rejects.toThrow();
    const quarantined = await readdir(join(stateDir, 'quarantine'), { recursive: true });
    expect(quarantined.some((p) => p.endsWith("info (Laptop's conflicted copy 2026-11-02).json"))).toBe(true);
    const human = await run(['doctor']);
    expect(human.stdout).toContain(`corrupt  ${msgPath}:1:10: invalid JSON: unexpected end of file`);
  }, 60_000);

  it('search finds message content in any word form, marks it, filters, pages, and explains bad input', async () => {
    const { json, run } = await setup();
    const all = await json(['search', 'retry', '--limit', '50', '--flat']);
    expect(all.hits.length).toBeGreaterThan(4);
    expect(all.hits.map((h: { field: string }) => h.field)).toEqual(expect.arrayContaining(['title', 'message']));
    expect((await json(['search', '"retry policy"', '--flat'])).hits[0]).toMatchObject({ sessionID: SAMPLE.main, field: 'todos' });
    const human = await run(['search', '"retry loop"']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Look at how requests are sent, then wrap them in a retry loop.');
    expect(human.stdout).toContain(SAMPLE.main);
    // Pages go on with --cursor, as list's do; the hint repeats the command.
    const page1 = await json(['search', 'retry', '-n', '2', '--flat']);
    expect(page1.more).toBe(true);
    const page2 = await json(['search', 'retry', '-n', '2', '--flat', '--cursor', page1.nextCursor]);
    expect(page2.hits.map((h: { snippet: string }) => h.snippet)).toEqual(all.hits.slice(2, 4).map((h: { snippet: string }) => h.snippet));
    expect((await run(['search', 'retry', '-n', '1'])).stdout).toMatch(/more: sarc search retry -n 1 --cursor \S+/);
    expect((await run(['search', 'retry', '--cursor', 'nonsense'])).code).toBe(2);
    expect((await json(['search', 'retry', '--role', 'user', '--flat'])).hits.every((h: { role: string }) => h.role === 'user')).toBe(true);
    expect(
      (await json(['search', 'retry', '--archived', 'exclude', '--flat'])).hits.some(
        (h: { sessionID: string }) => h.sessionID === SAMPLE.notes,
      ),
    ).toBe(false);
    expect((await json(['search', 'retry', '--since', '2000-01-01', '--until', '2001-01-01'])).groups).toEqual([]);
    expect((await json(['search', 'retry', '--dir', '/nowhere'])).groups).toEqual([]);
    expect((await json(['search', 'retry', '--agent', 'codex'])).groups).toEqual([]);
    const none = await run(['search', 'zebra']);
    expect(none.stdout).toContain('no matches');
    const bad = await run(['search', 'retry', '--since', 'last tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --since "last tuesday": expected a date/);
    const empty = await run(['search', '"', '--json']);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/nothing to search for/);
    expect((await json(['search', 'retry', '--rebuild', '--flat'])).hits.length).toBe(
      (await json(['search', 'retry', '--flat'])).hits.length,
    );
    // About 15 CLI processes: a deadline for liveness under a loaded test run, not a measurement.
  }, 90_000);

  it('search groups hits per session, best first, and folds a fork’s copies into its source', async () => {
    const { json, run } = await setup();
    // The fork copied the first two messages: flat, "retry loop" is found twice; grouped, once, with the fork folded in.
    const flat = (await json(['search', '"retry loop"', '--flat'])).hits as Array<{ sessionID: string }>;
    expect(flat.map((h) => h.sessionID).sort()).toEqual([SAMPLE.fork, SAMPLE.main].sort());
    const grouped = await json(['search', '"retry loop"']);
    expect(grouped.groups).toHaveLength(1);
    expect(grouped.groups[0]).toMatchObject({ sessionID: SAMPLE.main, count: 2 });
    expect(grouped.groups[0].sessions.sort()).toEqual([SAMPLE.fork, SAMPLE.main].sort());
    // Every hit of a session in one group: as many groups as sessions with hits, counts adding up to the flat hits.
    const all = await json(['search', 'retry', '--limit', '50']);
    const hits = (await json(['search', 'retry', '--limit', '500', '--flat'])).hits as Array<{ sessionID: string }>;
    expect(all.groups.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBe(hits.length);
    expect(new Set(all.groups.map((g: { sessionID: string }) => g.sessionID)).size).toBe(all.groups.length);
    const text = (await run(['search', 'retry'])).stdout;
    expect(text).toMatch(/\d+ more in this session/);
  }, 90_000);

  it('show --raw prints the stored JSON; show prints the conversation for a terminal', async () => {
    const { run } = await setup();
    const raw = await run(['show', SAMPLE.main, '--raw']);
    expect(raw.code).toBe(0);
    const parsed = JSON.parse(raw.stdout);
    expect(parsed.info.id).toBe(SAMPLE.main);
    expect(parsed.messages).toHaveLength(5);
    const shown = await run(['show', SAMPLE.main]);
    expect(shown.stdout).toContain('⚙ edit src/client.ts done 1.0 s');
  });

  it('watch prints events as they happen until interrupted', async () => {
    const { env, dir, root } = await setup();
    const child = spawn(process.execPath, [...SARC, 'watch', '--json'], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    for (let i = 0; i < 300 && !err.includes('watching'); i++) await new Promise((r) => setTimeout(r, 20));
    const path = join(dir, 'sessions', SAMPLE.notes, 'info.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('Weekly notes summary', 'Edited while watched'));
    for (let i = 0; i < 300 && !out.includes('session.updated'); i++) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const event = JSON.parse(out.split('\n')[0] as string);
    expect(event).toMatchObject({
      type: 'session.updated',
      properties: { sessionID: SAMPLE.notes, info: { title: 'Edited while watched' } },
    });
  }, 30_000);

  it('takes unique ID prefixes and `latest` wherever it takes a session ID; an ambiguous prefix lists the candidates', async () => {
    const { json, run, stateDir } = await setup();
    expect((await json(['show', 'fe5e0a1b2c3d'])).info.id).toBe(SAMPLE.main);
    // A prefix is found among the folder names: no index is loaded or built for it.
    expect(existsSync(join(stateDir, 'index.ndjson'))).toBe(false);
    expect((await json(['show', 'ses_fe5e0a1b0e'])).info.id).toBe(SAMPLE.notes);
    const ambiguous = await run(['show', 'fe5e0a1b']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('sarc: ambiguous session ID fe5e0a1b: 4 sessions start with it:');
    for (const id of Object.values(SAMPLE)) expect(ambiguous.stderr).toContain(id);
    const missing = await run(['show', 'fe5e0aff']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('session not found: fe5e0aff');
    const made = await json(['create', '--title', 'the newest']);
    expect((await json(['show', 'latest'])).info.id).toBe(made.id);
    expect((await json(['rename', 'latest', 'renamed newest'])).title).toBe('renamed newest');
    expect((await json(['fork', made.id.slice(4, 20)])).title).toBe('renamed newest (fork #1)');
  }, 60_000);

  it('shows times in the local zone, naming it, or in UTC with --utc; JSON keeps epoch milliseconds', async () => {
    const { env, json } = await setup();
    const info = (await json(['show', SAMPLE.main])).info as { time: { created: number } };
    expect(typeof info.time.created).toBe('number');
    const tokyo = await sarc(['show', SAMPLE.main], { env: { ...env, TZ: 'Asia/Tokyo' } });
    expect(tokyo.stdout).toContain(`created   ${formatTime(info.time.created, { timeZone: 'Asia/Tokyo' })}`);
    expect(formatTime(info.time.created, { timeZone: 'Asia/Tokyo' })).toMatch(/ GMT\+9$/);
    const utc = await sarc(['show', SAMPLE.main, '--utc'], { env: { ...env, TZ: 'Asia/Tokyo' } });
    expect(utc.stdout).toContain(`created   ${formatTime(info.time.created, { utc: true })}`);
    expect(formatTime(info.time.created, { utc: true })).toMatch(/ UTC$/);
  }, 30_000);

  it('formats times in the local zone as TZ says now, though formatters are kept between calls', () => {
    const before = process.env.TZ;
    const ms = Date.UTC(2026, 10, 21, 17, 52);
    try {
      process.env.TZ = 'Asia/Tokyo';
      expect(formatTime(ms)).toBe('2026-11-22 02:52 GMT+9');
      process.env.TZ = 'UTC';
      expect(formatTime(ms)).toBe('2026-11-21 17:52 UTC');
      process.env.TZ = 'Asia/Tokyo';
      expect(formatTime(ms)).toBe('2026-11-22 02:52 GMT+9');
      expect(formatTime(ms, { timeZone: 'America/New_York' })).toBe('2026-11-21 12:52 EST');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('reports bad IDs and a missing archive in one line, with exit codes', async () => {
    const empty = await tempDir();
    const noArchive = await sarc(['list'], { env: { SARC_ARCHIVE: join(empty, 'none'), SARC_STATE_DIR: join(empty, 's') } });
    expect(noArchive.code).toBe(1);
    expect(noArchive.stderr).toBe(
      `sarc: ${join(empty, 'none')} is not a session archive (no archive.json); create one with \`sarc init ${join(empty, 'none')}\` (pass --archive DIR, set SARC_ARCHIVE, or run \`sarc init\`)\n`,
    );
    const { run } = await setup();
    const badId = await run(['show', '../../etc/passwd', '--json']);
    expect(badId.code).toBe(2);
    expect(JSON.parse(badId.stderr)).toEqual({
      error: {
        code: 'INVALID_ID',
        message:
          'invalid session ID "../../etc/passwd": expected ses_ followed by 12 lowercase hex and 14 letters or digits (pattern ^ses_[0-9a-f]{12}[0-9A-Za-z]{14}$)',
      },
    });
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['list', '--limit', 'many'])).code).toBe(2);
  }, 30_000);
});
