// `sarc mcp`: the archive as a Model Context Protocol server (stdio), so an
// agent can search and read every session a developer has. Read-only: no tool
// writes. Every answer is bounded (a page of results, a range of messages cut
// at a size) and says how to ask for the next part. What it returns is the
// archive as stored: sessions from agents came in redacted.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import * as z from 'zod';
import { type Archive, diff, type SessionIndex, sessionAgent, shortFolder, turnsMarkdown, VERSION } from '../index.js';

/** An answer's text is cut at about this many characters (a model's context is precious). */
export const ANSWER_CHARS = 24_000;
/** Messages read at most per read_session call. */
const READ_LIMIT = 50;

type Text = { content: Array<{ type: 'text'; text: string }>; isError?: boolean };
const text = (value: unknown): Text => ({
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 1) }],
});

/** Tools that fail answer with the reason as an error result (the model reads it), never a protocol error. */
function safely<A>(run: (args: A) => Promise<Text>): (args: A) => Promise<Text> {
  return async (args) => {
    try {
      return await run(args);
    } catch (error) {
      return { ...text(`error: ${error instanceof Error ? error.message : String(error)}`), isError: true };
    }
  };
}

const SINCE = z.string().optional().describe('Only from this time on: an ISO date (2026-11-01) or a span back from now (12h, 7d, 2w)');
const SPANS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

function sinceMs(since: string | undefined): number | undefined {
  if (!since) return undefined;
  const span = /^(\d+)\s*([hdw])$/.exec(since.trim());
  if (span) return Date.now() - Number(span[1]) * (SPANS[span[2] as string] as number);
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) throw new Error(`since ${JSON.stringify(since)}: expected a date (2026-11-01) or a span (12h, 7d, 2w)`);
  return ms;
}

/** The MCP server over an archive and its index (opened with search). */
export function createMcpServer(archive: Archive, index: SessionIndex): McpServer {
  const server = new McpServer({ name: 'session-archive', version: VERSION });
  const readOnly = { readOnlyHint: true, openWorldHint: false } as const;
  const projectOf = async (name: string | undefined) => {
    if (!name) return undefined;
    const { findProject } = await import('../index.js');
    return findProject(archive, name);
  };

  server.registerTool(
    'search',
    {
      title: 'Search the session archive',
      description:
        'Full-text search over every archived coding-agent session (titles, todos, prompts, replies, reasoning, tool calls and outputs). Words match in any form; "a phrase", prefix*, -word to leave out. Results are grouped per session, best first.',
      inputSchema: {
        query: z.string().min(1).describe('The words to find'),
        project: z.string().optional().describe('Only this project: its name, folder or ID'),
        agent: z.string().optional().describe('Only sessions from this agent (claude-code, codex, opencode, …)'),
        directory: z.string().optional().describe('Only sessions in this folder (or glob) and below'),
        since: SINCE,
        limit: z.number().int().min(1).max(20).optional().describe('Sessions per page (default 10)'),
        offset: z.number().int().min(0).optional().describe('Sessions to skip (the next page: offset + limit)'),
      },
      annotations: readOnly,
    },
    safely(async (a) => {
      await index.searchReady(5_000);
      const limit = a.limit ?? 10;
      const offset = a.offset ?? 0;
      const result = index.searchGroups({
        query: a.query,
        project: await projectOf(a.project),
        agent: a.agent,
        directory: a.directory,
        from: sinceMs(a.since),
        limit,
        offset,
      });
      return bounded({
        sessions: result.groups.map((g) => ({
          sessionID: g.sessionID,
          title: g.best.title,
          directory: g.best.directory,
          hits: g.count,
          best: {
            messageID: g.best.messageID,
            where: g.best.field,
            time: new Date(g.best.time).toISOString(),
            snippet: g.best.snippet,
          },
          others: g.others.map((o) => ({ messageID: o.messageID, snippet: o.snippet })),
          ...(g.sessions.length > 1 ? { forksFoldedIn: g.sessions.filter((s) => s !== g.sessionID) } : {}),
        })),
        ...(result.more ? { next: { offset: offset + limit } } : {}),
        ...(result.complete ? {} : { note: 'the search index is still being built: more may appear' }),
        read: 'read_session with a sessionID (and from: the message index) reads the conversation',
      });
    }),
  );

  server.registerTool(
    'list_sessions',
    {
      title: 'List archived sessions',
      description: 'Sessions in the archive, the most recently updated first, with filters (as `sarc list`).',
      inputSchema: {
        project: z.string().optional().describe('Only this project: its name, folder or ID'),
        agent: z.string().optional().describe('Only sessions from this agent (claude-code, codex, opencode, …)'),
        directory: z.string().optional().describe('Only sessions in this folder (or glob) and below'),
        title: z.string().optional().describe('Only titles containing this text'),
        since: SINCE,
        archived: z.enum(['exclude', 'include', 'only']).optional().describe('Archived sessions (default: exclude)'),
        limit: z.number().int().min(1).max(50).optional().describe('Sessions per page (default 20)'),
        cursor: z.string().optional().describe('The nextCursor of the previous page'),
      },
      annotations: readOnly,
    },
    safely(async (a) => {
      const page = index.history({
        project: await projectOf(a.project),
        agent: a.agent,
        directory: a.directory,
        search: a.title,
        start: sinceMs(a.since),
        archived: a.archived ?? 'exclude',
        limit: a.limit ?? 20,
        cursor: a.cursor,
      });
      return bounded({
        sessions: page.items.map((s) => ({
          id: s.id,
          title: s.title,
          agent: s.source,
          directory: shortFolder(s.directory),
          project: s.project?.name ?? s.project?.worktree,
          created: new Date(s.time.created).toISOString(),
          updated: new Date(s.time.updated).toISOString(),
          ...(s.parentID ? { parentID: s.parentID } : {}),
          ...(s.forkedFrom ? { forkedFrom: s.forkedFrom.sessionID } : {}),
        })),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    }),
  );

  server.registerTool(
    'read_session',
    {
      title: 'Read a session',
      description:
        'A session’s conversation as Markdown turns (prompts, replies, tool calls with their output), a range of messages at a time. The answer ends with where to go on from.',
      inputSchema: {
        session: z.string().describe('The session ID (a unique prefix will do, or "latest")'),
        from: z.number().int().min(0).optional().describe('The first message to read (0: the oldest)'),
        limit: z.number().int().min(1).max(READ_LIMIT).optional().describe(`Messages at most (default ${READ_LIMIT})`),
      },
      annotations: readOnly,
    },
    safely(async (a) => {
      const id = await index.findSession(a.session);
      const info = await archive.sessions.get(id);
      const { total } = await archive.messages.position(id);
      const from = Math.min(a.from ?? 0, total);
      const limit = a.limit ?? READ_LIMIT;
      let out = `# ${info.title}\n\nsession ${id} · ${sessionAgent(info)} · ${info.directory} · messages ${from}–${Math.min(from + limit, total) - 1} of ${total}\n`;
      let next = Math.min(from + limit, total);
      for await (const piece of turnsMarkdown(archive, info, { start: from, limit, utc: true })) {
        if (out.length + piece.text.length > ANSWER_CHARS) {
          if (piece.index === from)
            out += `${piece.text.slice(0, ANSWER_CHARS - out.length)}\n… (this message is longer: the rest is cut)\n`;
          next = piece.index === from ? from + 1 : piece.index;
          break;
        }
        out += piece.text;
      }
      out += next < total ? `\n(next: read_session with from: ${next})\n` : '\n(end of the session)\n';
      return text(out);
    }),
  );

  server.registerTool(
    'session_todos',
    {
      title: 'A session’s todo list',
      description: 'The last todo list of a session, with each item’s status.',
      inputSchema: { session: z.string().describe('The session ID (a unique prefix will do, or "latest")') },
      annotations: readOnly,
    },
    safely(async (a) => {
      const id = await index.findSession(a.session);
      const todos = await archive.todos.get(id);
      return bounded({ sessionID: id, todos: todos.map((t) => ({ content: t.content, status: t.status, priority: t.priority })) });
    }),
  );

  server.registerTool(
    'session_files',
    {
      title: 'Files a session touched',
      description: 'The files a session changed (its agent’s edits and patches), with lines added and removed.',
      inputSchema: { session: z.string().describe('The session ID (a unique prefix will do, or "latest")') },
      annotations: readOnly,
    },
    safely(async (a) => {
      const id = await index.findSession(a.session);
      const changes = await diff(archive, id);
      return bounded({ sessionID: id, files: changes.map((d) => ({ file: d.file, additions: d.additions, deletions: d.deletions })) });
    }),
  );

  return server;
}

/** JSON of an answer, cut to {@link ANSWER_CHARS} (a list is shortened item by item, and says so). */
function bounded(value: Record<string, unknown>): Text {
  let json = JSON.stringify(value, null, 1);
  if (json.length <= ANSWER_CHARS) return text(json);
  const key = Object.keys(value).find((k) => Array.isArray(value[k]));
  if (key) {
    const items = [...(value[key] as unknown[])];
    while (items.length > 1 && json.length > ANSWER_CHARS) {
      items.pop();
      json = JSON.stringify({ ...value, [key]: items, cut: `only the first ${items.length} ${key} fit; ask for fewer` }, null, 1);
    }
  }
  return text(json.length <= ANSWER_CHARS ? json : `${json.slice(0, ANSWER_CHARS)}\n… (cut)`);
}

/** Serves the archive over stdio until stdin closes. */
export async function serveMcp(archive: Archive, onWarning: (message: string) => void = () => {}): Promise<void> {
  const { openIndex } = await import('../index.js');
  const index = await openIndex(archive, { search: true, onWarning });
  const server = createMcpServer(archive, index);
  const transport = new StdioServerTransport();
  // Done when the agent closes our stdin (it has gone, or is done with us).
  const closed = new Promise<void>((resolve) => {
    process.stdin.once('end', () => resolve());
    process.stdin.once('close', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
  await index.close();
}
