import { structuredPatch } from 'diff';
import { shortPath } from '../format-paths.js';
import type { Part } from '../model/part.js';

type ToolPart = Extract<Part, { type: 'tool' }>;

/** What a person wants to know about a tool call at a glance, and what it changed. */
export interface ToolSummary {
  tool: string;
  /** The one thing the call is about: the command, the file (relative to the session's folder), the pattern, the URL… */
  argument: string;
  status: string;
  /** How long it ran, when its times say. */
  ms?: number;
  /** What an edit changed, as a unified diff (from its metadata, a patch in its input, or old → new text). */
  diff?: string;
  /** The file it reads or writes, when it names one. */
  path?: string;
  /** What it writes into the file, when it writes one whole. */
  content?: string;
  /** A shell command it runs. */
  command?: string;
  /** Its input without the fields shown otherwise (the diff's texts, the content). */
  input: Record<string, unknown>;
  /** Its output, or its error. */
  output: string;
  /** It failed (its status is "error", as the usage figures count it). */
  failed: boolean;
}

/** A tool call failed: its status is "error" (an agent that marks a command exiting non-zero as failed says so there). */
export function toolFailed(p: ToolPart): boolean {
  return p.state.status === 'error';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The diff of an edit (old text → new text), three lines of context, hunks only. */
export function diffOf(before: string, after: string): string {
  // A snippet's last line has no newline of its own: one ending the same way in both is the same line ("one" in "one\ntwo" → "one").
  const end = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);
  const patch = structuredPatch('', '', end(before), end(after), '', '', { context: 3 });
  // An edit replaces a snippet, not a file: "\\ No newline at end of file" would only be noise.
  return patch.hunks
    .map((h) =>
      [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines.filter((l) => !l.startsWith('\\'))].join('\n'),
    )
    .join('\n');
}

const SHOWN_ELSEWHERE = ['oldString', 'newString', 'old_string', 'new_string', 'content'];

/** A tool call summed up (OpenCode's tools and Claude Code's and Codex's names and fields alike). */
export function toolSummary(p: ToolPart, directory?: string): ToolSummary {
  const state = p.state as Record<string, unknown> & { status: string };
  const input = (state.input && typeof state.input === 'object' ? state.input : {}) as Record<string, unknown>;
  const metadata = (state.metadata && typeof state.metadata === 'object' ? state.metadata : {}) as Record<string, unknown>;
  const time = state.time as { start?: number; end?: number } | undefined;
  const path = str(input.filePath) ?? str(input.file_path) ?? str(input.path) ?? str(input.notebook_path);
  const command = str(input.command) ?? (Array.isArray(input.command) ? input.command.join(' ') : undefined) ?? str(input.cmd);
  const byTool: Record<string, string | undefined> = {
    bash: command,
    shell: command,
    grep: str(input.pattern),
    glob: str(input.pattern),
    webfetch: str(input.url),
    websearch: str(input.query),
    task: str(input.description),
    todowrite: Array.isArray(input.todos) ? `${input.todos.length} todos` : undefined,
  };
  const found =
    byTool[p.tool.toLowerCase()] ??
    (path ? shortPath(path, directory) : undefined) ??
    command ??
    Object.values(input).map(str).find(Boolean) ??
    '';
  const line = found.split('\n')[0] as string;
  const given = str(metadata.diff) ?? str(input.patch) ?? str(input.patchText);
  const before = input.oldString ?? input.old_string;
  const after = input.newString ?? input.new_string;
  const hasLines = given?.includes('@@') === true && /^[+-](?![+-]{2} )/m.test(given);
  const diff = hasLines ? given : typeof before === 'string' && typeof after === 'string' ? diffOf(before, after) : undefined;
  return {
    tool: p.tool,
    argument: line.length > 120 ? `${line.slice(0, 119)}…` : line,
    status: state.status,
    ...(time?.start !== undefined && time.end !== undefined ? { ms: time.end - time.start } : {}),
    ...(diff !== undefined ? { diff } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(str(input.content) !== undefined ? { content: input.content as string } : {}),
    ...(command !== undefined ? { command } : {}),
    input: Object.fromEntries(
      Object.entries(input).filter(([k]) => !SHOWN_ELSEWHERE.includes(k) && !(diff !== undefined && (k === 'patch' || k === 'patchText'))),
    ),
    output: state.status === 'completed' ? String(state.output ?? '') : state.status === 'error' ? String(state.error ?? '') : '',
    failed: toolFailed(p),
  };
}
