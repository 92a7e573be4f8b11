import { createHash, randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { derivedUuid, exportSteps, isRecord, type MessageWithParts, userBlocksForExport } from '../../kit/index.js';
import type { Archive } from '../../kit/live.js';

// A session written as a Gemini CLI chat (JSONL), as Gemini CLI 0.61 writes
// and resumes it: a header (`sessionId`, `projectHash`: the SHA-256 of the
// working folder), then user records and `gemini` records — shell calls as its
// own `run_shell_command` in `toolCalls` with their result, and the user record
// of the function's response after each; other tools' calls kept as the reply's
// text (Gemini CLI has no tool of their name); images as inline data.

export const newGeminiId = (): string => randomUUID();

/** Where Gemini CLI keeps a chat of a working folder: tmp/<its base name>/chats/session-<time to the minute>-<first 8 of the ID>.jsonl. */
export function geminiChatPath(gemini: string, directory: string, id: string, time: Date): string {
  return `${gemini}/tmp/${basename(directory)}/chats/session-${time.toISOString().slice(0, 16).replace(':', '-')}-${id.slice(0, 8)}.jsonl`;
}

/** The chat's lines (each ends with `\n`). */
export async function* geminiChat(archive: Archive, sessionID: string, options: { agentID?: string } = {}): AsyncGenerator<string> {
  const info = await archive.sessions.get(sessionID);
  const sessionId = options.agentID ?? newGeminiId();
  const messages = await archive.messages.list(sessionID);
  const iso = (t: number) => new Date(t).toISOString();
  const last = messages.reduce((t, m) => Math.max(t, m.info.time.created), info.time.created);
  yield `${JSON.stringify({ sessionId, projectHash: createHash('sha256').update(info.directory).digest('hex'), startTime: iso(info.time.created), lastUpdated: iso(last), kind: 'main' })}\n`;
  const record = (key: string, time: number, fields: Record<string, unknown>) =>
    `${JSON.stringify({ id: derivedUuid(`${sessionId}:${key}`), timestamp: iso(time), ...fields })}\n`;
  for (const m of messages as MessageWithParts[]) {
    if (!isRecord(m.info) || !Array.isArray(m.parts)) continue;
    if (m.info.role === 'user') {
      const content = userBlocksForExport(m.parts, {
        text: (text) => ({ text }),
        image: (mimeType, data) => ({ inlineData: { mimeType, data } }),
      });
      if (content.length) yield record(m.info.id, m.info.time.created, { type: 'user', content });
      continue;
    }
    const model = m.info.modelID;
    // Shell calls as Gemini CLI's own; other tools' calls (no Gemini CLI tool of that name) as text.
    for (const step of exportSteps(m)) {
      if (step.kind === 'text') {
        yield record(step.key, step.at, { type: 'gemini', content: step.text, thoughts: [], model });
        continue;
      }
      const { call, part } = step;
      const response = { functionResponse: { id: part.callID, name: 'run_shell_command', response: { output: call.result } } };
      const toolCall = {
        id: part.callID,
        name: 'run_shell_command',
        args: { command: call.command },
        result: [response],
        status: part.state.status === 'error' ? 'error' : 'success',
        timestamp: iso(call.end),
      };
      yield record(`${part.id}:call`, call.start, { type: 'gemini', content: '', thoughts: [], model, toolCalls: [toolCall] });
      yield record(`${part.id}:result`, call.end, { type: 'user', content: [response] });
    }
  }
}
