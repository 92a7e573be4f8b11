import { randomUUID } from 'node:crypto';
import { derivedUuid, exportSteps, isRecord, type MessageWithParts, userBlocksForExport } from '../../kit/index.js';
import type { Archive } from '../../kit/live.js';

// A session written as a GitHub Copilot CLI event log (session-state/<id>/
// events.jsonl, with its workspace.yaml beside it), as Copilot CLI 1.0 writes
// and resumes it: `session.start`, then `user.message`, `assistant.message`
// (shell calls as its own `bash` tool requests) and the tool's
// `tool.execution_start`/`_complete`, each event chained to the one before by
// `parentId`. Other tools' calls are kept as the reply's text (Copilot CLI has
// no tool of their name); an attached image is named in the text.

export const newCopilotId = (): string => randomUUID();

/** The quoted form of a YAML scalar (JSON strings are valid YAML). */
const yaml = (s: string) => JSON.stringify(s);

/** workspace.yaml: what Copilot CLI lists a session by. */
export function copilotWorkspace(id: string, directory: string, title: string, time: Date): string {
  const at = time.toISOString();
  return `id: ${id}\ncwd: ${yaml(directory)}\nclient_name: github/cli\nname: ${yaml(title)}\nuser_named: false\nsummary_count: 0\nfork_count: 0\ncreated_at: ${at}\nupdated_at: ${at}\n`;
}

/** The event log's lines (each ends with `\n`). */
export async function* copilotEvents(archive: Archive, sessionID: string, options: { agentID?: string } = {}): AsyncGenerator<string> {
  const info = await archive.sessions.get(sessionID);
  const sessionId = options.agentID ?? newCopilotId();
  const messages = await archive.messages.list(sessionID);
  let parent: string | null = null;
  const event = (key: string, time: number, type: string, data: Record<string, unknown>) => {
    const id = derivedUuid(`${sessionId}:${key}`);
    const line = `${JSON.stringify({ type, data, id, timestamp: new Date(time).toISOString(), parentId: parent })}\n`;
    parent = id;
    return line;
  };
  yield event('start', info.time.created, 'session.start', {
    sessionId,
    version: 1,
    producer: 'copilot-agent',
    copilotVersion: '1.0.102',
    startTime: new Date(info.time.created).toISOString(),
    context: { cwd: info.directory },
  });
  for (const m of messages as MessageWithParts[]) {
    if (!isRecord(m.info) || !Array.isArray(m.parts)) continue;
    if (m.info.role === 'user') {
      const blocks = userBlocksForExport(m.parts, { text: (text) => text, image: (mime) => `[image ${mime}]` }) as string[];
      if (blocks.length)
        yield event(m.info.id, m.info.time.created, 'user.message', { content: blocks.join('\n\n'), messageId: derivedUuid(m.info.id) });
      continue;
    }
    const model = m.info.modelID;
    // Shell calls as Copilot CLI's own `bash`; other tools' calls (no Copilot CLI tool of that name) as text.
    for (const step of exportSteps(m)) {
      if (step.kind === 'text') {
        yield event(step.key, step.at, 'assistant.message', {
          messageId: derivedUuid(step.key),
          model,
          content: step.text,
          toolRequests: [],
        });
        continue;
      }
      const { call, part } = step;
      const args = { command: call.command };
      yield event(`${part.id}:call`, call.start, 'assistant.message', {
        messageId: derivedUuid(`${part.id}:call`),
        model,
        content: '',
        toolRequests: [{ toolCallId: part.callID, name: 'bash', arguments: args, type: 'function' }],
      });
      yield event(`${part.id}:start`, call.start, 'tool.execution_start', {
        toolCallId: part.callID,
        toolName: 'bash',
        arguments: args,
        model,
      });
      yield event(`${part.id}:end`, call.end, 'tool.execution_complete', {
        toolCallId: part.callID,
        model,
        success: part.state.status !== 'error',
        result: { content: call.result },
      });
    }
  }
}
