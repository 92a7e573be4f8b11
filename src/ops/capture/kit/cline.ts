import { existsSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { MessageWithParts } from '../../../model/message.js';
import type { CaptureItem, ReadStats } from '../contract.js';
import { assistantBlocks, blocksOf, userBlocks } from './anthropic.js';
import { SessionBuilder } from './builder.js';
import { readJsonDocument } from './files.js';
import { derivedId } from './ids.js';
import type { JsonRecord } from './jsonl.js';
import { isRecord, num, str, tokensOf } from './text.js';

// Cline and its forks (Roo Code, Kilo Code) keep a task as a folder in the
// editor's extension storage, .../globalStorage/<extension>/tasks/<task id>/
// (the ID is the start time in ms, or a ULID): api_conversation_history.json
// (the conversation as sent to the model: Anthropic-style messages),
// ui_messages.json (what the panel showed, with times, and per request its
// tokens and cost) and task_metadata.json (models used, files, environment).
// Each file is rewritten whole, so each is read whole.

/** The files of a task folder this reader takes. */
export const CLINE_FILES = ['api_conversation_history.json', 'ui_messages.json', 'task_metadata.json'];

export interface ClineTask {
  /** The agent (`cline`, `roo-code`, `kilo-code`). */
  agent: string;
  /** The envelope's key under `metadata`. */
  envelope: string;
}

/** The archive ID of a task of a Cline-family agent. */
export function clineSessionId(agent: string, taskId: string): string {
  return derivedId('session', undefined, `${agent}:${taskId}`);
}

/** The environment details Cline adds to a user message. */
const ENVIRONMENT = /^\s*<environment_details>/;

/** A task's first words: inside `<task>…</task>` when Cline wrapped them. */
function taskText(text: string): string {
  return /<task>\s*([\s\S]*?)\s*<\/task>/.exec(text)?.[1] ?? text;
}

/** The working folder Cline states in the environment details it adds to a user message. */
function workingFolder(text: string): string | undefined {
  return /Current Working Directory \(([^)\n]+)\)/.exec(text)?.[1];
}

/** Reads one task folder (its files, as the store listed them) as capture items. */
export async function* readClineTask(files: string[], stats: ReadStats, o: ClineTask): AsyncGenerator<CaptureItem> {
  const path = (name: string) => files.find((f) => basename(f) === name);
  const historyFile = path('api_conversation_history.json');
  if (!historyFile) return;
  const taskId = basename(dirname(historyFile));
  const read = async (name: string) => {
    const p = path(name);
    return p ? await readJsonDocument(p, stats) : undefined;
  };
  // A document is an array: readJsonDocument takes objects, so arrays come wrapped by their file.
  const history = await readArray(historyFile, stats);
  if (!history) return;
  const ui = (await readArray(path('ui_messages.json'), stats)) ?? [];
  const meta = await read('task_metadata.json');
  const b = new SessionBuilder({
    agent: o.agent,
    envelope: o.envelope,
    id: clineSessionId(o.agent, taskId),
    sourceID: taskId,
    where: dirname(historyFile),
    providerID: 'anthropic',
  });
  // Times: a panel message names the last conversation entry there was when it was shown, so the entry
  // after it came no sooner than the last of them (and once that entry exists, that set is complete).
  const after = new Map<number, number>();
  const requests: JsonRecord[] = [];
  for (const m of ui.filter(isRecord)) {
    const ts = num(m.ts);
    const index = m.conversationHistoryIndex;
    if (ts && typeof index === 'number') after.set(index, Math.max(after.get(index) ?? 0, ts));
    if (m.say === 'api_req_started' && typeof m.text === 'string') {
      try {
        const r = JSON.parse(m.text) as unknown;
        if (isRecord(r)) requests.push(r);
      } catch {
        stats.skipped.push({ reason: 'api_req_started that is not JSON' });
      }
    }
  }
  const usage = Array.isArray(meta?.model_usage) ? meta.model_usage.filter(isRecord) : [];
  const firstModel = usage[0];
  if (firstModel && typeof firstModel.model_id === 'string') b.model = firstModel.model_id;
  const environment = Array.isArray(meta?.environment_history) ? meta.environment_history.filter(isRecord) : [];
  const version = environment.map((e) => str(e.cline_version) ?? str(e.extension_version)).find(Boolean);
  if (version) b.version = version;
  const start = /^\d{12,14}$/.test(taskId) ? Number(taskId) : undefined;
  const base =
    start ??
    (ui
      .filter(isRecord)
      .map((m) => num(m.ts))
      .find((t) => t > 0) ||
      0);
  /** Gives a message its time (its ID carries its place). */
  const timed = (m: MessageWithParts, time: number) => {
    m.info.time.created = time;
    if (m.info.role === 'assistant') m.info.time.completed = time;
  };
  let answers = 0;
  for (const [i, raw] of history.entries()) {
    if (!isRecord(raw)) continue;
    stats.records++;
    const time = b.time(num(raw.ts) || after.get(i - 1) || (i === 0 ? start : undefined));
    b.saw(time);
    // IDs from the entry's place, not its time: a time read from the panel's file may come later than the entry.
    const at = base + i;
    const key = `${i}`;
    const blocks = blocksOf(raw.content);
    const place = { at, time, key, stats };
    if (raw.role === 'assistant') {
      const m = b.assistant({ key, time: at });
      timed(m, time);
      const request = requests[answers++];
      if (request) {
        const info = m.info as MessageWithParts['info'] & { role: 'assistant' };
        info.tokens = tokensOf({
          input: request.tokensIn,
          output: request.tokensOut,
          cacheRead: request.cacheReads,
          cacheWrite: request.cacheWrites,
        });
        if (typeof request.cost === 'number') info.cost = request.cost;
      }
      assistantBlocks(b, m, blocks, place);
      continue;
    }
    const first = blocks.find((x) => x.type === 'text' && typeof x.text === 'string' && !ENVIRONMENT.test(x.text));
    if (first) b.title('prompt', taskText(first.text as string), { first: true });
    userBlocks(b, blocks, place, {
      // The environment details Cline adds to each message are its words, not the person's.
      text: (text) => {
        const context = ENVIRONMENT.test(text);
        if (context) b.directory ??= workingFolder(text);
        return { synthetic: context };
      },
    });
  }
  if (usage.length) b.extra.models = usage.map((u) => str(u.model_id)).filter((x, k, all) => x && all.indexOf(x) === k);
  const inContext = Array.isArray(meta?.files_in_context) ? meta.files_in_context.length : 0;
  if (inContext) b.extra.filesInContext = inContext;
  yield* b.finish(stats);
}

/** A JSON file holding an array (Cline's message files), whole; `undefined` when absent or not an array. */
async function readArray(path: string | undefined, stats: ReadStats): Promise<unknown[] | undefined> {
  if (!path) return undefined;
  const s = await lstat(path);
  if (!s.isFile() || s.size > 256 * 1024 * 1024) {
    stats.skipped.push({ reason: `${basename(path)}: not a regular file, or over 256 MiB` });
    return undefined;
  }
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    // Being rewritten: the next change reads it again.
    stats.pending++;
    return undefined;
  }
}

/** Where VS Code-family editors keep an extension's storage, on Linux, macOS and Windows, for each editor. */
export function editorStorages(home: string, extension: string): string[] {
  const bases = [
    join(home, '.config'),
    join(home, 'Library', 'Application Support'),
    process.env.APPDATA ?? join(home, 'AppData', 'Roaming'),
    join(home, '.vscode-server', 'data'),
  ];
  const editors = ['Code', 'Code - Insiders', 'VSCodium', 'Cursor', 'Windsurf'];
  return bases.flatMap((base) =>
    base.endsWith('data')
      ? [join(base, 'User', 'globalStorage', extension)]
      : editors.map((e) => join(base, e, 'User', 'globalStorage', extension)),
  );
}

/** The first of the places that exists, else the first. */
export function firstExisting(paths: string[]): string {
  return paths.find((p) => existsSync(p)) ?? (paths[0] as string);
}
