import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, tempDir } from '../helpers.js';
import { sarc } from './helpers.js';

/** The completion script for a shell, from the real CLI, saved to a file. */
async function script(shell: string): Promise<string> {
  const run = await sarc(['completion', shell]);
  expect(run.code).toBe(0);
  const file = join(await tempDir(), `sarc.${shell}`);
  await writeFile(file, run.stdout);
  return file;
}

/** A HOME without rc files for the shells (fish writes its own files there), removed after the tests. */
let home = '';
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'sarc-shell-home-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs a shell snippet with a fresh HOME (no user rc files); its stdout. */
function shell(name: string, args: string[], code: string): string {
  const result = spawnSync(name, [...args, code], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home } });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('sarc completion', () => {
  it.skipIf(!hasTool('bash'))(
    'bash: commands, aliases, sub-commands, options of the command typed, and paths for folder options',
    async () => {
      const file = await script('bash');
      const complete = (line: string) => {
        const out = shell(
          'bash',
          ['-c'],
          `source ${file}; read -ra COMP_WORDS <<< ${JSON.stringify(line)}; [[ ${JSON.stringify(line)} == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _sarc; printf '%s\\n' "\${COMPREPLY[@]}"; complete -p sarc`,
        );
        return out.trim().split('\n');
      };
      expect(complete('sarc ind')).toEqual(['index', 'complete -o default -F _sarc sarc']);
      expect(complete('sarc index ')).toEqual(expect.arrayContaining(['rebuild', 'stats', '--json']));
      expect(complete('sarc index ')).not.toContain('init');
      expect(complete('sarc ls --w')[0]).toBe('--workspace');
      expect(complete('sarc migrate --from')).toEqual(expect.arrayContaining(['--from-id', '--from-dir', '--from-project']));
      expect(complete('sarc serve --publ')[0]).toBe('--public-url');
      expect(complete('sarc completion ')).toEqual(expect.arrayContaining(['--help']));
      // A value of --to is a folder: completed from the disk.
      expect(complete('sarc migrate --to /us')[0]).toBe('/usr');
    },
  );

  it.skipIf(!hasTool('zsh'))('zsh: the same completion through bashcompinit, registered for sarc', async () => {
    const file = await script('zsh');
    const out = shell(
      'zsh',
      ['-fc'],
      `autoload -U +X compinit && compinit -u -D; source ${file}; print -r -- \${_comps[sarc]}; COMP_WORDS=(sarc index ""); COMP_CWORD=2; emulate sh -c _sarc; print -r -- "\${COMPREPLY[@]}"`,
    );
    const [registered, words] = out.trim().split('\n');
    expect(registered).toContain('_bash_complete');
    expect(words?.split(' ')).toEqual(expect.arrayContaining(['rebuild', 'stats']));
  });

  it.skipIf(!hasTool('fish'))('fish: commands with their descriptions, then each command’s options', async () => {
    const file = await script('fish');
    const out = shell(
      'fish',
      ['-c'],
      `source ${file}; complete -C 'sarc ind'; echo ---; complete -C 'sarc index '; echo ---; complete -C 'sarc list --w'`,
    );
    const [top, index, list] = out.split('---\n');
    expect(top).toBe('index\tthe index of session summaries (a cache in the state dir)\n');
    expect(index?.split('\n').map((l) => l.split('\t')[0])).toEqual(expect.arrayContaining(['rebuild', 'stats']));
    expect(list).toContain('--workspace\tonly sessions of this workspace (workspaceID)');
  });

  it('refuses an unknown shell', async () => {
    const run = await sarc(['completion', 'tcsh']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown shell "tcsh": expected bash, zsh, fish');
  });
});
