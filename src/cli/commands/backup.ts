import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { EXPORT_FORMATS } from '../../basics.js';
import type { ImportResult, SessionIndex } from '../../index.js';
import { lib } from '../lib.js';
import { emit, UsageError } from '../output.js';
import { progress } from '../progress.js';
import type { Runner } from '../runner.js';
import { writeErr } from '../terminal-text.js';

/** All of stdin, as bytes. */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The sessions and, after each, its child sessions (depth first). */
function withChildren(index: SessionIndex, ids: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (id: string) => {
    if (out.includes(id)) return;
    out.push(id);
    for (const child of index.childIds(id)) visit(child);
  };
  for (const id of ids) visit(id);
  return out;
}

/** Whole sessions out and in: export and import. */
export function registerBackupCommands(program: Command, run: Runner): void {
  program
    .command('export <ids...>')
    .description('write sessions as one JSON document (to stdout, or -o FILE), streamed')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--children', 'include child sessions, recursively')
    .option(
      '--format <format>',
      `archive (ours, with todos), opencode (what \`opencode export\` writes), markdown (for people: a heading per turn, tool calls folded, local times), or an agent's own format for one session: ${EXPORT_FORMATS.map((f) => f.format).join(', ')}`,
      'archive',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  sarc export ses_… --children -o backup.json\n  sarc export ses_… --format opencode > for-opencode.json\n  sarc export ses_… --format opencode2 -o s.json && opencode session import s.json\n  sarc export ses_… --format claude-code -o transcript.jsonl\n  sarc export latest --format markdown -o session.md',
    )
    .action(
      run(async (ctx, args: string[], opts: { output?: string; children?: boolean; format: string }) => {
        const ids = await ctx.sessionIds(args);
        const formats = ['archive', 'opencode', 'markdown', ...EXPORT_FORMATS.map((f) => f.format)];
        if (!formats.includes(opts.format))
          throw new UsageError(`invalid --format ${JSON.stringify(opts.format)}: expected ${formats.join(', ')}`);
        const archive = await ctx.archive();
        if (opts.format === 'markdown') {
          // Several sessions: one document, a rule between them.
          const all = opts.children ? withChildren(await ctx.index(), ids) : ids;
          const text = async function* () {
            for (const [i, id] of all.entries()) {
              if (i) yield '\n---\n\n';
              yield* (await lib()).sessionMarkdown(archive, id, { utc: ctx.options.utc });
            }
          };
          if (opts.output) await pipeline(Readable.from(text()), createWriteStream(opts.output));
          else await pipeline(Readable.from(text()), process.stdout, { end: false });
          if (opts.output && !ctx.options.quiet && !ctx.options.json)
            writeErr(`exported ${all.length} session${all.length === 1 ? '' : 's'} to ${opts.output}\n`);
          else if (opts.output && ctx.options.json) emit(ctx.options, { output: opts.output, sessions: all }, () => '');
          return;
        }
        const agentFormat = EXPORT_FORMATS.find((f) => f.format === opts.format);
        if (agentFormat) {
          if (ids.length !== 1 || opts.children)
            throw new UsageError(`--format ${opts.format} writes one session (a transcript holds one)`);
          const back = (await (await lib()).loadAgent(agentFormat.agent)).exportBack;
          if (!back) throw new UsageError(`--format ${opts.format}: this agent has no export`);
          const lines = back.lines(archive, ids[0] as string);
          if (opts.output) await pipeline(Readable.from(lines), createWriteStream(opts.output));
          else await pipeline(Readable.from(lines), process.stdout, { end: false });
          if (opts.output && !ctx.options.quiet && !ctx.options.json) {
            writeErr(`wrote ${opts.output}; ${await back.hint(archive, ids[0] as string)}\n`);
          }
          return;
        }
        // No bar when the document itself goes to the terminal.
        const bar = progress(opts.output || !process.stdout.isTTY ? ctx.options : { ...ctx.options, quiet: true }, 0, 'exporting');
        const options = {
          children: opts.children,
          format: opts.format as 'archive' | 'opencode',
          onProgress: (done: number, total: number) => bar.update(done, total, 'messages'),
          // The index finds the child sessions without reading every info.json.
          index: opts.children ? await ctx.index() : undefined,
        };
        const { exportSessions, exportToFile } = await lib();
        let written: string[] = ids;
        try {
          if (opts.output) written = await exportToFile(archive, ids, opts.output, options);
          // The document itself is the output, --json or not.
          else await pipeline(Readable.from(exportSessions(archive, ids, options)), process.stdout, { end: false });
        } finally {
          bar.stop();
        }
        if (!opts.output) return;
        if (!ctx.options.json && !ctx.options.quiet)
          writeErr(`exported ${written.length} session${written.length === 1 ? '' : 's'} to ${opts.output}\n`);
        else if (ctx.options.json) emit(ctx.options, { output: opts.output, sessions: written }, () => '');
      }),
    );

  program
    .command('import <files...>')
    .description('import export files (ours or `opencode export`; - reads stdin): as clones with new IDs, or with --keep-ids')
    .option('--keep-ids', 'keep the IDs (fails, writing nothing, if any exists)')
    .option('--no-redact', 'import secrets as they are (default: replaced by markers; see `sarc redaction`)')
    .addHelpText(
      'after',
      '\nExamples:\n  sarc import backup.json\n  sarc import --keep-ids *.json\n  opencode export ses_… | sarc import -',
    )
    .action(
      run(async (ctx, files: string[], opts: { keepIds?: boolean; redact: boolean }) => {
        if (!opts.redact) writeErr('sarc: warning: --no-redact: secrets in these sessions are written as they are\n');
        const archive = await ctx.archive();
        // Sessions of the file at hand; the label names the file (and which of how many).
        const bar = progress(ctx.options, 0, 'importing');
        const { importSessions, parseJsonInput, readImportFile } = await lib();
        const results: Array<ImportResult & { file: string }> = [];
        try {
          for (const [i, file] of files.entries()) {
            const label = files.length > 1 ? `${file} (${i + 1}/${files.length})` : file;
            const onProgress = (done: number, total: number) => bar.update(done, total, label);
            results.push({
              file,
              ...(await importSessions(archive, file === '-' ? parseJsonInput(await readStdin(), 'stdin') : await readImportFile(file), {
                mode: opts.keepIds ? 'keep-ids' : 'clone',
                redact: opts.redact,
                onProgress,
              })),
            });
          }
        } finally {
          bar.stop();
        }
        const secrets = results.reduce((n, r) => n + Object.values(r.redacted).reduce((a, b) => a + b, 0), 0);
        emit(ctx.options, { imported: results }, () =>
          [
            ...results.flatMap((r) => r.sessions.map((s) => (s.from === s.to ? `${s.to}  ${s.title}` : `${s.from} → ${s.to}  ${s.title}`))),
            ...(secrets ? [`${secrets} secret${secrets === 1 ? '' : 's'} replaced by markers`] : []),
          ].join('\n'),
        );
      }),
    );
}
