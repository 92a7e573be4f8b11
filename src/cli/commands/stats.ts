import type { Command } from 'commander';
import { AGENT_NAMES, formatCount, formatDollars, formatSpan } from '../../basics.js';
import type { Dimension, Figures, UsageAnswer, UsageAsk, UsageResult, UsageRow } from '../../index.js';
import type { CliContext } from '../context.js';
import { colors, emit, positiveInt, UsageError } from '../output.js';
import type { Runner } from '../runner.js';
import { parseWhen, withSearchIndexHere } from './catalog.js';

const GROUPINGS: readonly Dimension[] = ['day', 'week', 'month', 'session', 'project', 'model', 'agent'];
/** Agents a session can come from: the adapters', and `archive` for sessions made here. */
const AGENTS = [...AGENT_NAMES, 'archive'];

interface StatsOptions {
  since?: string;
  until?: string;
  project?: string;
  agent?: string[];
  by: string;
  top: number;
  prices?: string;
}

/** `--until 2026-11-30` means to the end of that day; other forms are a moment. */
function untilOf(value: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = new Date(`${value}T00:00:00`);
    d.setDate(d.getDate() + 1);
    return d.getTime();
  }
  return parseWhen(value, '--until');
}

function groupings(by: string): Dimension[] {
  const out: Dimension[] = [];
  for (const g of by.split(',').map((s) => s.trim())) {
    if (!g) continue;
    if (!GROUPINGS.includes(g as Dimension)) throw new UsageError(`invalid --by ${JSON.stringify(g)}: expected ${GROUPINGS.join(', ')}`);
    if (!out.includes(g as Dimension)) out.push(g as Dimension);
  }
  return out;
}

function agents(given: string[] | undefined): string[] | undefined {
  if (!given?.length) return undefined;
  const names = given
    .flatMap((a) => a.split(','))
    .map((a) => a.trim())
    .filter(Boolean);
  for (const a of names)
    if (!AGENTS.includes(a)) throw new UsageError(`invalid --agent ${JSON.stringify(a)}: expected ${AGENTS.join(', ')}`);
  return names;
}

/** Usage figures: from a running watcher when it can answer (shipped prices; the library not even loaded), else from the search index caught up here. */
async function figuresFor(ctx: CliContext, ask: UsageAsk, pricesFile: string | undefined): Promise<UsageAnswer> {
  if (!pricesFile) {
    const asked = await ctx.ask<UsageAnswer>({ op: 'usage', query: ask });
    if (asked) return asked;
  }
  return withSearchIndexHere(ctx, async (library, options) => {
    const archive = await ctx.archive();
    const prices = pricesFile ? await library.loadPrices(pricesFile) : undefined;
    return library.answerUsage(archive, ask, (query) => library.usageIndex(archive, query, { ...options, prices }));
  });
}

const COLUMNS = ['sessions', 'messages', 'tools', 'input', 'output', 'cache', 'cost', 'active'] as const;

function cells(f: Figures): string[] {
  const tools = `${formatCount(f.tools)}${f.failedTools ? ` (${formatCount(f.failedTools)}✗)` : ''}`;
  const cost = `${f.estimated > 0 && f.estimated === f.cost ? '~' : ''}${formatDollars(f.cost)}${f.unpriced.replies ? '+' : ''}`;
  return [
    formatCount(f.sessions),
    formatCount(f.messages),
    tools,
    formatCount(f.tokens.input),
    formatCount(f.tokens.output + f.tokens.reasoning),
    formatCount(f.tokens.cacheRead + f.tokens.cacheWrite),
    cost,
    formatSpan(f.activeMs),
  ];
}

/** A table: the label columns left-aligned (each cut to 40 characters), the figures right-aligned. */
function table(heads: string[], rows: Array<{ labels: string[]; figures: Figures }>, c: ReturnType<typeof colors>): string {
  const cut = (v: string) => (v.length > 40 ? `${v.slice(0, 39)}…` : v);
  const body = rows.map((r) => [...r.labels.map(cut), ...cells(r.figures)]);
  const header = [...heads, ...COLUMNS];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] as string).length)));
  const line = (r: string[]) =>
    r.map((v, i) => (i < heads.length ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join('  ');
  return [c.bold(line(header).trimEnd()), ...body.map((r) => line(r).trimEnd())].join('\n');
}

/** A row's label columns: a project by name, a session by title, agent and project. */
function labelsOf(d: Dimension, row: UsageRow, names: Map<string, string>): string[] {
  const v = row.key[0] ?? '';
  if (d === 'project') return [names.get(v) ?? v];
  if (d === 'model') return [v || '(user messages)'];
  if (d === 'session') {
    const s = row.session;
    return [s?.title || v, v, s?.agent ?? '', names.get(s?.projectID ?? '') ?? s?.projectID ?? ''];
  }
  return [v];
}

const SESSION_HEADS = ['session', 'id', 'agent', 'project'];

function render(result: UsageResult, dims: Dimension[], names: Map<string, string>, c: ReturnType<typeof colors>): string {
  const t = result.total;
  if (t.messages === 0) return c.dim('no messages in this range');
  const out: string[] = [];
  const tokens = t.tokens;
  out.push(
    `${c.bold(formatDollars(t.cost))} over ${formatCount(t.sessions)} session${t.sessions === 1 ? '' : 's'}, ${formatCount(t.messages)} messages, ${formatCount(t.tools)} tool calls${t.failedTools ? ` (${formatCount(t.failedTools)} failed)` : ''}, ${formatSpan(t.activeMs)} active`,
    c.dim(
      `tokens: ${formatCount(tokens.input)} input, ${formatCount(tokens.output)} output, ${formatCount(tokens.reasoning)} reasoning, ${formatCount(tokens.cacheRead)} cache read, ${formatCount(tokens.cacheWrite)} cache write`,
    ),
  );
  if (t.estimated > 0)
    out.push(
      c.dim(
        `${formatDollars(t.estimated)} of it reckoned from tokens at list prices of ${result.prices.date} (~); the rest is the agents' own`,
      ),
    );
  if (result.unpriced.length) {
    const models = result.unpriced.map(
      (u) => `${u.model} (${u.replies} repl${u.replies === 1 ? 'y' : 'ies'}, ${formatCount(u.tokens)} tokens)`,
    );
    out.push(c.yellow(`unpriced, not in the cost (+): ${models.join(', ')} — give prices with --prices FILE`));
  }
  for (const d of dims) {
    const rows = (result.tables[d] ?? []).map((r) => ({ labels: labelsOf(d, r, names), figures: r.figures }));
    out.push('', table(d === 'session' ? SESSION_HEADS : [d], rows, c));
  }
  if (result.heaviest.length) {
    const rows = result.heaviest.map((r) => ({ labels: labelsOf('session', r, names), figures: r.figures }));
    out.push('', c.bold('heaviest sessions'), table(SESSION_HEADS, rows, c), c.dim(`read one: sarc show ${result.heaviest[0]?.key[0]}`));
  }
  return out.join('\n');
}

/** `sarc stats`: tokens, cost, messages, tool calls and active time, by day, week, month, session, project, model or agent. */
export function registerStatsCommands(program: Command, run: Runner): void {
  program
    .command('stats')
    .alias('usage')
    .description(
      'what the sessions cost: tokens by kind, dollars, sessions, messages, tool calls and active time, in tables by day, week, month, session, project, model or agent',
    )
    .option('--since <when>', 'from this time on: a date (2026-11-01), or back from now (12h, 7d, 2w)')
    .option('--until <when>', 'up to this time: a date counts whole (2026-11-30 is up to its end), or a span as in --since')
    .option('-p, --project <name>', 'only this project: its name, its folder, or its ID')
    .option('--agent <name...>', `only sessions from these agents (${AGENTS.join(', ')})`)
    .option('--by <groupings>', `tables, comma-separated: ${GROUPINGS.join(', ')}`, 'month,model,agent')
    .option('--top <n>', 'the heaviest sessions listed (0: none)', (v) => (v === '0' ? 0 : positiveInt(v)), 5)
    .option(
      '--prices <file>',
      "a price table to use instead of the shipped one: this package's data/prices.json format or LiteLLM's model_prices_and_context_window.json",
    )
    .addHelpText(
      'after',
      `
A source's own cost wins (OpenCode, Pi, Cline, …). Replies that carry tokens
but no cost (Claude Code, Codex, Gemini CLI, …) are priced from a table shipped
with the package (its date and source in \`--json\` under "prices"), never fetched;
a model it lacks is counted as unpriced, never as $0. Active time: each session's
time from message to message, leaving out pauses over five minutes. Days, weeks
(from Monday) and months are the local time zone's (--utc: UTC's).

Examples:
  sarc stats --since 7d --by day
  sarc stats --project shop --by week,model
  sarc stats --agent claude-code,codex --since 2026-11-01 --until 2026-11-30
  sarc stats --by session --top 0 --json | jq '.tables.session[] | {id: .key[0], cost: .figures.cost}'`,
    )
    .action(
      run(async (ctx, opts: StatsOptions) => {
        const dims = groupings(opts.by);
        const ask: UsageAsk = {
          since: opts.since === undefined ? undefined : parseWhen(opts.since, '--since'),
          until: opts.until === undefined ? undefined : untilOf(opts.until),
          agents: agents(opts.agent),
          timeZone: ctx.options.utc ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone,
          tables: dims.map((d) => [d]),
          top: opts.top,
          project: opts.project,
        };
        const result = await figuresFor(ctx, ask, opts.prices);
        emit(ctx.options, result, () => render(result, dims, new Map(Object.entries(result.projects)), colors()));
      }),
    );
}
