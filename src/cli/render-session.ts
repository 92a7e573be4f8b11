// renderer, which listing never needs.
import { duration, formatCostTotal, formatReplyCost, formatTime, replyCost, shortPath, toolSummary } from '../basics.js';
import type { BrokenMessage, MessageWithParts, Part, Provenance, Session, Todo } from '../index.js';
import type { colors } from './output.js';
import { terminalMarkdown } from './terminal-markdown.js';

type Colors = ReturnType<typeof colors>;

function renderPart(p: Part, c: Colors, directory?: string): string {
  switch (p.type) {
    case 'text':
      return p.synthetic ? c.dim(p.text) : terminalMarkdown(p.text, c);
    case 'reasoning':
      return c.dim(`(thinking) ${p.text.split('\n')[0]?.slice(0, 120) ?? ''}`);
    case 'tool': {
      const t = toolSummary(p, directory);
      const status = t.status === 'error' ? c.red('error') : t.status === 'completed' ? c.green('done') : c.yellow(t.status);
      const error = t.status === 'error' ? `\n    ${c.red(t.output.split('\n')[0] ?? '')}` : '';
      return `${c.cyan(`⚙ ${t.tool}`)} ${t.argument} ${status}${t.ms !== undefined ? c.dim(` ${duration(t.ms)}`) : ''}${error}`;
    }
    case 'file':
      return `📎 ${p.filename ?? p.url} ${c.dim(p.url)}`;
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
  if (info.share) lines.push(`${c.dim('shared')}    ${info.share.url}`);
  if (info.time.archived !== undefined) lines.push(`${c.dim('archived')}  ${when(info.time.archived)}`);
  if (info.revert) lines.push(c.yellow(`reverted to ${info.revert.messageID}${info.revert.partID ? ` (part ${info.revert.partID})` : ''}`));
  if (todos.length) {
    lines.push('', c.bold('Todos'));
    const mark: Record<string, string> = { completed: '[x]', in_progress: '[~]', cancelled: '[-]' };
    for (const t of todos) lines.push(`  ${mark[t.status] ?? '[ ]'} ${t.content} ${c.dim(`(${t.priority})`)}`);
  }
  const total = { input: 0, output: 0, cost: 0, estimated: 0, unpriced: 0 };
  for (const item of messages) {
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
    let who = c.bold('user');
    if (m.info.role === 'assistant') {
      const { tokens } = m.info;
      const cost = replyCost(m.info);
      total.input += tokens.input;
      total.output += tokens.output;
      if (!cost) total.unpriced++;
      else {
        total.cost += cost.cost;
        if (cost.estimated) total.estimated += cost.cost;
      }
      who = `${c.bold('assistant')} ${c.dim(`${m.info.providerID}/${m.info.modelID} · ${tokens.input} in / ${tokens.output} out${cost?.cost === 0 ? '' : ` · ${formatReplyCost(cost)}`}`)}`;
    }
    lines.push('', `── ${who} ${c.dim(`${when(m.info.time.created)}  ${m.info.id}`)}`);
    for (const p of m.parts) {
      const text = renderPart(p, c, info.directory);
      // Line by line: a long text spread into push() would overflow the stack.
      if (text) for (const l of text.split('\n')) lines.push(`  ${l}`);
    }
    if (m.info.role === 'assistant' && m.info.error) lines.push(`  ${c.red(`error: ${m.info.error.name}`)}`);
  }
  lines.push(
    '',
    c.dim(
      `${messages.length} message${messages.length === 1 ? '' : 's'} · ${total.input} tokens in / ${total.output} out · ${formatCostTotal(total)}`,
    ),
  );
  return lines.join('\n');
}
