import { isRecord, type JsonRecord, str, type Todo } from '../../kit/index.js';

// What a Codex rollout's records say, read apart from the rollout: which
// records and events carry nothing to keep, a call's output and whether it
// failed, a review's findings, a plan as todos.

/** Text Codex itself puts in the conversation as user messages: environment, instructions. */
export const INJECTED =
  /^\s*(<environment_context>|<user_instructions>|<permissions instructions>|# AGENTS\.md instructions|<INSTRUCTIONS>|<skills_instructions>|<user_shell_command>|<turn_aborted>)/;
/** Events that repeat response items or carry nothing to keep: counted, not kept. */
export const QUIET_EVENTS = new Set([
  'agent_reasoning',
  'agent_reasoning_raw_content',
  'agent_reasoning_section_break',
  'task_started',
  'task_complete',
  'turn_aborted',
  'exec_command_begin',
  'exec_command_end',
  'exec_command_output_delta',
  'patch_apply_begin',
  'patch_apply_end',
  'turn_diff',
  'entered_review_mode',
  'item_started',
  'item_completed',
  'thread_settings_applied',
  'mcp_tool_call_begin',
  'mcp_tool_call_end',
  'web_search_begin',
  'web_search_end',
  'background_event',
  'stream_error',
  'session_configured',
  'context_compacted',
  'undo_started',
  'undo_completed',
]);
/** Top-level record types that are bookkeeping: counted, not kept. */
export const QUIET_RECORDS = new Set(['token_usage_record', 'world_state']);
/** Turn ends: event texts not seen in response items are added here. */
export const TURN_ENDS = new Set(['task_complete', 'turn_aborted', 'task_started']);

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isRecord)
    .map((b) => (typeof b.text === 'string' ? b.text : ''))
    .join('\n');
}

/** Whether a command's output says it failed: a non-zero exit code, a sandbox refusal, a patch that did not apply. */
export function outputSaysFailed(text: string): boolean {
  const code = /(?:^|\n)\s*(?:Exit code:|Process exited with code)\s*(-?\d+)/.exec(text)?.[1];
  if (code !== undefined) return Number(code) !== 0;
  return /^(?:execution error|sandbox (?:error|denied)|failed in sandbox|error: failed to apply patch|apply_patch verification failed|invalid patch)/im.test(
    text.slice(0, 4096),
  );
}

/** A function call's output: its text, and whether it failed. */
export function outputOf(raw: unknown): { output: string; error: boolean; metadata?: Record<string, unknown> } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { output: raw, error: outputSaysFailed(raw) };
    }
  }
  if (isRecord(value) && typeof value.output === 'string') {
    const metadata = isRecord(value.metadata) ? value.metadata : undefined;
    const code = metadata?.exit_code;
    return { output: value.output, error: typeof code === 'number' ? code !== 0 : outputSaysFailed(value.output), metadata };
  }
  if (isRecord(value) && typeof value.content === 'string') return { output: value.content, error: value.success === false };
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return { output: text, error: outputSaysFailed(text) };
}

/** A review's findings as text. */
export function reviewText(output: JsonRecord): string {
  const lines: string[] = [];
  if (typeof output.overall_explanation === 'string') lines.push(output.overall_explanation);
  for (const f of Array.isArray(output.findings) ? output.findings.filter(isRecord) : []) {
    const where = isRecord(f.code_location) ? str(f.code_location.absolute_file_path) : undefined;
    lines.push(`- ${typeof f.priority === 'number' ? `[P${f.priority}] ` : ''}${str(f.title) ?? ''}${where ? ` (${where})` : ''}`);
    if (typeof f.body === 'string') lines.push(`  ${f.body.replace(/\n/g, '\n  ')}`);
  }
  return lines.join('\n') || JSON.stringify(output);
}

export function planTodos(plan: unknown): Todo[] | undefined {
  if (!Array.isArray(plan)) return undefined;
  return plan
    .filter(isRecord)
    .map((step) => ({ content: String(step.step ?? ''), status: String(step.status ?? 'pending'), priority: 'medium' }));
}
