import type { Command, Option } from 'commander';
import { UsageError } from './output.js';

// Shell completion scripts, written from the program itself: every command,
// alias, sub-command and option `sarc` has is completed, and a new one needs
// no edit here. Option values that name folders or files complete as paths.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Level {
  /** The command path below `sarc` (empty for the top), by canonical names. */
  path: string[];
  /** Every name that leads to this level from its parent (name and aliases). */
  names: string[];
  description: string;
  options: Option[];
  children: Level[];
}

function levelOf(command: Command, path: string[]): Level {
  const visible = command.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  return {
    path,
    names: [command.name(), ...command.aliases()],
    description: command.description(),
    options: command.options.filter((o) => !o.hidden),
    children: visible.map((c) => levelOf(c, [...path, c.name()])),
  };
}

function flatten(level: Level): Level[] {
  return [level, ...level.children.flatMap(flatten)];
}

function flagsOf(option: Option): string[] {
  return [option.short, option.long].filter((f): f is string => f !== undefined);
}

/** Options that take a value: their value completes as a path (folders and files are what most of them name). */
function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(root: Level, program: string): string {
  const levels = flatten(root);
  // Global options work after a command too; --version only on its own.
  const globals = root.options.filter((o) => o.long !== '--version').flatMap(flagsOf);
  const caseOf = (level: Level) => {
    // Every spelling of the path (aliases included) selects this level.
    let spellings = [''];
    let at: Level = root;
    for (const name of level.path) {
      const child = at.children.find((c) => c.names[0] === name) as Level;
      spellings = spellings.flatMap((prefix) => child.names.map((n) => (prefix ? `${prefix} ${n}` : n)));
      at = child;
    }
    const words = [
      ...level.children.flatMap((c) => c.names),
      ...level.options.flatMap(flagsOf),
      ...(level === root ? [] : globals),
      '--help',
    ];
    return `    ${spellings.map((s) => shQuote(s)).join('|')}) echo ${shQuote(words.join(' '))} ;;`;
  };
  const valued = [...new Set(levels.flatMap((l) => l.options.filter(takesValue).flatMap(flagsOf)))];
  const subs = (level: Level) => level.children.flatMap((c) => c.names);
  return `# ${program} completion for bash (and zsh through bashcompinit): eval "$(${program} completion bash)"
_${program}_words() {
  case "$1" in
${levels.map(caseOf).join('\n')}
  esac
}
_${program}_subs() {
  case "$1" in
${levels
  .filter((l) => l.children.length > 0)
  .map((l) => `    ${shQuote(l.path.join(' '))}) echo ${shQuote(subs(l).join(' '))} ;;`)
  .join('\n')}
  esac
}
_${program}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" i w
  [ "$COMP_CWORD" -gt 0 ] && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    case " $(_${program}_subs "$path") " in *" $w "*) path="\${path:+$path }$w" ;; esac
  done
  case "$prev" in
    ${valued.map(shQuote).join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
  esac
  COMPREPLY=($(compgen -W "$(_${program}_words "$path")" -- "$cur"))
}
complete -o default -F _${program} ${program}
`;
}

function zsh(root: Level, program: string): string {
  return `# ${program} completion for zsh: eval "$(${program} completion zsh)" in ~/.zshrc (after compinit)
autoload -U +X bashcompinit && bashcompinit
${bash(root, program).split('\n').slice(1).join('\n')}`;
}

function fish(root: Level, program: string): string {
  const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = [
    `# ${program} completion for fish: ${program} completion fish | source (or save it in ~/.config/fish/completions/${program}.fish)`,
  ];
  lines.push(`complete -c ${program} -f`);
  for (const level of flatten(root)) {
    // This level is reached when its own names were typed and none of its children's yet.
    const seen = level.path.length ? `__fish_seen_subcommand_from ${levelNames(root, level).join(' ')}` : '__fish_use_subcommand';
    const notChild = level.children.length
      ? `; and not __fish_seen_subcommand_from ${level.children.flatMap((c) => c.names).join(' ')}`
      : '';
    const condition = level.path.length ? `${seen}${notChild}` : '__fish_use_subcommand';
    for (const child of level.children) {
      for (const name of child.names) lines.push(`complete -c ${program} -n ${fq(condition)} -a ${fq(name)} -d ${fq(child.description)}`);
    }
    for (const option of level.options) {
      const flags = [option.short ? `-s ${option.short.slice(1)}` : '', option.long ? `-l ${option.long.slice(2)}` : '']
        .filter(Boolean)
        .join(' ');
      const value = takesValue(option) ? ' -r -F' : '';
      const where = level.path.length ? ` -n ${fq(`${seen}${notChild}`)}` : '';
      lines.push(`complete -c ${program}${where} ${flags}${value} -d ${fq(option.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Every name (with aliases) of the last command of a level's path. */
function levelNames(root: Level, level: Level): string[] {
  let at = root;
  for (const name of level.path) at = at.children.find((c) => c.names[0] === name) as Level;
  return at.names;
}

/** The completion script of `program` for a shell. */
export function completionScript(program: Command, shell: string): string {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(`unknown shell ${JSON.stringify(shell)}: expected ${SHELLS.join(', ')}`);
  }
  const root = levelOf(program, []);
  const name = program.name();
  return shell === 'bash' ? bash(root, name) : shell === 'zsh' ? zsh(root, name) : fish(root, name);
}

/** `sarc completion bash|zsh|fish`: registered last, so it sees every command (serve included). */
export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .argument('<shell>', `the shell: ${SHELLS.join(', ')}`)
    .description('print a shell completion script for commands, sub-commands and options')
    .addHelpText(
      'after',
      `
Install:
  bash  echo 'eval "$(sarc completion bash)"' >> ~/.bashrc
  zsh   echo 'eval "$(sarc completion zsh)"' >> ~/.zshrc      (after compinit)
  fish  sarc completion fish > ~/.config/fish/completions/sarc.fish

Example:
  sarc completion bash > /etc/bash_completion.d/sarc`,
    )
    .action((shell: string) => {
      process.stdout.write(completionScript(program, shell));
    });
}
