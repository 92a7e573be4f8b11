import { basename } from 'node:path';
import type { CaptureItem, ReadStats, SourceEntry } from '../../contract.js';
import {
  derivedId,
  isRecord,
  type JsonRecord,
  type MessageWithParts,
  num,
  readJsonLines,
  resultText,
  SessionBuilder,
  str,
  timeOf,
  tokensOf,
} from '../../kit/index.js';

// Pi keeps a session as ~/.pi/agent/sessions/--<working folder, / → ->--/
// <time>_<uuid>.jsonl (format version 3): a `session` header, then entries
// that form a tree by `id`/`parentId` — a person can go back to an earlier
// entry and go on from there, and the file keeps both ways. The way to the
// last entry written is the session; every other branch becomes a fork of the
// session it left, starting where it left it. The tree's shape is read first
// (IDs only), then the entries are read again and each is written to its way.

/** The archive ID of a Pi session, or of one of its branches (the entry the branch starts with). */
export function piSessionId(uuid: string, branch?: string): string {
  return derivedId('session', undefined, branch ? `pi:${uuid}:${branch}` : `pi:${uuid}`);
}

const FILE = /(?:^|_)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/;

/** A Pi session's ID from its file name. */
export function piIdOf(path: string): string | undefined {
  return FILE.exec(basename(path))?.[1];
}

/** Entries that are bookkeeping: counted, not kept. */
const QUIET = new Set(['thinking_level_change', 'custom', 'label']);

interface Branch {
  /** The entry the branch starts with ('' for the main way). */
  start: string;
  /** The branch it left, and the entry it left it at. */
  from?: { branch: string; entry: string };
}

/** Which branch each entry is on: the way to the last entry is the main one (''); a child off any way starts a branch of its own. */
async function shape(path: string): Promise<{ branchOf: Map<string, string>; branches: Map<string, Branch> }> {
  const parent = new Map<string, string | null>();
  const order: string[] = [];
  let last: string | undefined;
  for await (const { record } of readJsonLines(path, { records: 0, unknown: {}, skipped: [], pending: 0 })) {
    if (record.type === 'session' || typeof record.id !== 'string') continue;
    parent.set(record.id, typeof record.parentId === 'string' ? record.parentId : null);
    order.push(record.id);
    last = record.id;
  }
  const main = new Set<string>();
  for (let at = last; at !== undefined && !main.has(at); at = parent.get(at) ?? undefined) main.add(at);
  const branchOf = new Map<string, string>();
  const branches = new Map<string, Branch>([['', { start: '' }]]);
  /** Per branch, the entry its way goes on from (the last one assigned). */
  const tip = new Map<string, string>();
  for (const id of order) {
    if (main.has(id)) {
      branchOf.set(id, '');
      continue;
    }
    const p = parent.get(id);
    const pb = p ? branchOf.get(p) : undefined;
    // The branch of its parent goes on through it, when the parent is that branch's tip and not on the main way.
    if (p && pb !== undefined && pb !== '' && tip.get(pb) === p) {
      branchOf.set(id, pb);
      tip.set(pb, id);
      continue;
    }
    branchOf.set(id, id);
    tip.set(id, id);
    branches.set(id, { start: id, ...(p && pb !== undefined ? { from: { branch: pb, entry: p } } : {}) });
  }
  return { branchOf, branches };
}

class PiBranch {
  constructor(
    readonly b: SessionBuilder,
    private readonly stats: ReadStats,
  ) {}

  /** User content (text and images) on a message. */
  private content(m: MessageWithParts, content: unknown, time: number, key: string, synthetic: boolean): void {
    const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content.filter(isRecord) : [];
    for (const [i, block] of blocks.entries()) {
      const id = this.b.partId(time, `${key}:${i}`);
      if (block.type === 'text' && typeof block.text === 'string')
        this.b.part(m, { id, type: 'text', text: block.text, ...(synthetic ? { synthetic: true } : {}) });
      else if (block.type === 'image' && typeof block.data === 'string') {
        const mime = str(block.mimeType) ?? 'image/png';
        this.b.part(m, { id, type: 'file', mime, url: `data:${mime};base64,${block.data}` });
      } else this.b.unknown(this.stats, `content ${String(block.type)}`, block);
    }
  }

  private quiet(key: string, time: number, origin: string, text: string, compaction = false): void {
    const m = this.b.user({ key, time, synthetic: true, extra: { origin } });
    if (compaction) this.b.part(m, { id: this.b.partId(time, `${key}:-1`), type: 'compaction', auto: true });
    this.b.part(m, { id: this.b.partId(time, `${key}:0`), type: 'text', text, synthetic: true });
  }

  entry(r: JsonRecord, line: number): void {
    const b = this.b;
    const key = str(r.id) ?? `line:${line}`;
    const time = b.recordTime(r.timestamp, line, this.stats);
    if (time === undefined) return;
    const type = str(r.type);
    if (type === 'message' && isRecord(r.message)) this.message(r.message, key, time);
    else if (type === 'model_change') {
      if (typeof r.modelId === 'string') b.model = r.modelId;
      b.skipped('model_change');
    } else if (type === 'session_info') b.title('custom', str(r.name));
    else if (type === 'compaction') this.quiet(key, time, 'compaction', str(r.summary) ?? 'compaction', true);
    else if (type === 'branch_summary') this.quiet(key, time, 'branch-summary', str(r.summary) ?? 'branch summary');
    else if (type === 'custom_message') this.quiet(key, time, `custom:${str(r.customType) ?? ''}`, resultText(r.content));
    else if (type && QUIET.has(type)) b.skipped(type);
    else b.unknown(this.stats, `entry ${type ?? '(no type)'}`, r);
  }

  private message(msg: JsonRecord, key: string, time: number): void {
    const b = this.b;
    const role = str(msg.role);
    if (role === 'user') {
      const m = b.user({ key, time });
      this.content(m, msg.content, time, key, false);
      b.title('prompt', resultText(msg.content), { first: true });
    } else if (role === 'assistant') {
      const model = str(msg.model);
      const m = b.assistant({
        key,
        time,
        ...(model ? { modelID: model } : {}),
        ...(str(msg.provider) ? { providerID: str(msg.provider) } : {}),
      });
      const info = m.info as MessageWithParts['info'] & { role: 'assistant' };
      const u = isRecord(msg.usage) ? msg.usage : undefined;
      if (u) {
        info.tokens = tokensOf(u);
        // Pi prices what it used: a source's own cost wins.
        if (isRecord(u.cost)) info.cost = num(u.cost.total);
      }
      if (typeof msg.stopReason === 'string') info.finish = msg.stopReason;
      if (msg.stopReason === 'error' || typeof msg.errorMessage === 'string') {
        info.error = { name: 'UnknownError', data: { message: str(msg.errorMessage) ?? 'error' } };
      }
      for (const [i, block] of (Array.isArray(msg.content) ? msg.content.filter(isRecord) : []).entries()) {
        const id = b.partId(time, `${key}:${i}`);
        if (block.type === 'text' && typeof block.text === 'string') b.part(m, { id, type: 'text', text: block.text });
        else if (block.type === 'thinking')
          b.part(m, { id, type: 'reasoning', text: str(block.thinking) ?? '', time: { start: time, end: time } });
        else if (block.type === 'toolCall' && typeof block.id === 'string') {
          b.tool(m, { id, callID: block.id, tool: str(block.name) ?? 'tool', input: block.arguments ?? {}, time });
        } else b.unknown(this.stats, `assistant content ${String(block.type)}`, block);
      }
    } else if (role === 'toolResult' && typeof msg.toolCallId === 'string') {
      b.result(msg.toolCallId, { output: resultText(msg.content), error: msg.isError === true, time });
    } else if (role === 'bashExecution') {
      // A command the person ran themselves (`!cmd`).
      const out = [`$ ${str(msg.command) ?? ''}`, str(msg.output) ?? ''].join('\n');
      const m = b.user({
        key,
        time,
        synthetic: true,
        extra: { origin: 'shell', ...(typeof msg.exitCode === 'number' ? { exitCode: msg.exitCode } : {}) },
      });
      b.part(m, { id: b.partId(time, `${key}:0`), type: 'text', text: out, synthetic: true });
    } else if (role === 'custom') this.quiet(key, time, `custom:${str(msg.customType) ?? ''}`, resultText(msg.content));
    else if (role === 'branchSummary' || role === 'compactionSummary') {
      this.quiet(key, time, role, str(msg.summary) ?? role, role === 'compactionSummary');
    } else b.unknown(this.stats, `message ${role ?? '(no role)'}`, msg);
  }
}

/** Reads one Pi session file: its main way and each branch as a fork of it. */
export async function* readPiSession(entry: SourceEntry, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const path = entry.where;
  const uuid = piIdOf(path) ?? basename(path, '.jsonl');
  const { branchOf, branches } = await shape(path);
  const open = new Map<string, PiBranch>();
  let header: JsonRecord | undefined;
  const branchFor = (name: string): PiBranch => {
    const have = open.get(name);
    if (have) return have;
    const b = new SessionBuilder({
      agent: 'pi',
      envelope: 'pi',
      id: piSessionId(uuid, name || undefined),
      sourceID: name ? `${uuid}:${name}` : uuid,
      where: path,
      providerID: 'unknown',
    });
    if (typeof header?.cwd === 'string') b.directory = header.cwd;
    if (typeof header?.version === 'number') b.extra.formatVersion = header.version;
    const parentFile = str(header?.parentSession);
    const from = branches.get(name)?.from;
    if (from) {
      b.forkedFrom = { sessionID: piSessionId(uuid, from.branch || undefined) };
      b.extra.branchedAt = from.entry;
    } else if (parentFile && piIdOf(parentFile)) {
      b.forkedFrom = { sessionID: piSessionId(piIdOf(parentFile) as string) };
      b.extra.parentSession = parentFile;
    }
    const c = new PiBranch(b, stats);
    open.set(name, c);
    return c;
  };
  for await (const { record, line } of readJsonLines(path, stats)) {
    if (record.type === 'session') {
      header = record;
      if (typeof record.timestamp === 'string') branchFor('').b.saw(timeOf(record.timestamp) ?? 0);
      continue;
    }
    const c = branchFor(typeof record.id === 'string' ? (branchOf.get(record.id) ?? '') : '');
    c.entry(record, line);
    yield* c.b.take();
  }
  // The main way first: a branch is a fork of a session written before it.
  for (const name of ['', ...[...open.keys()].filter((n) => n !== '')]) {
    const c = open.get(name);
    if (c) yield* c.b.finish(stats);
  }
}
