import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { serveCommand } from '../../src/bin/serve-command.js';
import { COMMAND_GROUP_NAMES, COMMAND_GROUPS, commandOf, createProgram } from '../../src/cli/program.js';

// `sarc <command>` builds only the group of that command: the map from command to group must be the groups' own.
describe('the program loads only the group of the command asked for', () => {
  it('the map of commands to groups is what each group registers, aliases included, and covers every command', async () => {
    const registered: Record<string, string> = {};
    for (const group of COMMAND_GROUP_NAMES) {
      const program = await createProgram([], [group]);
      for (const c of program.commands) {
        if (c.name() === 'completion') continue;
        for (const name of [c.name(), ...c.aliases()]) registered[name] = group;
      }
    }
    expect(registered).toEqual(COMMAND_GROUPS);
    // The whole program has nothing more (but completion, help and the commands from outside the CLI).
    const all = await createProgram([serveCommand]);
    const names = all.commands.flatMap((c) => [c.name(), ...c.aliases()]).filter((n) => !['completion', 'serve'].includes(n));
    expect(names.sort()).toEqual(Object.keys(COMMAND_GROUPS).sort());
  });

  it('finds the command past global options and the value of --archive', () => {
    const argv = (...a: string[]) => ['node', 'sarc', ...a];
    expect(commandOf(argv('list', '--all'))).toBe('list');
    expect(commandOf(argv('--json', '--archive', 'list', 'show', 'x'))).toBe('show');
    expect(commandOf(argv('-q', '--utc', 'ls'))).toBe('ls');
    expect(commandOf(argv('--help'))).toBeUndefined();
    expect(commandOf(argv())).toBeUndefined();
  });

  it('a program of one group still has completion and the commands from outside the CLI', async () => {
    const program = await createProgram([serveCommand], ['sessions']);
    const names = program.commands.map((c) => c.name());
    expect(names).toContain('list');
    expect(names).toContain('serve');
    expect(names).toContain('completion');
    expect(names).not.toContain('search');
    expect(program).toBeInstanceOf(Command);
  });
});
