import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool, SAMPLE, tempArchive } from '../helpers.js';
import { sarc } from './helpers.js';

// A FIFO where a data file belongs (made by hand, or by a tool that copies
// special files) is hostile input: opened for reading without O_NONBLOCK it
// waits for a writer that never comes. The index's scan of info.json did so
// on the main thread, and every command that opens the index (list, search,
// doctor, serve) blocked there for good, its other threads idle on futexes;
// a thread-pool read blocked so would also hold up the process's exit. Each
// command here runs as a real child with a short bound: past it the child is
// killed and the test fails saying so.

const BOUND_MS = 30_000;
const MESSAGE = 'msg_019a8b7c6d02Zq8Wm3Nx5Rv7Tb';

async function fifoArchive() {
  const t = await tempArchive({ samples: true });
  const fifo = (...parts: string[]) => {
    const path = join(t.dir, ...parts);
    rmSync(path);
    execFileSync('mkfifo', [path]);
    return path;
  };
  const info = fifo('sessions', SAMPLE.notes, 'info.json');
  const todos = fifo('sessions', SAMPLE.main, 'todos.json');
  const message = fifo('sessions', SAMPLE.main, 'messages', `${MESSAGE}.json`);
  const project = fifo('projects', 'global.json');
  // And a folder in one info.json's place: refused as well, not taken for a missing file.
  const folder = join(t.dir, 'sessions', SAMPLE.child, 'info.json');
  rmSync(folder);
  mkdirSync(folder);
  const redaction = join(t.dir, 'redaction.json');
  execFileSync('mkfifo', [redaction]);
  const run = (args: string[]) => sarc(args, { env: { SARC_ARCHIVE: t.dir, SARC_STATE_DIR: t.stateDir }, timeoutMs: BOUND_MS });
  return { ...t, run, info, todos, message, project, redaction, folder };
}

describe('a FIFO in a data file’s place', () => {
  it(
    'never blocks a command: the session is listed as broken, doctor names every one (the redaction settings too), search and show answer',
    async () => {
      if (!hasTool('mkfifo')) return;
      const { run, info, todos, message, project, redaction, folder } = await fifoArchive();

      const list = await run(['list', '--all', '--json']);
      expect(list.stderr).toBe('');
      expect(list.code).toBe(0);
      const items = JSON.parse(list.stdout).items as Array<{ id: string; valid: boolean; error?: string }>;
      expect(items.find((s) => s.id === SAMPLE.notes)).toMatchObject({
        valid: false,
        error: `${info}: is not a regular file, expected a JSON file`,
      });
      expect(items.find((s) => s.id === SAMPLE.child)).toMatchObject({
        valid: false,
        error: `${folder}: is a folder, expected a JSON file`,
      });
      expect(items.find((s) => s.id === SAMPLE.main)?.valid).toBe(true);

      // Doctor names each, the redaction settings among them, and says what an unreadable one stops.
      const doctor = await run(['doctor', '--json']);
      expect(doctor.code, doctor.stderr).toBe(1);
      const report = JSON.parse(doctor.stdout);
      const problems = (report.problems as Array<{ kind: string; path: string }>).filter((p) => p.kind === 'corrupt');
      expect(problems.map((p) => p.path).sort()).toEqual([info, folder, todos, message, project, redaction].sort());
      expect(report.redaction.readable).toBe(false);
      expect((await run(['doctor'])).stdout).toContain('redaction settings unreadable');

      const search = await run(['search', 'retries', '--json']);
      expect(search.code, search.stderr).toBe(0);
      expect(JSON.stringify(JSON.parse(search.stdout))).toContain(SAMPLE.main);

      const rebuild = await run(['index', 'rebuild']);
      expect(rebuild.code, rebuild.stderr).toBe(0);
      expect(rebuild.stdout).toContain('2 invalid');

      // A session whose own files are FIFOs is refused with the file named, at once.
      const show = await run(['show', SAMPLE.notes]);
      expect(show.code).not.toBe(0);
      expect(show.stderr).toContain(`${info}: is not a regular file`);
      const fork = await run(['show', SAMPLE.fork]);
      expect(fork.code, fork.stderr).toBe(0);
    },
    4 * BOUND_MS,
  );

  it(
    'in .gitattributes’ place (rsync -a copies FIFOs): sarc git-setup refuses it at once, naming it',
    async () => {
      if (!hasTool('mkfifo') || !hasTool('git')) return;
      const { dir, run } = await fifoArchive();
      execFileSync('git', ['init', '-q', dir]);
      const attributes = join(dir, '.gitattributes');
      execFileSync('mkfifo', [attributes]);
      const setup = await run(['git-setup']);
      expect(setup.code).not.toBe(0);
      expect(setup.stderr).toContain(`${attributes}: is not a regular file`);
    },
    2 * BOUND_MS,
  );
});
