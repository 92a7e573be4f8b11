import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sarc } from './helpers.js';

const { STORED_ANSWERS, storedAnswer } = createRequire(import.meta.url)('../../bin/stored-answers.cjs') as {
  STORED_ANSWERS: string;
  storedAnswer: (args: string[], dir: string) => string | undefined;
};

// The bundled CLI answers --help and --version from texts the build stored
// (scripts/bundle-cli.mjs); `sarc help [command]` goes through the program
// itself. The two must print the same.
describe('stored help texts', () => {
  it('print what the program prints, for the program and every command tried', async () => {
    for (const words of [[], ['list'], ['search'], ['opencode', 'install'], ['serve'], ['index', 'rebuild']]) {
      const stored = await sarc([...words, '--help']);
      // `sarc help list`, `sarc opencode help install`.
      const live = await sarc([...words.slice(0, -1), 'help', ...words.slice(-1)]);
      expect(stored.code, words.join(' ')).toBe(0);
      expect(live.code, words.join(' ')).toBe(0);
      expect(stored.stdout.length, words.join(' ')).toBeGreaterThan(100);
      expect(stored.stdout, words.join(' ')).toBe(live.stdout);
    }
    expect((await sarc(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('answer only a help or version question asked alone', async () => {
    const dir = import.meta.dirname;
    // No stored file here: every question goes to the program.
    expect(storedAnswer(['--help'], dir)).toBeUndefined();
    // The build's: a help question alone is answered from it, anything else is not.
    const built = join(process.env.SARC_TEST_BUILD ?? '', 'dist', 'sarc');
    expect(existsSync(join(built, STORED_ANSWERS)), 'the tests run the bundled CLI').toBe(true);
    expect(storedAnswer(['list', '--help'], built)).toBe((await sarc(['help', 'list'])).stdout);
    expect(storedAnswer(['-V'], built)).toBe((await sarc(['--version'])).stdout);
    for (const args of [['list'], ['--json', 'list', '--help'], ['list', '--all', '--help'], ['nosuch', '--help'], ['--version', 'list']])
      expect(storedAnswer(args, built), args.join(' ')).toBeUndefined();
    // With options before it, --help is the program's to answer (they may change nothing, but it parses them).
    const withOption = await sarc(['--json', 'list', '--help']);
    expect(withOption.code).toBe(0);
    expect(withOption.stdout).toBe((await sarc(['help', 'list'])).stdout);
    // A word that is no command: the program answers as it always did (its own help).
    const unknown = await sarc(['nosuch', '--help']);
    expect(unknown.code).toBe(0);
    expect(unknown.stdout).toBe((await sarc(['help'])).stdout);
  });
});
