import { isAbsolute, win32 } from 'node:path';
import type { AssistantMessage, MessageWithParts, UserMessage } from '../../../model/message.js';
import type { Part } from '../../../model/part.js';
import type { Todo } from '../../../model/todo.js';
import type { CaptureItem, ConvertedInfo, ReadStats } from '../contract.js';
import { derivedId } from './ids.js';
import { isRecord, timeOf, titleOf } from './text.js';

// The bookkeeping every transcript converter needs, once: messages made with
// derived IDs, a time for records without one, equal times kept in file
// order, tool calls waiting for their results (and results that came before
// their call), the model backfilled onto the user messages it answered,
// unknown records counted and kept, the title chosen by priority, and the
// `metadata.<agent>` envelope. Messages are handed out as they close, so a
// long transcript never sits in memory whole: only the open message, and the
// messages whose tool calls still wait, are held.

export interface BuilderOptions {
  /** The agent's name (`claude-code`): `metadata.source`. */
  agent: string;
  /** The envelope's key under `metadata` (`claudeCode`). */
  envelope: string;
  /** The archive ID of the session. */
  id: string;
  /** The agent's own ID of the session. */
  sourceID: string;
  /** Where the source is (a file path). */
  where: string;
  /** The provider for messages that name no other. */
  providerID: string;
  parentID?: string;
  /** A provisional info is handed out after about this many bytes of messages. @default 1 MiB */
  flushBytes?: number;
}

/** A tool's result, as the agent recorded it. */
export interface ToolResult {
  output: string;
  error: boolean;
  time: number;
  metadata?: Record<string, unknown>;
}

/** Titles by where they came from; the first present in this order wins. */
const TITLE_ORDER = ['custom', 'agent', 'ai', 'summary', 'prompt', 'fallback'] as const;
type TitleSource = (typeof TITLE_ORDER)[number];

/** Unknown records kept per session at most, and the size of one kept whole. */
const KEEP_RECORDS = 200;
/** User messages held at most while they wait for the answer that names their model. */
const HOLD_USERS = 64;
const KEEP_BYTES = 64 * 1024;

/** A rough size of a message in bytes (its texts and inputs), to bound what is held. */
function roughSize(m: MessageWithParts): number {
  let n = 200;
  for (const p of m.parts) {
    n += 100;
    if ('text' in p && typeof p.text === 'string') n += p.text.length;
    if (p.type === 'file') n += p.url.length;
    if (p.type === 'tool') {
      const s = p.state as { output?: unknown; error?: unknown; input?: unknown };
      if (typeof s.output === 'string') n += s.output.length;
      if (typeof s.error === 'string') n += s.error.length;
      n += JSON.stringify(s.input ?? {}).length;
    }
  }
  return n;
}

export class SessionBuilder {
  readonly id: string;
  /** The working folder, first seen. */
  directory?: string;
  /** The agent's version, first seen. */
  version?: string;
  /** The model last seen. */
  model?: string;
  /** Fields for the envelope (besides `id`, `where` and the unknown records). */
  readonly extra: Record<string, unknown> = {};
  todos?: Todo[];
  forkedFrom?: { sessionID: string; messageID?: string };
  private readonly titles: Partial<Record<TitleSource, string>> = {};
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  /** The time of the record before, for a record without one. */
  private previous = 0;
  /** Equal times kept in file order: the last message's time as given, and as assigned. */
  private lastGiven = Number.NaN;
  private lastAssigned = Number.NEGATIVE_INFINITY;
  private readonly open: MessageWithParts[] = [];
  private readonly pending = new Map<string, { part: Part; message: MessageWithParts; emitted: boolean }>();
  private readonly orphans = new Map<string, ToolResult>();
  private readonly kept: unknown[] = [];
  private readonly unknownCounts: Record<string, number> = {};
  private readonly out: CaptureItem[] = [];
  private heldBytes = 0;
  private messageCount = 0;

  constructor(private readonly options: BuilderOptions) {
    this.id = options.id;
  }

  /** The time of a record: its own, else just after the record before (never the clock: IDs must come out the same on every run). */
  time(given: number | undefined): number {
    const t = given ?? this.previous + 1;
    this.previous = t;
    return t;
  }

  /**
   * A record's time from its raw field: {@link time} of it, or `undefined`
   * when the record has a time that is none (negative, not a date) — such a
   * record is broken, and is reported with its line and skipped.
   */
  recordTime(raw: unknown, line: number, stats: ReadStats): number | undefined {
    const given = timeOf(raw);
    if (raw !== undefined && raw !== null && given === undefined) {
      stats.skipped.push({ line, reason: `bad time ${JSON.stringify(raw).slice(0, 40)}` });
      return undefined;
    }
    return this.time(given);
  }

  /** Marks a time as part of the conversation (the session's created and updated span what it saw). */
  saw(t: number): void {
    if (t < this.first) this.first = t;
    if (t > this.last) this.last = t;
  }

  /** Offers a title from one of its sources; the last offer of a source wins. */
  title(source: TitleSource, text: string | undefined, options: { first?: boolean } = {}): void {
    const t = titleOf(text);
    if (t && !(options.first && this.titles[source])) this.titles[source] = t;
  }

  /** A message's creation time: a time equal to the one before moves just after it, so equal times keep file order. */
  private created(t: number): number {
    const assigned = t === this.lastGiven && t <= this.lastAssigned ? this.lastAssigned + 1 : t;
    this.lastGiven = t;
    this.lastAssigned = assigned;
    return assigned;
  }

  /** A part ID of a message, from a key unique within the source. */
  partId(time: number, key: string): string {
    return derivedId('part', time, `${this.options.agent}:${this.options.sourceID}:${key}`);
  }

  private messageId(time: number, key: string): string {
    return derivedId('message', time, `${this.options.agent}:${this.options.sourceID}:${key}`);
  }

  /** Starts a user message (its parts are added with {@link part}). */
  user(a: { key: string; time: number; agent?: string; synthetic?: boolean; extra?: Record<string, unknown> }): MessageWithParts {
    this.saw(a.time);
    const created = this.created(a.time);
    const info: UserMessage = {
      id: this.messageId(a.time, a.key),
      sessionID: this.id,
      role: 'user',
      time: { created },
      agent: a.agent ?? this.options.agent,
      model: { providerID: this.options.providerID, modelID: this.model ?? 'unknown' },
      ...(a.synthetic ? { synthetic: true } : {}),
      ...a.extra,
    };
    return this.add({ info, parts: [] });
  }

  /** Starts an assistant message answering the last user message. */
  assistant(a: { key: string; time: number; modelID?: string; providerID?: string; agent?: string }): MessageWithParts {
    this.saw(a.time);
    if (a.modelID) this.model = a.modelID;
    const created = this.created(a.time);
    const id = this.messageId(a.time, a.key);
    const parent = [...this.open].reverse().find((m) => m.info.role === 'user');
    const info: AssistantMessage = {
      id,
      sessionID: this.id,
      role: 'assistant',
      time: { created, completed: created },
      parentID: parent?.info.id ?? this.lastUser ?? id,
      modelID: a.modelID ?? this.model ?? 'unknown',
      providerID: a.providerID ?? this.options.providerID,
      mode: 'build',
      agent: a.agent ?? this.options.agent,
      path: { cwd: this.directory ?? '/', root: this.directory ?? '/' },
      cost: 0,
      tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
    };
    return this.add({ info, parts: [] });
  }

  private lastUser?: string;

  private add(m: MessageWithParts): MessageWithParts {
    this.open.push(m);
    this.messageCount++;
    if (m.info.role === 'user') this.lastUser = m.info.id;
    this.drain();
    return m;
  }

  /** The message still open (the last one started), if any. */
  current(): MessageWithParts | undefined {
    return this.open.at(-1);
  }

  /** Adds a part to a message. */
  part(message: MessageWithParts, part: Record<string, unknown> & { type: string; id: string }): Part {
    const p = { ...part, sessionID: this.id, messageID: message.info.id } as Part;
    message.parts.push(p);
    this.touched(message);
    return p;
  }

  /** Adds a tool call, pending its result (a result that came first completes it at once). */
  tool(message: MessageWithParts, call: { id: string; callID: string; tool: string; input: unknown; time: number }): Part {
    const part = this.part(message, {
      id: call.id,
      type: 'tool',
      callID: call.callID,
      tool: call.tool,
      state: { status: 'running', input: isRecord(call.input) ? call.input : { value: call.input }, time: { start: call.time } },
    });
    const early = this.orphans.get(call.callID);
    if (early) {
      this.orphans.delete(call.callID);
      finishTool(part, early);
    } else this.pending.set(call.callID, { part, message, emitted: false });
    return part;
  }

  /** A tool's result: completes its call, or waits for a call that comes later in the file. */
  result(callID: string, result: ToolResult): void {
    const waiting = this.pending.get(callID);
    if (!waiting) {
      this.orphans.set(callID, result);
      return;
    }
    this.pending.delete(callID);
    finishTool(waiting.part, result);
    const info = waiting.message.info;
    if (info.role === 'assistant') info.time.completed = Math.max(info.time.completed ?? result.time, result.time);
    // Handed out already: hand it out again, completed (the last one counts).
    if (!this.open.includes(waiting.message)) this.emit(waiting.message);
  }

  /** Whether a tool call waits for its result. */
  waiting(callID: string): Part | undefined {
    return this.pending.get(callID)?.part;
  }

  /** A message changed after it was handed out (a late part): hand it out again. */
  touched(message: MessageWithParts): void {
    if (!this.open.includes(message) && [...this.pending.values()].some((w) => w.message === message)) this.emit(message);
  }

  /** Counts a record or block of a type the converter does not map, and keeps it under the envelope (bounded). */
  unknown(stats: ReadStats, kind: string, value: unknown): void {
    stats.unknown[kind] = (stats.unknown[kind] ?? 0) + 1;
    this.unknownCounts[kind] = (this.unknownCounts[kind] ?? 0) + 1;
    if (this.kept.length >= KEEP_RECORDS) return;
    const text = JSON.stringify(value) ?? 'null';
    this.kept.push(text.length <= KEEP_BYTES ? value : { kind, truncated: true, bytes: text.length, head: text.slice(0, 1024) });
  }

  /** Counts a record of a type the converter knows and leaves out on purpose (bookkeeping), without keeping it. */
  skipped(kind: string): void {
    this.unknownCounts[`(${kind})`] = (this.unknownCounts[`(${kind})`] ?? 0) + 1;
  }

  private emit(m: MessageWithParts): void {
    this.out.push({ kind: 'message', session: this.id, message: m });
    this.heldBytes += roughSize(m);
  }

  /** Hands out every message but the last open one (the user message waits for the model that answers it). */
  private drain(): void {
    while (this.open.length > 1) {
      // A user message waits for the answer that names its model (a run of them at most HOLD_USERS long).
      const answered = this.open.some((n) => n.info.role === 'assistant');
      if (this.open[0]?.info.role === 'user' && !answered && this.open.length <= HOLD_USERS) break;
      const m = this.open.shift() as MessageWithParts;
      this.close(m);
      this.emit(m);
    }
    if (this.heldBytes >= (this.options.flushBytes ?? 1024 * 1024)) {
      this.out.push({ kind: 'info', info: this.info(false) });
      this.heldBytes = 0;
    }
  }

  /** A user message's model is the one that answered it. */
  private close(m: MessageWithParts): void {
    if (m.info.role !== 'user' || m.info.model.modelID !== 'unknown') return;
    const next = this.open.find((n) => n.info.role === 'assistant');
    const model = next?.info.role === 'assistant' ? next.info.modelID : this.model;
    if (model) m.info.model = { ...m.info.model, modelID: model };
  }

  /** What was handed out since the last call (messages, and a provisional info after many bytes). */
  take(): CaptureItem[] {
    return this.out.splice(0);
  }

  /** Whether the builder saw any message. */
  get empty(): boolean {
    return this.messageCount === 0;
  }

  /** The session's info as known now. */
  info(final: boolean): ConvertedInfo {
    const o = this.options;
    const source = TITLE_ORDER.find((s) => this.titles[s] !== undefined);
    const first = Number.isFinite(this.first) ? this.first : this.previous;
    const last = Number.isFinite(this.last) ? this.last : first;
    // A working folder that is not an absolute path (a relative cwd) is kept in the envelope, not as the directory.
    const dir = this.directory;
    const usable = dir !== undefined && !dir.includes('\0') && (isAbsolute(dir) || win32.isAbsolute(dir));
    return {
      id: this.id,
      sourceID: o.sourceID,
      title: (source && this.titles[source]) ?? `${o.agent} session ${o.sourceID}`.slice(0, 120),
      directory: usable ? dir : '/',
      ...(o.parentID ? { parentID: o.parentID } : {}),
      version: `${o.agent} ${this.version ?? 'unknown'}`,
      created: first,
      updated: Math.max(first, last),
      metadata: {
        source: o.agent,
        [o.envelope]: {
          id: o.sourceID,
          where: o.where,
          ...(dir !== undefined && !usable ? { cwd: dir } : {}),
          ...this.extra,
          ...(Object.keys(this.unknownCounts).length ? { unknown: { ...this.unknownCounts } } : {}),
          ...(this.kept.length ? { unknownRecords: [...this.kept] } : {}),
        },
      },
      ...(this.todos ? { todos: this.todos } : {}),
      ...(this.forkedFrom ? { forkedFrom: this.forkedFrom } : {}),
      final,
    };
  }

  /** Ends the transcript: every message still held, results that never met their call, and the final info. */
  finish(stats: ReadStats): CaptureItem[] {
    for (const [callID, result] of this.orphans) this.unknown(stats, 'tool result without its call', { callID, ...result });
    this.orphans.clear();
    for (const m of this.open.splice(0)) {
      this.close(m);
      this.emit(m);
    }
    if (!this.empty) this.out.push({ kind: 'info', info: this.info(true) });
    return this.take();
  }
}

/** Completes a tool part with its result (output or error). */
export function finishTool(part: Part, result: ToolResult): void {
  if (part.type !== 'tool' || part.state.status === 'completed' || part.state.status === 'error') return;
  const input = part.state.input;
  const start = 'time' in part.state ? (part.state.time as { start: number }).start : result.time;
  const time = { start, end: Math.max(start, result.time) };
  part.state = result.error
    ? { status: 'error', input, error: result.output, ...(result.metadata ? { metadata: result.metadata } : {}), time }
    : { status: 'completed', input, output: result.output, title: part.tool, metadata: result.metadata ?? {}, time };
}
