import { formatTime, type IndexedSession, type MessageWithParts, type Part, type Session, type Todo } from '../index.js';
import { ago, type colors } from './output.js';

type Colors = ReturnType<typeof colors>;

/** One line per session for `list`. */
export function renderRow(s: IndexedSession & { project?: { name?: string; worktree: string } | null }, c: Colors, utc = false): string {
  if (!s.valid)
    return `${s.id}  ${c.dim(ago(s.time.updated, Date.now(), utc).padEnd(10))}  ${c.red('broken')}  ${s.error ?? 'info.json cannot be read'}`;
  const badges = [
    s.parentID ? c.cyan('child') : '',
    s.forkedFrom ? c.cyan('fork') : '',
    s.time.archived !== undefined ? c.dim('archived') : '',
    s.share ? c.green('shared') : '',
    s.status.type !== 'idle' ? (s.status.type === 'error' ? c.red(s.status.type) : c.yellow(s.status.type)) : '',
  ].filter(Boolean);
  return `${s.id}  ${c.dim(ago(s.time.updated, Date.now(), utc).padEnd(10))}  ${s.title}${badges.length ? `  ${badges.join(' ')}` : ''}`;
}

function renderPart(p: Part, c: Colors): string {
  switch (p.type) {
    case 'text':
      return p.synthetic ? c.dim(p.text) : p.text;
    case 'reasoning':
      return c.dim(`(thinking) ${p.text.split('\n')[0]?.slice(0, 120) ?? ''}`);
    case 'tool': {
      const state = p.state;
      const title = 'title' in state && state.title ? ` ${state.title}` : '';
      const status = state.status === 'error' ? c.red('error') : state.status === 'completed' ? c.green('done') : c.yellow(state.status);
      const error = state.status === 'error' ? `\n    ${c.red(state.error.split('\n')[0] ?? '')}` : '';
      return `${c.cyan(`⚙ ${p.tool}`)} ${status}${title}${error}`;
    }
    case 'file':
      return `📎 ${p.filename ?? p.url} ${c.dim(p.url)}`;
    case 'step-start':
      return '';
    case 'step-finish':
      return c.dim(`· step done (${p.reason}; ${p.tokens.input} in / ${p.tokens.output} out tokens, $${p.cost.toFixed(4)})`);
    case 'patch':
      return c.dim(`· patch ${p.hash.slice(0, 8)}: ${p.files.length} file${p.files.length === 1 ? '' : 's'} changed`);
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

/** The whole session for `show`: info, todos, and the conversation with tool calls summarised; times local (zone named) unless `utc`. */
export function renderSession(info: Session, todos: Todo[], messages: MessageWithParts[], c: Colors, utc = false): string {
  const when = (ms: number) => formatTime(ms, { utc });
  const lines = [
    c.bold(info.title),
    `${c.dim('id')}        ${info.id}`,
    `${c.dim('directory')} ${info.directory}`,
    `${c.dim('project')}   ${info.projectID}`,
  ];
  lines.push(`${c.dim('created')}   ${when(info.time.created)}    ${c.dim('updated')} ${when(info.time.updated)}`);
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
  for (const m of messages) {
    const who = m.info.role === 'user' ? c.bold('user') : c.bold(`assistant ${c.dim(`${m.info.providerID}/${m.info.modelID}`)}`);
    lines.push('', `── ${who} ${c.dim(`${when(m.info.time.created)}  ${m.info.id}`)}`);
    for (const p of m.parts) {
      const text = renderPart(p, c);
      // Line by line: a long text spread into push() would overflow the stack.
      if (text) for (const l of text.split('\n')) lines.push(`  ${l}`);
    }
    if (m.info.role === 'assistant' && m.info.error) lines.push(`  ${c.red(`error: ${m.info.error.name}`)}`);
  }
  return lines.join('\n');
}
