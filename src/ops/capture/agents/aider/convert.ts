import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { CaptureItem, ReadStats, SourceEntry } from '../../contract.js';
import { derivedId, type MessageWithParts, SessionBuilder } from '../../kit/index.js';

// Aider appends its chat to `.aider.chat.history.md` in the repository it runs
// in: each run starts `# aider chat started at YYYY-MM-DD HH:MM:SS` (local
// time, no zone), the person's lines start `#### ` (a prompt of several lines
// is several of them), aider's own output (its banner, edits applied,
// commits, a command's output, token counts) starts `> `, and everything else
// is the model's reply. There is one time per run, none per message: messages
// get the run's time plus their place. Each run is a session of its own.

const START = /^# aider chat started at (\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/;

/** The archive ID of an Aider run: the history file and the run's place and start in it. */
export function aiderSessionId(where: string, ordinal: number, started: string): string {
  return derivedId('session', undefined, `aider:${where}:${ordinal}:${started}`);
}

/** "2.3k" → 2300; "1.2M" → 1200000. */
function count(text: string): number {
  const m = /^([\d.]+)([kM]?)$/.exec(text);
  if (!m) return 0;
  return Math.round(Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1));
}

/** Whether a file ends with a newline (else its last line is still being written). */
async function endsWithNewline(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

type Block = { kind: 'prompt' | 'output' | 'reply'; lines: string[] };

/** One run being read: its builder, and the block of lines being gathered. */
class Run {
  readonly b: SessionBuilder;
  private block?: Block;
  private n = 0;
  private readonly start: number;
  private reply?: MessageWithParts;
  private header = true;
  private fence = false;

  constructor(where: string, ordinal: number, started: string) {
    const sourceID = `${where}#${ordinal}`;
    this.b = new SessionBuilder({
      agent: 'aider',
      envelope: 'aider',
      id: aiderSessionId(where, ordinal, started),
      sourceID,
      where,
      providerID: 'aider',
    });
    this.b.directory = dirname(where);
    this.b.extra.started = started;
    this.start = Date.parse(started);
    this.b.saw(this.start);
  }

  line(text: string): void {
    // Inside a code fence of a reply every line is the reply's (a `>>>>>>> REPLACE`, a quoted `> `).
    const fenced = this.fence && this.block?.kind === 'reply';
    if (/^\s*(```|~~~)/.test(text) && (fenced || this.block?.kind === 'reply' || !/^(#### |> )/.test(text))) this.fence = !this.fence;
    const kind: Block['kind'] = fenced
      ? 'reply'
      : text.startsWith('#### ') || text === '####'
        ? 'prompt'
        : text.startsWith('> ') || text === '>'
          ? 'output'
          : 'reply';
    const body = kind === 'prompt' ? text.slice(5) : kind === 'output' ? text.replace(/^> ?/, '') : text;
    // A blank line ends a prompt or an output block; within a reply it is the reply's.
    if (text.trim() === '' && this.block?.kind !== 'reply') {
      this.flush();
      return;
    }
    if (this.block?.kind !== kind) this.flush();
    this.block ??= { kind, lines: [] };
    this.block.lines.push(body);
  }

  flush(): void {
    const block = this.block;
    this.block = undefined;
    if (!block) return;
    const text = block.lines.join('\n').trim();
    if (!text) return;
    const time = this.start + ++this.n;
    const key = `${this.n}`;
    if (block.kind === 'prompt') {
      this.header = false;
      this.reply = undefined;
      const m = this.b.user({ key, time });
      this.b.part(m, { type: 'text', id: this.b.partId(time, key), text });
      this.b.title('prompt', text, { first: true });
      return;
    }
    if (block.kind === 'output') {
      if (this.header) this.banner(block.lines);
      else this.tokens(block.lines);
      // Aider's own words (its banner, an edit applied, a commit, a command's output): a quiet message.
      const m = this.b.user({ key, time, synthetic: true, extra: { origin: 'aider' } });
      this.b.part(m, { type: 'text', id: this.b.partId(time, key), text, synthetic: true });
      return;
    }
    this.header = false;
    this.reply = this.b.assistant({ key, time });
    this.b.part(this.reply, { type: 'text', id: this.b.partId(time, key), text });
  }

  /** The banner a run starts with: the version and the main model. */
  private banner(lines: string[]): void {
    for (const l of lines) {
      const version = /^Aider v(\S+)/.exec(l);
      if (version) this.b.version = version[1];
      const model = /^(?:Main )?[Mm]odel: (\S+)/.exec(l);
      if (model) this.b.model = model[1];
    }
  }

  /** "Tokens: 2.3k sent, 1.1k cache write, 120 received. Cost: $0.01 message, $0.05 session." — the reply's figures. */
  private tokens(lines: string[]): void {
    const info = this.reply?.info;
    if (info?.role !== 'assistant') return;
    for (const l of lines) {
      const t = /^Tokens: (.*)$/.exec(l);
      if (!t) continue;
      for (const m of (t[1] as string).matchAll(/([\d.]+[kM]?) (sent|received|cache write|cache hit)/g)) {
        const n = count(m[1] as string);
        if (m[2] === 'sent') info.tokens.input = n;
        else if (m[2] === 'received') info.tokens.output = n;
        else if (m[2] === 'cache write') info.tokens.cache.write = n;
        else info.tokens.cache.read = n;
      }
      const cost = /Cost: \$([\d.]+) message/.exec(l);
      if (cost) info.cost = Number(cost[1]);
      this.b.touched(this.reply as MessageWithParts);
    }
  }
}

/**
 * Where the turn being written starts, in a file that does not end with a
 * newline (aider is writing it): the byte offset of its last prompt or run
 * header, or of its last line when it has neither.
 */
async function lastTurnStart(path: string): Promise<number> {
  let start = 0;
  let last = 0;
  let previous = '';
  let at = 0;
  // Only a line's first bytes matter: what follows them is not kept, so a huge line costs no memory.
  let head = '';
  let lineStart = 0;
  const endLine = () => {
    const text = head.replace(/\r$/, '');
    if ((text.startsWith('#### ') && !previous.startsWith('#### ')) || START.test(text)) start = lineStart;
    last = lineStart;
    previous = text;
    head = '';
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      if (head.length < 64) head += chunk.subarray(from, Math.min(nl, from + 64)).toString('utf8');
      endLine();
      from = nl + 1;
      lineStart = at + from;
    }
    if (head.length < 64) head += chunk.subarray(from, Math.min(chunk.length, from + 64)).toString('utf8');
    at += chunk.length;
  }
  if (lineStart < at) endLine();
  return start || last;
}

/** Reads one `.aider.chat.history.md`: each run a session; the turn still being written (no newline at the end yet) waits for the next sync. */
export async function* readAiderHistory(entry: SourceEntry, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const end = (await endsWithNewline(entry.where)) ? undefined : await lastTurnStart(entry.where);
  if (end !== undefined) stats.pending++;
  if (end === 0) return;
  const input = createReadStream(entry.where, { encoding: 'utf8', ...(end !== undefined ? { end: end - 1 } : {}) });
  let run: Run | undefined;
  let ordinal = 0;
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    stats.records++;
    const start = START.exec(text);
    if (start) {
      if (run) {
        run.flush();
        yield* run.b.finish(stats);
      }
      run = new Run(entry.where, ordinal++, `${start[1]}T${start[2]}`);
      continue;
    }
    // Lines before the first run (a file started by hand) belong to none.
    if (!run) continue;
    run.line(text);
    yield* run.b.take();
  }
  if (run) {
    run.flush();
    yield* run.b.finish(stats);
  }
}
