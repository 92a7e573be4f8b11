import type { Command } from 'commander';
import type { ScanFinding } from '../../index.js';
import { lib } from '../lib.js';
import { colors, emit, UsageError } from '../output.js';
import { progress } from '../progress.js';
import type { Runner } from '../runner.js';
import { writeErr } from '../terminal-text.js';

/** Exit code of `sarc scan` when it found a secret (and did not redact it). */
export const EXIT_SECRETS = 1;

function describe(f: ScanFinding): string {
  return `${f.commit ? `${f.commit.slice(0, 12)} ` : ''}${f.file}${f.path ? ` ${f.path}` : ''}: ${f.kind}`;
}

/** Secrets: `sarc scan` (find, --fix, --history, --staged) and `sarc redaction` (on, off, allow). */
export function registerRedactCommands(program: Command, run: Runner): void {
  program
    .command('scan [ids...]')
    .description(
      'find secrets in the archive (every session, or those named): file, field and kind, never the secret; exit 1 when there is one',
    )
    .option('--fix', 'replace each with its marker, in place (atomic writes; the sessions keep their times)')
    .option('--history', "look through the archive's git history instead (every line a commit added)")
    .option('--staged', 'look at the files staged for the next commit instead (what the pre-commit hook of `sarc git-setup` runs)')
    .addHelpText(
      'after',
      `
A secret becomes [REDACTED:<kind>:<hash>], the hash keyed with the archive's own
key (redaction.json), so the same secret gives the same marker everywhere.
A value that is no secret: \`sarc redaction allow VALUE\` (or --pattern RE).

Examples:
  sarc scan
  sarc scan --fix
  sarc scan latest --json
  sarc scan --history`,
    )
    .action(
      run(async (ctx, args: string[], opts: { fix?: boolean; history?: boolean; staged?: boolean }) => {
        if ([opts.fix, opts.history, opts.staged].filter(Boolean).length > 1)
          throw new UsageError('--fix, --history and --staged go one at a time');
        if ((opts.history || opts.staged) && args.length)
          throw new UsageError('--history and --staged look at git, not at sessions: name none');
        const archive = await ctx.archive();
        const library = await lib();
        const c = colors(process.stderr);
        if (opts.history || opts.staged) {
          const findings = opts.history ? await library.scanHistory(archive) : await library.scanStaged(archive);
          emit(ctx.options, { findings }, () =>
            findings.length === 0
              ? opts.history
                ? 'no secret in the history of the archive'
                : 'no secret in the staged files of the archive'
              : [
                  ...findings.map(describe),
                  '',
                  opts.history
                    ? `${findings.length} secret${findings.length === 1 ? '' : 's'} in the history. Rotate them first (they are public if the history was pushed), then rewrite the history without them, e.g. \`git filter-repo --replace-text FILE\` (one secret a line, kept outside the repository) or BFG Repo-Cleaner, and force-push; \`sarc scan --fix\` redacts what is in the archive now.`
                    : `${findings.length} secret${findings.length === 1 ? '' : 's'} staged: commit refused. \`sarc scan --fix\` redacts them in the archive (then stage again); \`sarc redaction allow VALUE\` for one that is no secret.`,
                ].join('\n'),
          );
          if (findings.length) ctx.exitWith(EXIT_SECRETS);
          return;
        }
        const sessions = args.length ? await ctx.sessionIds(args) : undefined;
        const bar = progress(ctx.options, 0, 'scanning');
        let result: Awaited<ReturnType<typeof library.scanArchive>>;
        try {
          result = await library.scanArchive(archive, { sessions, fix: opts.fix, onProgress: (d, t) => bar.update(d, t, 'sessions') });
        } finally {
          bar.stop();
        }
        emit(ctx.options, result, () => {
          const n = result.findings.length;
          const head = `${n} secret${n === 1 ? '' : 's'} in ${result.sessions} session${result.sessions === 1 ? '' : 's'}`;
          if (n === 0) return `no secret in ${result.sessions} session${result.sessions === 1 ? '' : 's'}`;
          return [
            ...result.findings.map(describe),
            '',
            opts.fix
              ? `${head}: redacted (${result.fixed} file${result.fixed === 1 ? '' : 's'} rewritten)`
              : `${head}; \`sarc scan --fix\` replaces them with markers`,
          ].join('\n');
        });
        if (result.findings.length && !opts.fix) ctx.exitWith(EXIT_SECRETS);
        if (result.findings.length && opts.fix && !ctx.options.json && !ctx.options.quiet)
          writeErr(c.yellow('sarc: if this archive was pushed, the secrets are still in its git history: `sarc scan --history`\n'));
      }),
    );

  const redaction = program
    .command('redaction')
    .description("this archive's redaction: whether it is on, its rules, its allowed values (no argument: show them)")
    .addHelpText(
      'after',
      '\nExamples:\n  sarc redaction\n  sarc redaction off\n  sarc redaction allow AKIAIOSFODNN7EXAMPLE\n  sarc redaction allow --pattern "^sk_test_"',
    );
  const show = run(async (ctx) => {
    const archive = await ctx.archive();
    const library = await lib();
    const s = await library.ensureRedaction(archive);
    const status = {
      enabled: s.enabled,
      rules: library.RULES_VERSION,
      allowedValues: s.allow.values.length,
      allowedPatterns: s.allow.patterns,
      file: library.REDACTION_FILE,
    };
    emit(ctx.options, status, () =>
      [
        `redaction ${s.enabled ? 'on' : colors().yellow('off')}: ${s.enabled ? 'secrets in sessions that come in from agents and imports are replaced by markers' : 'sessions come in with their secrets'}`,
        `rules: ${library.RULES_VERSION}`,
        `allowed: ${s.allow.values.length} value${s.allow.values.length === 1 ? '' : 's'}, ${s.allow.patterns.length} pattern${s.allow.patterns.length === 1 ? '' : 's'}${s.allow.patterns.length ? ` (${s.allow.patterns.join(', ')})` : ''}`,
        `settings: ${library.REDACTION_FILE} in the archive (commit it: clones share the key and the allow-list)`,
      ].join('\n'),
    );
  });
  redaction.action(show);
  const toggle = (enabled: boolean) =>
    run(async (ctx) => {
      const archive = await ctx.archive();
      const library = await lib();
      const s = await library.ensureRedaction(archive);
      await library.writeRedaction(archive, { ...s, enabled });
      emit(ctx.options, { enabled }, () =>
        enabled
          ? 'redaction on'
          : 'redaction off: sessions from agents and imports now come in with their secrets (`sarc redaction on` to undo)',
      );
      if (!enabled && !ctx.options.json) writeErr(colors(process.stderr).yellow('sarc: warning: redaction is off for this archive\n'));
    });
  redaction
    .command('on')
    .description('replace secrets with markers as sessions come in (the default)')
    .addHelpText('after', '\nExample:\n  sarc redaction on')
    .action(toggle(true));
  redaction
    .command('off')
    .description('let sessions come in with their secrets (a warning is printed at every sync)')
    .addHelpText('after', '\nExample:\n  sarc redaction off')
    .action(toggle(false));
  redaction
    .command('allow [value]')
    .description(
      'a value (or, with --pattern, a regular expression) that is not a secret; kept in the archive as a keyed hash, never as the value',
    )
    .option('--pattern <re>', 'allow every value matching this regular expression')
    .option('--note <text>', 'why (kept beside it)')
    .addHelpText(
      'after',
      '\nExamples:\n  sarc redaction allow AKIAIOSFODNN7EXAMPLE --note "the AWS docs\' example"\n  sarc redaction allow --pattern "^sk_test_"',
    )
    .action(
      run(async (ctx, value: string | undefined, opts: { pattern?: string; note?: string }) => {
        if (!value === !opts.pattern) throw new UsageError('give a value, or --pattern RE');
        const archive = await ctx.archive();
        const library = await lib();
        const s = await library.ensureRedaction(archive);
        if (opts.pattern) {
          if (!s.allow.patterns.includes(opts.pattern)) s.allow.patterns.push(opts.pattern);
        } else {
          const id = (await (await library.scannerFor(archive)).ready()).valueId(value as string);
          if (!s.allow.values.some((v) => v.id === id)) s.allow.values.push({ id, ...(opts.note ? { note: opts.note } : {}) });
        }
        await library.writeRedaction(archive, s);
        emit(ctx.options, { allowed: opts.pattern ? { pattern: opts.pattern } : { value: 'kept as its keyed hash' } }, () =>
          opts.pattern ? `allowed: values matching ${opts.pattern}` : 'allowed: that value (kept as its keyed hash)',
        );
      }),
    );
}
