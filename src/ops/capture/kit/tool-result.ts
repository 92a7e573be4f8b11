import type { Part } from '../../../model/part.js';

/** A tool's result, as the agent recorded it. */
export interface ToolResult {
  output: string;
  error: boolean;
  time: number;
  metadata?: Record<string, unknown>;
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
