import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cursorSessionId } from '../../../src/ops/capture/agents/cursor/convert.js';
import type { ContractFixture } from './fixtures.js';
import { HAVE_SQLITE, runSql } from './opencode-fixture.js';

// Cursor's command-line agent: ~/.cursor/chats/<md5 of the folder>/<chat>/store.db (meta: one row of hex JSON;
// blobs: content-addressed, the root a protobuf list of the messages and the folder), and a newer JSONL transcript
// under ~/.cursor/projects/<folder>/agent-transcripts/ — one of a chat with no store, one repeating a chat that has one.

export const FOLDER = '/home/dev/shop';
const T0 = Date.parse('2026-06-01T10:00:00.000Z');
export const CLI_A = 'c11c11c1-0000-4000-8000-00000000000a';
export const CLI_B = 'c11c11c1-0000-4000-8000-00000000000b';
export const CLI_C = 'c11c11c1-0000-4000-8000-00000000000c';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** A protobuf length-delimited field. */
const field = (n: number, bytes: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2]), varint(bytes.length), bytes]);
function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

/** A chat store the agent would write: its messages as blobs, a root listing them, the meta row. */
export class CliChat {
  readonly path: string;
  private readonly messages: string[] = [];

  constructor(
    root: string,
    readonly id: string,
    private readonly name: string,
  ) {
    this.path = join(root, 'chats', createHash('md5').update(FOLDER).digest('hex'), id, 'store.db');
  }

  async create(): Promise<void> {
    await mkdir(join(this.path, '..'), { recursive: true });
    runSql(this.path, 'CREATE TABLE blobs (id TEXT PRIMARY KEY, data BLOB)');
    runSql(this.path, 'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)');
    this.add({ role: 'system', content: 'You are a coding agent.' });
  }

  /** Adds a message blob and writes a new root and meta row. */
  add(message: unknown): void {
    const data = Buffer.from(JSON.stringify(message), 'utf8');
    const id = sha(data);
    runSql(this.path, 'INSERT OR IGNORE INTO blobs (id, data) VALUES (?, ?)', id, data);
    this.messages.push(id);
    const root = Buffer.concat([...this.messages.map((m) => field(1, Buffer.from(m, 'hex'))), field(9, Buffer.from(FOLDER, 'utf8'))]);
    const rootId = sha(root);
    runSql(this.path, 'INSERT OR IGNORE INTO blobs (id, data) VALUES (?, ?)', rootId, root);
    const meta = { agentId: this.id, latestRootBlobId: rootId, name: this.name, mode: 'default', createdAt: T0, lastUsedModel: 'gpt-5' };
    runSql(this.path, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', '0', Buffer.from(JSON.stringify(meta)).toString('hex'));
  }

  /** A prompt (wrapped in the agent's context, as it sends it) and an answer. */
  turn(text: string): void {
    this.add({ role: 'user', content: `<user_info>OS: linux</user_info>\n\n<user_query>\n${text}\n</user_query>` });
    this.add({ id: '1', role: 'assistant', content: [{ type: 'text', text: `Re: ${text}` }] });
  }
}

export const cursorCliFixture: ContractFixture = {
  agent: 'cursor',
  variant: 'command-line agent',
  ...(HAVE_SQLITE ? {} : { missing: 'needs SQLite for Node (node:sqlite or better-sqlite3)' }),
  halfWritten: false,
  unknownType: 'content image',
  async make(dir) {
    const root = join(dir, '.cursor');
    const a = new CliChat(root, CLI_A, 'Cart');
    await a.create();
    a.turn('Add a cart');
    a.add({
      id: '1',
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'List the files.', providerOptions: { cursor: { modelName: 'gpt-5-high' } } },
        { type: 'tool-call', toolCallId: 'call_1', toolName: 'Shell', args: { command: 'ls' } },
        { type: 'image', image: 'iVBORw0KGgo=', shimmer: true },
      ],
    });
    a.add({
      role: 'tool',
      id: 'call_1',
      content: [{ type: 'tool-result', toolName: 'Shell', toolCallId: 'call_1', result: 'cart.py', isError: false }],
    });
    const b = new CliChat(root, CLI_B, 'Checkout');
    await b.create();
    b.turn('Why is checkout slow?');
    const transcripts = join(root, 'projects', 'home-dev-shop', 'agent-transcripts');
    await mkdir(transcripts, { recursive: true });
    const line = (role: string, text: string) => `${JSON.stringify({ role, message: { content: [{ type: 'text', text }] } })}\n`;
    await writeFile(
      join(transcripts, `${CLI_C}.jsonl`),
      line('user', '<user_query>\nName the tests\n</user_query>') + line('assistant', 'test_cart.py'),
    );
    // The chat that has a store of its own: its transcript is not read again.
    await writeFile(join(transcripts, `${CLI_A}.jsonl`), line('user', '<user_query>\nAdd a cart\n</user_query>'));
    return {
      from: root,
      sessions: 3,
      children: 0,
      grownId: cursorSessionId(CLI_B),
      grow: async (text) => b.turn(text),
      cut: async () => {},
      finish: async () => {},
      remove: async () => rm(join(b.path, '..'), { recursive: true }),
    };
  },
};
