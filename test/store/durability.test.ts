import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTempName } from '../../src/store/temp-names.js';
import { hasTool, ROOT, tempArchive, workerArgs } from '../helpers.js';

// What a power cut would test, read from the system calls instead: every
// acknowledged append must have made its two files durable before the
// process says so. For each file: the temp file's data fsynced before the
// rename, the rename before an fsync of the folder, and that fsync done
// before the writer reports the append (stdout is a pipe: written at once).
// How the calls overlap is free.

// Installed, and allowed to trace here (a container may forbid ptrace).
const HAVE_STRACE = hasTool('strace', () => spawnSync('strace', ['-f', '-qq', '-e', 'trace=none', 'true']).status === 0);

interface Call {
  name: string;
  args: string;
  result: string;
  /** Line numbers in the trace where the call began and where it returned. */
  start: number;
  end: number;
}

/** The calls of an `strace -f` log, each with where it began and returned (calls of other threads interleave). */
function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  const pending = new Map<string, Call>();
  text.split('\n').forEach((line, at) => {
    const resumed = /^(\d+)\s+<\.\.\. (\w+) resumed>(.*)\)\s+= (.*)$/.exec(line);
    if (resumed) {
      const call = pending.get(`${resumed[1]} ${resumed[2]}`);
      if (!call) return;
      pending.delete(`${resumed[1]} ${resumed[2]}`);
      call.args += resumed[3];
      call.result = resumed[4] as string;
      call.end = at;
      return;
    }
    const unfinished = /^(\d+)\s+(\w+)\((.*) <unfinished \.\.\.>$/.exec(line);
    if (unfinished) {
      const call: Call = { name: unfinished[2] as string, args: unfinished[3] as string, result: '', start: at, end: -1 };
      pending.set(`${unfinished[1]} ${call.name}`, call);
      calls.push(call);
      return;
    }
    const whole = /^(\d+)\s+(\w+)\((.*)\)\s+= (.*)$/.exec(line);
    if (whole) calls.push({ name: whole[2] as string, args: whole[3] as string, result: whole[4] as string, start: at, end: at });
  });
  return calls;
}

const fdOf = (call: Call) => Number.parseInt(call.result, 10);
const firstArg = (call: Call) => call.args.split(',')[0]?.trim();
const quoted = (call: Call) => [...call.args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);

/** The calls on the descriptor `open` returned, up to its close. */
function onDescriptor(calls: Call[], open: Call): Call[] {
  const fd = String(fdOf(open));
  const out: Call[] = [];
  for (const call of calls) {
    if (call.start <= open.end || firstArg(call) !== fd) continue;
    out.push(call);
    if (call.name === 'close') break;
  }
  return out;
}

describe('durability of an acknowledged write', () => {
  it.skipIf(!HAVE_STRACE)(
    'every file of a create, an append and a fork is fsynced, moved into place and its folder fsynced, all before the write is acknowledged',
    async () => {
      const { archive, dir, stateDir, root } = await tempArchive();
      const log = join(root, 'trace.log');
      const run = spawnSync(
        'strace',
        [
          '-f',
          '-qq',
          '-s',
          '4096',
          '-e',
          'trace=openat,mkdir,write,fsync,close,rename,renameat,renameat2',
          '-o',
          log,
          process.execPath,
        ].concat([...workerArgs(join(ROOT, 'test/fixtures/durability-worker.ts')), dir, stateDir]),
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^ack create ses_\w+\n(ack append msg_\w+\n){3}ack fork ses_\w+\n$/);
      const calls = parseTrace(await readFile(log, 'utf8'));
      const acks = calls.filter((c) => c.name === 'write' && firstArg(c) === '1' && quoted(c)[0]?.startsWith('ack '));
      expect(acks).toHaveLength(5);
      const sessions = join(dir, 'sessions');

      /** An fsync of a descriptor opened on `folder` that began after `after` and returned before `before`. */
      const folderSynced = (folder: string, after: number, before: number) =>
        calls
          .filter((c) => c.name === 'openat' && quoted(c)[0] === folder && fdOf(c) >= 0)
          .flatMap((open) => onDescriptor(calls, open))
          .some((c) => c.name === 'fsync' && c.result === '0' && c.start > after && c.end < before);
      /** The fsync of a file created at `path`, if it returned before `before`. */
      const fileSynced = (path: string, before: number) => {
        const created = calls.find((c) => c.name === 'openat' && quoted(c)[0] === path && c.args.includes('O_CREAT') && fdOf(c) >= 0);
        return created !== undefined && onDescriptor(calls, created).some((c) => c.name === 'fsync' && c.result === '0' && c.end < before);
      };

      const moved: string[] = [];
      for (const rename of calls.filter((c) => c.name.startsWith('rename') && c.result === '0')) {
        const [from, to] = quoted(rename) as [string, string];
        if (!isTempName(basename(from)) || !to.startsWith(`${sessions}/`)) continue;
        // The write this move belongs to is the first acknowledged after it.
        const ack = acks.find((c) => c.start > rename.end);
        if (!ack) throw new Error(`${to}: moved after the last acknowledgement`);
        const inside = (c: Call) => (c.name === 'mkdir' || c.args.includes('O_CREAT')) && quoted(c)[0]?.startsWith(`${from}/`);
        const made = calls.filter((c) => inside(c) && c.result !== '' && !c.result.startsWith('-1'));
        if (made.length === 0) {
          // A file replaced atomically: its data on disk before the rename.
          expect(fileSynced(from, rename.start), `${to}: fsync of the temp before its rename`).toBe(true);
        } else {
          // A staged session folder: each file in it on disk, and each folder once its last entry was made, before the move.
          for (const c of made.filter((c) => c.name === 'openat')) {
            expect(fileSynced(quoted(c)[0] as string, rename.start), `${quoted(c)[0]}: fsync before the move`).toBe(true);
          }
          for (const folder of new Set([from, ...made.map((c) => dirname(quoted(c)[0] as string))])) {
            const last = Math.max(...made.filter((c) => dirname(quoted(c)[0] as string) === folder).map((c) => c.end));
            expect(folderSynced(folder, last, rename.start), `${folder}: fsync after its last entry, before the move`).toBe(true);
          }
        }
        expect(folderSynced(dirname(to), rename.end, ack.start), `${to}: its folder fsynced after the move, before the ack`).toBe(true);
        moved.push(
          `${quoted(ack)[0]?.split(' ')[1]} ${to
            .slice(sessions.length + 1)
            .replace(/ses_\w+/g, 'S')
            .replace(/msg_\w+/g, 'M')}`,
        );
      }
      // What was checked: the create's folder, each append's message and info.json, the fork's folder with its messages.
      expect(moved.sort()).toEqual(
        ['create S', 'fork S', ...['S/info.json', 'S/messages/M.json'].flatMap((file) => Array(3).fill(`append ${file}`))].sort(),
      );
      const fork = /ack fork (\S+)/.exec(run.stdout)?.[1] as string;
      expect((await archive.messages.list(fork)).map((m) => m.parts[0])).toMatchObject([
        { text: 'traced-0' },
        { text: 'traced-1' },
        { text: 'traced-2' },
      ]);
    },
  );
});
