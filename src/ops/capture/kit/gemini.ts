import type { MessageWithParts } from '../../../model/message.js';
import type { CaptureItem, ReadStats } from '../contract.js';
import { SessionBuilder } from './builder.js';
import { readJsonDocument } from './files.js';
import { GeminiContent, INJECTED, responseOutput } from './gemini-content.js';
import { type JsonRecord, readJsonLines } from './jsonl.js';
import { isRecord, num, str, timeOf, tokensOf } from './text.js';

// The message records of Gemini CLI's chat files (`type`
// user/gemini/info/error/warning, tool calls with their results inline),
// which Qwen Code's older files share, read through Gemini's content shape
// (`gemini-content.ts`). Both agents' adapters read through this one converter.

/** The token counts of a Gemini usage record (input without the cached part, as the archive counts it). */
export function geminiTokens(u: Record<string, unknown>) {
  const cached = num(u.cached);
  return tokensOf({ input: Math.max(0, num(u.input) - cached), output: u.output, reasoning: u.thoughts, cacheRead: cached });
}

/**
 * Gemini CLI's message records (its chat files, and Qwen Code's older ones):
 * `{id, timestamp, type: user|gemini|info|error|warning, content, thoughts,
 * tokens, model, toolCalls}`. The same ID may come again (a tool-call message
 * is written before and after its calls ran): the later record replaces the
 * earlier one.
 */
export class GeminiChat {
  readonly content: GeminiContent;
  /** Message IDs seen, so a history re-written by a resume adds only what is new. */
  private readonly seen = new Set<string>();
  /** Message IDs of the files read before this one (a file a resume started repeats them). */
  private readonly earlier = new Set<string>();
  /** The message of the record before, by its record ID (a repeated record rebuilds it). */
  private last?: { id: string; message: MessageWithParts };

  constructor(
    readonly b: SessionBuilder,
    readonly stats: ReadStats,
    private readonly agent: string,
  ) {
    this.content = new GeminiContent(b, stats);
  }

  /** The next file of the same session begins: what came before is history it may repeat. */
  nextFile(): void {
    for (const id of this.seen) this.earlier.add(id);
    this.last = undefined;
  }

  /** One message record; `rewritten` for records of a re-written history (only new IDs count). */
  record(r: Record<string, unknown>, line: number, options: { rewritten?: boolean } = {}): void {
    const b = this.b;
    const id = str(r.id);
    const type = str(r.type);
    if (!id || !type) {
      b.unknown(this.stats, 'record without id or type', r);
      return;
    }
    if ((options.rewritten && this.seen.has(id)) || this.earlier.has(id)) {
      b.skipped('re-written history');
      return;
    }
    const time = b.recordTime(r.timestamp, line, this.stats);
    if (time === undefined) return;
    const repeated = this.seen.has(id);
    this.seen.add(id);
    const parts = typeof r.content === 'string' ? (r.content === '' ? [] : [r.content]) : Array.isArray(r.content) ? r.content : [];
    if (type === 'user') {
      if (GeminiContent.onlyResponses(parts)) {
        this.content.responses(parts, time);
        return;
      }
      if (repeated) {
        b.skipped('repeated user record');
        return;
      }
      const first = parts[0];
      const text = typeof first === 'string' ? first : isRecord(first) && typeof first.text === 'string' ? first.text : '';
      const injected = INJECTED.test(text);
      const m = b.user({ key: id, time, ...(injected ? { synthetic: true, extra: { origin: 'environment' } } : {}) });
      this.content.parts(m, parts, time, id, { synthetic: injected });
      if (!injected) b.title('prompt', text, { first: true });
      else b.directory ??= contextDirectory(text);
      this.last = undefined;
      return;
    }
    if (type === 'gemini' || type === 'model' || type === 'assistant') {
      this.gemini(r, id, time, parts, repeated);
      return;
    }
    if (type === 'info' || type === 'error' || type === 'warning') {
      if (repeated) return;
      const m = b.user({ key: id, time, synthetic: true, extra: { origin: 'system', subtype: type } });
      const text = parts.map((p) => (typeof p === 'string' ? p : isRecord(p) ? (str(p.text) ?? '') : '')).join('\n');
      b.part(m, { id: b.partId(time, `${id}:0`), type: 'text', text: text || type, synthetic: true });
      this.last = undefined;
      return;
    }
    b.unknown(this.stats, `${this.agent} message ${type}`, r);
  }

  /** Ends the session: every message still held, and the final info. */
  finish(): CaptureItem[] {
    return this.b.finish(this.stats);
  }

  private gemini(r: Record<string, unknown>, id: string, time: number, parts: unknown[], repeated: boolean): void {
    const b = this.b;
    // A repeated record (the same answer, now with its tool calls) replaces the message made from the one before.
    let m = repeated && this.last?.id === id && b.current() === this.last.message ? this.last.message : undefined;
    if (m) m.parts.length = 0;
    else m = b.assistant({ key: id, time, ...(str(r.model) ? { modelID: str(r.model) } : {}) });
    this.last = { id, message: m };
    const info = m.info as MessageWithParts['info'] & { role: 'assistant' };
    if (isRecord(r.tokens)) info.tokens = geminiTokens(r.tokens);
    for (const [i, t] of (Array.isArray(r.thoughts) ? r.thoughts.filter(isRecord) : []).entries()) {
      const at = timeOf(t.timestamp) ?? time;
      const subject = str(t.subject);
      const text = [subject ? `**${subject}**` : undefined, str(t.description)].filter(Boolean).join('\n');
      b.part(m, { id: b.partId(time, `${id}:thought:${i}`), type: 'reasoning', text, time: { start: at, end: at } });
    }
    this.content.parts(m, parts, time, id);
    for (const [i, call] of (Array.isArray(r.toolCalls) ? r.toolCalls.filter(isRecord) : []).entries()) {
      const callID = str(call.id) ?? `${id}:call:${i}`;
      const at = timeOf(call.timestamp) ?? time;
      this.content.call(m, { callID, name: str(call.name) ?? 'tool', input: call.args, time, partKey: `${id}:call:${i}` });
      const status = str(call.status);
      const results = Array.isArray(call.result) ? call.result : [];
      if (results.length === 0 && (status === undefined || status === 'executing' || status === 'scheduled')) continue;
      const outputs = results.map((p) =>
        isRecord(p) && isRecord(p.functionResponse) ? responseOutput(p.functionResponse.response) : undefined,
      );
      const display = str(call.resultDisplay);
      const output = outputs.map((o) => o?.output ?? '').join('\n') || display || '';
      const error = status === 'error' || status === 'cancelled' || outputs.some((o) => o?.error);
      const metadata: Record<string, unknown> = {};
      if (status) metadata.status = status;
      if (str(call.description)) metadata.description = call.description;
      if (str(call.displayName)) metadata.displayName = call.displayName;
      this.content.result(callID, { output, error, time: Math.max(at, time), metadata });
      info.time.completed = Math.max(info.time.completed ?? at, at);
    }
  }
}

/** The working folder named in the context Gemini CLI puts first ("Workspace Directories", or older "working in the directory"). */
export function contextDirectory(text: string): string | undefined {
  const m =
    /Workspace Directories:\*{0,2}\s*\n\s*-\s*(\/[^\n]*|[A-Za-z]:\\[^\n]*)/.exec(text) ??
    /working in the directory:?\s*(\S[^\n]*)/i.exec(text);
  return m?.[1]?.trim();
}

export interface GeminiChatFiles {
  /** The agent (`gemini-cli`, `qwen-code`): `metadata.source`. */
  agent: string;
  /** The envelope's key under `metadata`. */
  envelope: string;
  /** The provider for messages that name no other. */
  providerID: string;
  /** The archive ID of a session of the agent's own ID. */
  sessionId(id: string): string;
  /** The agent's own ID when the files do not say it (a file cut before its first line). */
  fallbackId: string;
  /** The archive ID of the parent (a sub-agent's chat). */
  parentID?: string;
  /** The working folder, where the store says it. */
  directory?: string;
  /** The agent's version, where the store says it. */
  version?: string;
}

/** Gemini CLI's chat files of one session (JSON Lines, or one JSON document per file in older versions), in order, as capture items. */
export async function* readGeminiChatFiles(files: string[], stats: ReadStats, o: GeminiChatFiles): AsyncGenerator<CaptureItem> {
  let chat: GeminiChat | undefined;
  const open = (sessionId: string | undefined): GeminiChat => {
    if (chat) return chat;
    const sourceID = sessionId ?? o.fallbackId;
    const b = new SessionBuilder({
      agent: o.agent,
      envelope: o.envelope,
      id: o.sessionId(sourceID),
      sourceID,
      where: files.join(', '),
      providerID: o.providerID,
      ...(o.parentID ? { parentID: o.parentID } : {}),
    });
    if (o.directory) b.directory = o.directory;
    if (o.version) b.version = o.version;
    chat = new GeminiChat(b, stats, o.agent);
    return chat;
  };
  const header = (r: JsonRecord) => {
    const c = open(str(r.sessionId));
    const dirs = Array.isArray(r.directories) ? r.directories.filter((d): d is string => typeof d === 'string') : [];
    if (dirs[0]) c.b.directory ??= dirs[0];
    for (const key of ['projectHash', 'kind'] as const) if (typeof r[key] === 'string') c.b.extra[key] = r[key];
    if (typeof r.summary === 'string') c.b.title('summary', r.summary);
  };
  const set = (fields: JsonRecord, line: number) => {
    const c = open(str(fields.sessionId));
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'messages' && Array.isArray(value)) {
        for (const m of value.filter(isRecord)) c.record(m, line, { rewritten: true });
      } else if (key === 'summary' && typeof value === 'string') c.b.title('summary', value);
      else if (key === 'lastUpdated' || key === 'sessionId') c.b.skipped(`$set ${key}`);
      else if ((JSON.stringify(value) ?? '').length <= 64 * 1024) c.b.extra[key] = value;
      else c.b.unknown(stats, `$set ${key}`, value);
    }
  };
  for (const [n, path] of files.entries()) {
    if (n > 0) chat?.nextFile();
    if (path.endsWith('.json')) {
      const doc = await readJsonDocument(path, stats);
      if (!doc) continue;
      header(doc);
      const c = open(str(doc.sessionId));
      for (const [i, m] of (Array.isArray(doc.messages) ? doc.messages.filter(isRecord) : []).entries()) {
        c.record(m, i + 1);
        yield* c.b.take();
      }
      continue;
    }
    for await (const { record: r, line } of readJsonLines(path, stats)) {
      if (isRecord(r.$set)) set(r.$set, line);
      else if (typeof r.$rewindTo === 'string') {
        // The agent dropped the messages from there on; the archive keeps them, and says where.
        const c = open(undefined);
        c.b.extra.rewoundTo = [...(Array.isArray(c.b.extra.rewoundTo) ? c.b.extra.rewoundTo : []), r.$rewindTo].slice(-100);
      } else if (typeof r.id === 'string') open(undefined).record(r, line);
      else if (typeof r.sessionId === 'string') header(r);
      else open(undefined).b.unknown(stats, `record ${Object.keys(r).sort().slice(0, 3).join('+')}`, r);
      if (chat) yield* chat.b.take();
    }
  }
  if (chat) yield* chat.finish();
}
