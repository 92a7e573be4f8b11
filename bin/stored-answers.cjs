'use strict';
// The help and version texts the build stores beside the bundled CLI
// (scripts/bundle-cli.mjs writes dist/sarc/answers.json): `sarc --help`,
// `sarc list --help`, `sarc --version` print one without loading the program.
// Plain CommonJS, read synchronously: such an answer costs about what Node's
// own start does.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** The file's name, in the bundled CLI's folder. */
const STORED_ANSWERS = 'answers.json';
/** The width the stored help is laid out for (src/cli/help-texts.ts lays the program's out so too). */
const HELP_WIDTH = 80;

/**
 * The stored text that answers `args` — `--help`/`-h` after nothing but
 * command words, or `--version`/`-V` alone — or undefined: no such file (a
 * checkout), another question, a command it does not know, or a terminal
 * narrower than the stored layout (the program lays its help out for it).
 */
function storedAnswer(args, dir) {
  const last = args[args.length - 1];
  let key;
  if (args.length === 1 && (last === '--version' || last === '-V')) key = '--version';
  else if ((last === '--help' || last === '-h') && args.slice(0, -1).every((a) => /^[a-z][a-z0-9-]*$/.test(a)))
    key = args.slice(0, -1).join(' ');
  else return undefined;
  if (process.stdout.isTTY && (process.stdout.columns || HELP_WIDTH) < HELP_WIDTH) return undefined;
  let stored;
  try {
    stored = JSON.parse(readFileSync(join(dir, STORED_ANSWERS), 'utf8'));
  } catch {
    return undefined;
  }
  const text = stored && typeof stored === 'object' && Object.hasOwn(stored, key) ? stored[key] : undefined;
  return typeof text === 'string' ? text : undefined;
}

module.exports = { STORED_ANSWERS, HELP_WIDTH, storedAnswer };
