import { isAbsolute, win32 } from 'node:path';
import type { AssistantMessage, MessageWithParts, UserMessage } from '../../../model/message.js';
import type { Part } from '../../../model/part.js';
import type { Todo } from '../../../model/todo.js';
import type { CaptureItem, ConvertedInfo, ReadStats } from '../contract.js';
import { TranscriptClock } from './clock.js';
import { derivedId } from './ids.js';
import { isRecord, roughSize, titleOf } from './text.js';
import { finishTool, type ToolResult } from './tool-result.js';
import { UnknownRecords } from './unknown-records.js';

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

/** Titles by where they came from; the first present in this order wins. */
const TITLE_ORDER = ['custom', 'agent', 'ai', 'summary', 'prompt', 'fallback'] as const;
type TitleSource = (typeof TITLE_ORDER)[number];

/** User messages held at most while they wait for the answer that names their model. */
const HOLD_USERS = 64;

export class SessionBuilder extends TranscriptClock {
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
  private readonly open: MessageWithParts[] = [];
  private readonly pending = new Map<string, { part: Part; message: MessageWithParts; emitted: boolean }>();
  private readonly orphans = new Map<string, ToolResult>();
  private readonly unknowns = new UnknownRecords();
  private readonly out: CaptureItem[] = [];
  private heldBytes = 0;
  private messageCount = 0;

  constructor(private readonly options: BuilderOptions) {
    super();
    this.id = options.id;
  }

  /** Offers a title from one of its sources; the last offer of a source wins. */
  title(source: TitleSource, text: string | undefined, options: { first?: boolean } = {}): void {
    const t = titleOf(text);
    if (t && !(options.first && this.titles[source])) this.titles[source] = t;
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
    this.unknowns.add(kind, value);
  }

  /** Counts a record of a type the converter knows and leaves out on purpose (bookkeeping), without keeping it. */
  skipped(kind: string): void {
    this.unknowns.count(`(${kind})`);
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
          ...this.unknowns.envelope(),
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
