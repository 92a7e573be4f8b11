import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTempName } from '../../src/store/atomic-write.js';
import { hasTool, ROOT, TSX, tempArchive } from '../helpers.js';

// What a power cut would test, read from the system calls instead: every
// acknowledged append must have made its two files durable before the
// process says so. For each file: the temp file's data fsynced before the
// rename, the rename before an fsync of the folder, and that fsync done
// before the writer reports the append (stdout is a pipe: written at once).
// How the calls overlap is free.

const HAVE_STRACE = hasTool('strace', () => spawnSync('strace', ['-V']).status === 0);

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

describe('durability of an acknowledged append', () => {
  it.skipIf(!HAVE_STRACE)(
    'each file of an append is fsynced, renamed into place and its folder fsynced, all before the append is acknowledged',
    async () => {
      const { archive, dir, stateDir, root } = await tempArchive();
      const s = await archive.sessions.create({ title: 'traced' });
      const log = join(root, 'trace.log');
      const run = spawnSync(
        'strace',
        ['-f', '-qq', '-s', '4096', '-e', 'trace=openat,write,fsync,close,rename,renameat,renameat2', '-o', log, process.execPath].concat([
          '--import',
          TSX,
          join(ROOT, 'test/fixtures/append-worker.ts'),
          dir,
          stateDir,
          s.id,
          '3',
          'traced',
          'ack',
        ]),
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^(ack msg_\w+\n){3}done\n$/);
      const calls = parseTrace(await readFile(log, 'utf8'));
      const acks = calls.filter((c) => c.name === 'write' && firstArg(c) === '1' && quoted(c)[0]?.startsWith('ack '));
      expect(acks).toHaveLength(3);

      const renames = calls.filter((c) => c.name.startsWith('rename') && c.result === '0');
      const checked: string[] = [];
      for (const rename of renames) {
        const [temp, target] = quoted(rename) as [string, string];
        if (!isTempName(basename(temp)) || !target.startsWith(join(dir, 'sessions', s.id))) continue;
        // The temp file: created, its data fsynced before the rename began.
        const created = calls.find((c) => c.name === 'openat' && quoted(c)[0] === temp && fdOf(c) >= 0);
        if (!created) throw new Error(`no open of ${temp}`);
        const synced = onDescriptor(calls, created).find((c) => c.name === 'fsync' && c.result === '0');
        expect(synced && synced.end < rename.start, `${target}: fsync of the temp before its rename`).toBe(true);
        // Its folder: an fsync on a descriptor of the folder that began after the rename returned.
        const folderSync = calls
          .filter((c) => c.name === 'openat' && quoted(c)[0] === dirname(target) && fdOf(c) >= 0)
          .flatMap((open) => onDescriptor(calls, open))
          .find((c) => c.name === 'fsync' && c.result === '0' && c.start > rename.end);
        expect(folderSync, `${target}: fsync of its folder after the rename`).toBeDefined();
        // The append this file belongs to is the first acknowledged after its rename.
        const ack = acks.find((c) => c.start > rename.end) as Call;
        expect((folderSync as Call).end < ack.start, `${target}: durable before its append is acknowledged`).toBe(true);
        if (basename(target).startsWith('msg_')) expect(quoted(ack)[0]).toBe(`ack ${basename(target, '.json')}\\n`);
        checked.push(basename(target));
      }
      // Three appends: three message files, and info.json each time.
      expect(checked.filter((name) => name === 'info.json')).toHaveLength(3);
      expect(checked.filter((name) => name.startsWith('msg_'))).toHaveLength(3);
      expect((await archive.messages.list(s.id)).map((m) => m.parts[0])).toMatchObject([
        { text: 'traced-0' },
        { text: 'traced-1' },
        { text: 'traced-2' },
      ]);
    },
  );
});
