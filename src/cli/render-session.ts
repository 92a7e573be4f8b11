// renderer, which listing never needs.
import { agentEntry, duration, formatCostTotal, formatTime, shortPath } from '../basics.js';
import type { BrokenMessage, MessageWithParts, Part, Provenance, Session, Todo } from '../index.js';
import {
  attachmentLine,
  attachmentOf,
  type ChildRef,
  isSubAgentTool,
  quietKind,
  resumedFromOf,
  sessionAgent,
  subAgentChild,
  type TurnHead,
  toolSummary,
  turnsOf,
} from '../views.js';
import type { colors } from './output.js';
import { terminalMarkdown } from './terminal-markdown.js';

type Colors = ReturnType<typeof colors>;

function renderPart(p: Part, c: Colors, directory?: string, children?: readonly ChildRef[]): string {
  switch (p.type) {
    case 'text':
      return p.synthetic ? c.dim(p.text) : terminalMarkdown(p.text, c);
    case 'reasoning':
      return c.dim(`(thinking) ${p.text.split('\n')[0]?.slice(0, 120) ?? ''}`);
    case 'tool': {
      const t = toolSummary(p, directory);
      const status = t.failed ? c.red('failed') : t.status === 'completed' ? c.green('done') : c.yellow(t.status);
      // A failure's last lines: where the error usually is.
      const tail = t.failed ? t.output.trimEnd().split('\n').slice(-FAILED_TAIL) : [];
      const error = tail.map((l) => `\n    ${c.red(l.length > 200 ? `${l.slice(0, 199)}…` : l)}`).join('');
      const child = subAgentChild(p, children);
      return `${c.cyan(`⚙ ${t.tool}`)} ${t.argument} ${status}${t.ms !== undefined ? c.dim(` ${duration(t.ms)}`) : ''}${child ? c.dim(` → sub-agent ${child.id}`) : ''}${error}`;
    }
    case 'file':
      return c.cyan(attachmentLine(attachmentOf(p)));
    case 'step-start':
      return '';
    case 'step-finish':
      // Its tokens are in the message's header.
      return '';
    case 'patch':
      return c.dim(`· changed ${p.files.map((f) => shortPath(f, directory)).join(', ')}`);
    case 'snapshot':
      return c.dim(`· snapshot ${p.snapshot.slice(0, 8)}`);
    case 'agent':
      return c.cyan(`@${p.name}`);
    case 'subtask':
      return `${c.cyan(`→ ${p.agent}`)}: ${p.description}`;
    case 'retry':
      return c.yellow(`retry #${p.attempt}: ${p.error.data.message}`);
    case 'compaction':
      return c.dim(`· conversation compacted${p.auto ? ' (auto)' : ''}`);
  }
}

/** Lines of a failed tool call's output shown under it: its end, where the error usually is. */
const FAILED_TAIL = 3;

/** A turn's header line: models, how long, tokens and cost summed, tool calls and failures. */
function turnLine(h: TurnHead, c: Colors): string {
  const facts = [
    h.models.join(', ') || 'assistant',
    h.time.end > h.time.start ? duration(h.time.end - h.time.start) : '',
    `${h.tokens.input} in / ${h.tokens.output} out`,
    h.cost || h.unpriced ? formatCostTotal(h) : '',
    h.toolCalls ? `${h.toolCalls} tool call${h.toolCalls === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return `${c.bold(facts[0] as string)} ${c.dim(facts.slice(1).join(' · '))}${h.failed ? ` ${c.red(`${h.failed} failed`)}` : ''}${h.error ? ` ${c.red('error')}` : ''}`;
}

/** The message file that could not be read, when this is one. */
export function brokenOf(m: MessageWithParts | BrokenMessage): BrokenMessage | undefined {
  return 'error' in m && (m as BrokenMessage).error?.name === 'CorruptFileError' ? (m as BrokenMessage) : undefined;
}

/** The whole session for `show`: info, todos, and the conversation with tool calls summarised; times local (zone named) unless `utc`. */
export function renderSession(
  info: Session,
  todos: Todo[],
  messages: ReadonlyArray<MessageWithParts | BrokenMessage>,
  c: Colors,
  utc = false,
  provenance?: Provenance,
  children?: readonly ChildRef[],
  /** Filled with the line each message starts on (for a pager opened at a message). */
  starts?: Map<string, number>,
): string {
  const when = (ms: number) => formatTime(ms, { utc });
  const lines = [
    c.bold(info.title),
    `${c.dim('id')}        ${info.id}`,
    `${c.dim('directory')} ${info.directory}`,
    `${c.dim('project')}   ${info.projectID}`,
  ];
  lines.push(`${c.dim('created')}   ${when(info.time.created)}    ${c.dim('updated')} ${when(info.time.updated)}`);
  if (provenance) {
    const own = provenance.sourceID ? ` ${provenance.sourceID}` : '';
    lines.push(`${c.dim('source')}    ${provenance.label}${own}${provenance.where ? c.dim(` (${provenance.where})`) : ''}`);
    if (provenance.gone !== undefined)
      lines.push(c.yellow(`source gone since ${when(provenance.gone)}: the agent no longer has it; this copy is kept as it was`));
  }
  if (info.parentID) lines.push(`${c.dim('parent')}    ${info.parentID}`);
  if (info.forkedFrom)
    lines.push(
      `${c.dim('forked')}    from ${info.forkedFrom.sessionID}${info.forkedFrom.messageID ? ` at ${info.forkedFrom.messageID}` : ''}`,
    );
  const resumed = resumedFromOf(info);
  if (resumed) {
    const agent = sessionAgent(info);
    lines.push(
      `${c.dim('resumed')}   from ${resumed.session} in ${agentEntry(agent)?.label ?? agent} (${when(resumed.at)}); this session holds what was added there`,
    );
  }
  if (info.share) lines.push(`${c.dim('shared')}    ${info.share.url}`);
  if (info.time.archived !== undefined) lines.push(`${c.dim('archived')}  ${when(info.time.archived)}`);
  if (info.revert) lines.push(c.yellow(`reverted to ${info.revert.messageID}${info.revert.partID ? ` (part ${info.revert.partID})` : ''}`));
  if (todos.length) {
    lines.push('', c.bold('Todos'));
    const mark: Record<string, string> = { completed: '[x]', in_progress: '[~]', cancelled: '[-]' };
    for (const t of todos) lines.push(`  ${mark[t.status] ?? '[ ]'} ${t.content} ${c.dim(`(${t.priority})`)}`);
  }
  const total = { input: 0, output: 0, cost: 0, estimated: 0, unpriced: 0 };
  for (const { head, messages: turn } of turnsOf(messages)) {
    total.input += head.tokens.input;
    total.output += head.tokens.output;
    total.cost += head.cost;
    total.estimated += head.estimated;
    total.unpriced += head.unpriced;
    for (const item of turn) {
      const broken = brokenOf(item);
      if (broken) {
        // A file that cannot be read, in its place: what is wrong and where (the rest is shown as usual).
        lines.push(
          '',
          `── ${c.red(`unreadable message ${broken.info.id}`)}`,
          `  ${c.red(broken.error.message.includes(broken.error.path) ? broken.error.message : `${broken.error.path}: ${broken.error.message}`)}`,
        );
        continue;
      }
      const m = item as MessageWithParts;
      const quiet = quietKind(m);
      const at = lines.length;
      if (quiet) {
        // What the agent or its harness put in the user's place: one quiet line.
        const text = m.parts
          .flatMap((p) => (p.type === 'text' ? [p.text] : []))
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim();
        lines.push(c.dim(`  · ${quiet}${text ? `: ${text.length > 100 ? `${text.slice(0, 99)}…` : text}` : ''}`));
        starts?.set(m.info.id, at);
        continue;
      }
      if (m.info.role === 'user') {
        lines.push('', `${c.bold('▍You')} ${c.dim(`${when(m.info.time.created)}  ${m.info.id}`)}`);
      } else if (m === turn.find((x) => !brokenOf(x) && (x as MessageWithParts).info.role === 'assistant')) {
        lines.push('', `── ${turnLine(head, c)}`);
      }
      // Where a pager opens at this message: its header line when it has one.
      starts?.set(m.info.id, lines.length > at ? lines.length - 1 : at);
      for (const p of m.parts) {
        const text = renderPart(p, c, info.directory, children);
        // Line by line: a long text spread into push() would overflow the stack.
        if (text) for (const l of text.split('\n')) lines.push(`  ${l}`);
      }
      if (m.info.role === 'assistant' && m.info.error) lines.push(`  ${c.red(`error: ${m.info.error.name}`)}`);
    }
  }
  lines.push(
    '',
    c.dim(
      `${messages.length} message${messages.length === 1 ? '' : 's'} · ${total.input} tokens in / ${total.output} out · ${formatCostTotal(total)}`,
    ),
  );
  return lines.join('\n');
}

/** The session calls sub-agents (its child sessions are worth looking up). */
export function hasSubAgentCalls(messages: ReadonlyArray<MessageWithParts | BrokenMessage>): boolean {
  return messages.some((m) => !brokenOf(m) && (m as MessageWithParts).parts.some((p) => p.type === 'tool' && isSubAgentTool(p.tool)));
}

/** The message a reader asked to open at: by its ID, or the first holding all the words (any case) in its text, reasoning or tool calls. */
export function messageAt(
  messages: ReadonlyArray<MessageWithParts | BrokenMessage>,
  ask: { id: string } | { words: string },
): string | undefined {
  if ('id' in ask) return messages.find((m) => m.info.id === ask.id)?.info.id;
  const words = ask.words.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return undefined;
  for (const m of messages) {
    if (brokenOf(m)) continue;
    const text = (m as MessageWithParts).parts
      .map((p) => (p.type === 'text' || p.type === 'reasoning' ? p.text : p.type === 'tool' ? JSON.stringify(p.state) : ''))
      .join('\n')
      .toLowerCase();
    if (words.every((w) => text.includes(w))) return m.info.id;
  }
  return undefined;
}
