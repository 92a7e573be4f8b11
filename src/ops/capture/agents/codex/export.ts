import { randomUUID } from 'node:crypto';
import { exportSteps, isRecord, type MessageWithParts, userBlocksForExport } from '../../kit/index.js';
import type { Archive } from '../../kit/live.js';

// A session written as a Codex rollout (JSONL of `{timestamp, type, payload}`),
// in the shape Codex 0.171 writes and resumes: a session_meta record, then the
// conversation as response items — user and assistant messages, shell calls as
// `exec_command` function calls with their output, other tools' calls kept as
// the assistant's text (Codex has no tool of their name). Reasoning stays out:
// Codex keeps it encrypted, and the text of another model's thinking is not
// something it can send back.

/** A Codex session ID: a UUID (v7-like, as Codex makes them). */
export function newCodexId(): string {
  return randomUUID();
}

/** Where Codex keeps a rollout begun at `time`: sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl. */
export function codexRolloutPath(sessions: string, id: string, time: Date): string {
  const iso = time.toISOString();
  const day = iso.slice(0, 10).split('-').join('/');
  const stamp = iso.slice(0, 19).replace(/:/g, '-');
  return `${sessions}/${day}/rollout-${stamp}-${id}.jsonl`;
}

/** The rollout's lines (each ends with `\n`). */
export async function* codexRollout(archive: Archive, sessionID: string, options: { agentID?: string } = {}): AsyncGenerator<string> {
  const info = await archive.sessions.get(sessionID);
  const id = options.agentID ?? newCodexId();
  const messages = await archive.messages.list(sessionID);
  let ordinal = 0;
  const line = (time: number, type: string, payload: Record<string, unknown>) =>
    `${JSON.stringify({ timestamp: new Date(time).toISOString(), ordinal: ordinal++, type, payload })}\n`;
  yield line(info.time.created, 'session_meta', {
    id,
    session_id: id,
    timestamp: new Date(info.time.created).toISOString(),
    cwd: info.directory,
    originator: 'codex_exec',
    cli_version: '0.171.0',
    source: 'exec',
  });
  let n = 0;
  for (const m of messages as MessageWithParts[]) {
    if (!isRecord(m.info) || !Array.isArray(m.parts)) continue;
    const time = m.info.time.created;
    if (m.info.role === 'user') {
      const content = userBlocksForExport(m.parts, {
        text: (text) => ({ type: 'input_text', text }),
        image: (_mime, _data, url) => ({ type: 'input_image', image_url: url }),
      });
      if (content.length) yield line(time, 'response_item', { type: 'message', role: 'user', content });
      continue;
    }
    // Shell calls as Codex's own; other tools' calls (no Codex tool of that name) as text.
    for (const step of exportSteps(m)) {
      if (step.kind === 'text') {
        yield line(step.at, 'response_item', {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: step.text, annotations: [] }],
        });
        continue;
      }
      const callID = `call_sarc_${n++}`;
      yield line(step.call.start, 'response_item', {
        type: 'function_call',
        name: 'exec_command',
        arguments: JSON.stringify({ cmd: step.call.command }),
        call_id: callID,
      });
      yield line(step.call.end, 'response_item', { type: 'function_call_output', call_id: callID, output: step.call.result });
    }
  }
}
