import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { expandHome, isArchiveError, isId } from '../../basics.js';
import type { Archive, StrayFile } from '../../index.js';
import type { CliContext } from '../context.js';
import { lib } from '../lib.js';
import { colors, emit } from '../output.js';
import { progress } from '../progress.js';
import type { Runner } from '../runner.js';
import { addSamples } from '../samples.js';

/** One finding: a file that is not what the archive expects. */
export interface Problem {
  kind: 'corrupt' | 'unsafe' | 'missing-info' | 'stray' | 'stale-lock' | 'stale-schema';
  path: string;
  message: string;
  /** For strays: conflict, temp, swap or unknown. */
  stray?: StrayFile['kind'];
}

/** A lock older than this is left by a dead writer (proper-lockfile's default staleness). */
const STALE_LOCK_MS = 10_000;

async function names(folder: string): Promise<string[]> {
  return readdir(folder).catch(() => [] as string[]);
}

async function check(archive: Archive, ctx: CliContext): Promise<Problem[]> {
  const problems: Problem[] = [];
  const note = (error: unknown) => {
    if (isArchiveError(error, 'UNSAFE_PATH')) {
      // Reported once per link (a linked session folder fails every read below it).
      if (!problems.some((p) => p.path === error.path)) problems.push({ kind: 'unsafe', path: error.path ?? '', message: error.message });
      return;
    }
    if (!isArchiveError(error, 'CORRUPT')) throw error;
    problems.push({ kind: 'corrupt', path: error.path ?? '', message: error.message });
  };
  const ids = await archive.sessions.ids();
  const bar = progress(ctx.options, ids.length, 'checking');
  try {
    for (const id of ids) {
      bar.tick(id);
      try {
        await archive.sessions.get(id);
      } catch (error) {
        if (isArchiveError(error, 'NOT_FOUND')) {
          problems.push({
            kind: 'missing-info',
            path: join(archive.dir, 'sessions', id),
            message: `${id}: session folder without info.json`,
          });
          continue;
        }
        note(error);
        continue;
      }
      await archive.todos.get(id).catch(note);
      const mids = await archive.messages.ids(id).catch((error: unknown) => {
        note(error);
        return [] as string[];
      });
      for (const mid of mids) await archive.messages.get(id, mid).catch(note);
    }
  } finally {
    bar.stop();
  }
  for (const name of await names(join(archive.dir, 'projects'))) {
    if (name.endsWith('.json') && /^[0-9A-Za-z_-]{1,128}$/.test(name.slice(0, -5)))
      await archive.projects.get(name.slice(0, -5)).catch(note);
  }
  for (const s of await (await ctx.index()).scanStrays()) {
    if (s.kind === 'link') continue; // reported above as unsafe, and never quarantined
    problems.push({
      kind: 'stray',
      stray: s.kind,
      path: join(archive.dir, s.path),
      message: `${s.path}: ${s.kind === 'conflict' ? 'conflict copy (`sarc resolve` merges it into its original)' : s.kind === 'temp' ? 'half-written temp file' : s.kind === 'swap' ? 'editor swap file' : 'not an archive file'}`,
    });
  }
  for (const path of await (await lib()).staleSchemaFiles(archive.dir)) {
    problems.push({
      kind: 'stale-schema',
      path,
      message: `${path}: schema file missing or from another version (editors check hand edits with it; --fix writes it)`,
    });
  }
  const locks = join(archive.stateDir, 'locks');
  for (const name of await names(locks)) {
    const info = await stat(join(locks, name)).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS && isId('session', name.replace(/\.lock(\.want|\.owner)?$/, ''))) {
      problems.push({
        kind: 'stale-lock',
        path: join(locks, name),
        message: `${name}: lock left by a writer that is gone (${Math.round((Date.now() - info.mtimeMs) / 1000)} s old)`,
      });
    }
  }
  return problems;
}

/** Moves strays into `<state>/quarantine/<time>/` (keeping their paths) and removes stale locks. Never touches data. */
async function fix(archive: Archive, problems: Problem[]): Promise<Problem[]> {
  const { quarantine, quarantineFolder, writeSchemaFiles } = await lib();
  const folder = quarantineFolder(archive);
  const fixed: Problem[] = [];
  if (problems.some((p) => p.kind === 'stale-schema')) {
    const written = await writeSchemaFiles(archive.dir);
    for (const p of problems)
      if (p.kind === 'stale-schema' && written.includes(p.path)) fixed.push({ ...p, message: `${p.path} → written` });
  }
  for (const p of problems) {
    if (p.kind === 'stray') {
      const target = await quarantine(archive, folder, p.path);
      fixed.push({ ...p, message: `${p.message} → moved to ${target}` });
    } else if (p.kind === 'stale-lock') {
      await rm(p.path, { recursive: true, force: true });
      fixed.push({ ...p, message: `${p.message} → removed` });
    }
  }
  return fixed;
}

/** Commands on the archive as a whole: make one, check it. */
export function registerArchiveCommands(program: Command, run: Runner): void {
  program
    .command('init [dir]')
    .description(
      'make a folder an archive (archive.json, .gitignore, sessions/, projects/, schema/); safe to repeat. Without a folder: ./.sessions',
    )
    .option('--vscode', "add the schema mappings to .vscode/settings.json even outside a git repository (the archive's own)")
    .option('--no-vscode', 'do not add the schema mappings to .vscode/settings.json')
    .option('--samples', 'also copy in the four sample sessions, to try things on (those already there are left)')
    .addHelpText(
      'after',
      `
The archive carries its JSON Schema files (schema/), and init maps them in the
.vscode/settings.json of the folder you open when the archive is in a git
repository: the repository's root (a .sessions/ inside a project, or an
archive that is a repository itself). Outside one (a data folder such as
~/.local/share/session-archive) it writes no editor settings unless --vscode.
What that file holds is kept; mappings already there are left alone.

Examples:
  sarc init                      ./.sessions, found from here and below by every command
  sarc init ~/notes/sessions
  sarc init ~/try --samples      with the sample sessions to try commands on`,
    )
    .action(
      run(async (ctx, dir: string | undefined, opts: { vscode?: boolean; samples?: boolean }) => {
        const { addEditorSchemas, editorWorkspace, initArchive, openArchive, repositoryOf, schemaFolder } = await lib();
        const path = await initArchive(resolve(expandHome(dir ?? ctx.options.archive ?? '.sessions')));
        // In a repository: its root's settings. Outside one, only when asked: a data folder is nobody's workspace.
        const workspace = opts.vscode === false ? undefined : opts.vscode ? await editorWorkspace(path) : await repositoryOf(path);
        const editor = workspace ? await addEditorSchemas(path, workspace) : undefined;
        const samples = opts.samples ? await addSamples(await openArchive({ dir: path })) : undefined;
        emit(
          ctx.options,
          { archive: path, schema: schemaFolder(path), ...(editor ? { editor } : {}), ...(samples ? { samples } : {}) },
          () => {
            const lines = [`archive ready at ${path}`];
            if (samples) lines.push(`${samples.length} sample session${samples.length === 1 ? '' : 's'} copied in`);
            if (editor?.skipped) lines.push(colors().yellow(editor.skipped));
            else if (editor?.added) lines.push(`VS Code: ${editor.added} schema mappings added to ${editor.path}`);
            else if (!editor && opts.vscode === undefined)
              lines.push(
                colors().dim(
                  'not in a git repository: no .vscode/settings.json written (--vscode writes the schema mappings into the archive)',
                ),
              );
            return lines.join('\n');
          },
        );
      }),
    );

  program
    .command('doctor')
    .description('check every file: broken JSON or schema, sync conflict copies, temp files, stale locks')
    .option(
      '--fix',
      'move conflict copies and temp files into a quarantine folder in the state dir, remove stale locks (session data is never touched)',
    )
    .addHelpText('after', '\nExamples:\n  sarc doctor\n  sarc doctor --fix --json')
    .action(
      run(async (ctx, opts: { fix?: boolean }) => {
        const archive = await ctx.archive();
        const problems = await check(archive, ctx);
        // The redaction settings are a data file of the archive too: one that cannot be read is a problem, and stops every sync.
        const library = await lib();
        const settings = await library.readRedaction(archive).catch((error: unknown) => {
          if (!isArchiveError(error, 'CORRUPT') && !isArchiveError(error, 'UNSAFE_PATH')) throw error;
          problems.push({ kind: error.code === 'CORRUPT' ? 'corrupt' : 'unsafe', path: error.path ?? '', message: error.message });
          return null;
        });
        const fixed = opts.fix ? await fix(archive, problems) : [];
        const left = problems.filter((p) => !fixed.some((f) => f.path === p.path));
        const c = colors();
        // Whether sessions coming in are redacted, and with which rules (read only: doctor writes no settings; null: unreadable).
        const redaction = {
          enabled: settings?.enabled ?? true,
          readable: settings !== null,
          rules: library.RULES_VERSION,
          allowedValues: settings?.allow.values.length ?? 0,
          allowedPatterns: settings?.allow.patterns.length ?? 0,
        };
        const search = library.searchEngineLine();
        emit(ctx.options, { problems: left, fixed, redaction, search: { engine: search.engine ?? null } }, () => {
          const lines = [
            search.engine === undefined ? c.red(search.line) : search.engine === 'wasm' ? c.yellow(search.line) : search.line,
            !redaction.readable
              ? c.red('redaction settings unreadable (below): sessions from agents are not taken in until redaction.json is fixed')
              : redaction.enabled
                ? `redaction on: ${redaction.rules}; ${redaction.allowedValues} allowed value${redaction.allowedValues === 1 ? '' : 's'}, ${redaction.allowedPatterns} allowed pattern${redaction.allowedPatterns === 1 ? '' : 's'} (\`sarc scan\` finds secrets already here)`
                : c.yellow('redaction off: sessions from agents come in with their secrets (`sarc redaction on`)'),
            ...fixed.map((p) => c.green(`fixed  ${p.message}`)),
          ];
          for (const p of left)
            lines.push(
              `${p.kind === 'corrupt' || p.kind === 'unsafe' || p.kind === 'missing-info' ? c.red(p.kind) : c.yellow(p.kind)}  ${p.message}`,
            );
          lines.push(
            left.length
              ? c.dim(
                  `${left.length} problem${left.length === 1 ? '' : 's'}${left.some((p) => p.stray === 'conflict') ? '; `sarc resolve` merges conflict copies into their originals' : ''}${left.some((p) => p.kind === 'stray' || p.kind === 'stale-lock') ? '; `sarc doctor --fix` quarantines strays (without merging) and removes stale locks' : ''}`,
                )
              : 'archive is healthy',
          );
          return lines.join('\n');
        });
        if (left.length || search.engine === undefined) ctx.partly();
      }),
    );
}
