import type { Command } from 'commander';

/** The width help is laid out for: the stored texts' width (bin/stored-answers.cjs), and the program's but in a narrower terminal. */
export const HELP_WIDTH = 80;

/** The width this process lays help out for: {@link HELP_WIDTH}, or a narrower terminal's. */
export function helpWidth(): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  return columns && columns < HELP_WIDTH ? columns : HELP_WIDTH;
}

/**
 * Every help text of a program as `--help` prints it, by its command's words
 * (`""` the program's own, `"opencode install"` a subcommand's), and
 * `--version`'s line: what the build stores beside the bundled CLI. Call it
 * on a program made for it (it redirects the program's output).
 */
export function helpTexts(program: Command): Record<string, string> {
  const texts: Record<string, string> = { '--version': `${program.version()}\n` };
  const walk = (command: Command, words: string[]) => {
    let text = '';
    command.configureOutput({
      writeOut: (s) => {
        text += s;
      },
    });
    command.outputHelp();
    texts[words.join(' ')] = text;
    for (const sub of command.commands) walk(sub, [...words, sub.name()]);
  };
  walk(program, []);
  return texts;
}
