import {
  AGENT_NAMES,
  type Dimension,
  type Figures,
  formatCostTotal,
  formatCount,
  formatDollars,
  formatSpan,
  type UsageAnswer,
  type UsageAsk,
  type UsageRow,
} from '../../index.js';
import { type Bar, OTHER, PALETTE, stackedBars } from './charts.js';
import { html, type Raw, raw } from './html.js';

// The usage page: what the sessions cost over time, split by agent or model,
// as server-drawn charts with the same figures in tables below; the filters
// are a plain GET form, so a view is a link.

type Period = 'day' | 'week' | 'month';
type Split = 'agent' | 'model';

/** The page's filters as the form sends them. */
export interface UsageFilters {
  since?: string;
  until?: string;
  project?: string;
  agent?: string;
  period?: Period;
  split: Split;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** Agents a session can come from. */
export const USAGE_AGENTS = [...AGENT_NAMES, 'archive'];

/** The filters of a request (anything unknown is dropped, not an error: the form shows what was used). */
export function usageFilters(q: (name: string) => string | undefined): UsageFilters {
  const pick = <T extends string>(v: string | undefined, allowed: readonly T[]) => (allowed.includes(v as T) ? (v as T) : undefined);
  const date = (v: string | undefined) => (v && DATE.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined);
  const f: UsageFilters = { split: pick(q('split'), ['agent', 'model'] as const) ?? 'agent' };
  const since = date(q('since'));
  const until = date(q('until'));
  const period = pick(q('period'), ['day', 'week', 'month'] as const);
  const agent = pick(q('agent'), USAGE_AGENTS);
  const project = q('project')?.trim();
  if (since) f.since = since;
  if (until) f.until = until;
  if (period) f.period = period;
  if (agent) f.agent = agent;
  if (project) f.project = project;
  return f;
}

const localMidnight = (date: string) => new Date(`${date}T00:00:00`).getTime();

/** The question the filters ask (days in the server's zone: the person's machine). */
export function usageAsk(f: UsageFilters): UsageAsk {
  const ask: UsageAsk = {};
  if (f.since) ask.since = localMidnight(f.since);
  if (f.until) {
    const d = new Date(localMidnight(f.until));
    d.setDate(d.getDate() + 1);
    ask.until = d.getTime();
  }
  if (f.project) ask.project = f.project;
  if (f.agent) ask.agents = [f.agent];
  return ask;
}

/** The period that gives a readable number of bars for a span. */
export function periodFor(span: { first: number; last: number } | undefined): Period {
  const days = span ? (span.last - span.first) / DAY_MS : 0;
  return days <= 62 ? 'day' : days <= 400 ? 'week' : 'month';
}

const pad = (n: number) => String(n).padStart(2, '0');
const dayKey = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** Every period's key from the first time to the last (local), so the time axis has no holes. */
export function periodKeys(period: Period, first: number, last: number): string[] {
  const d = new Date(first);
  d.setHours(0, 0, 0, 0);
  if (period === 'week') d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  if (period === 'month') d.setDate(1);
  const keys: string[] = [];
  while (d.getTime() <= last && keys.length < 5000) {
    keys.push(period === 'month' ? dayKey(d).slice(0, 7) : dayKey(d));
    if (period === 'day') d.setDate(d.getDate() + 1);
    else if (period === 'week') d.setDate(d.getDate() + 7);
    else d.setMonth(d.getMonth() + 1);
  }
  return keys;
}

const COLUMNS = ['Sessions', 'Messages', 'Tool calls', 'Input', 'Output', 'Cache', 'Cost', 'Active'];

function figureCells(f: Figures): Raw {
  const cost = `${f.estimated > 0 && f.estimated === f.cost ? '~' : ''}${formatDollars(f.cost)}${f.unpriced.replies ? '+' : ''}`;
  return html`<td class="num">${formatCount(f.sessions)}</td><td class="num">${formatCount(f.messages)}</td><td class="num">${formatCount(f.tools)}${f.failedTools ? html` <span class="failed" title="failed">(${formatCount(f.failedTools)} failed)</span>` : ''}</td><td class="num">${formatCount(f.tokens.input)}</td><td class="num">${formatCount(f.tokens.output + f.tokens.reasoning)}</td><td class="num">${formatCount(f.tokens.cacheRead + f.tokens.cacheWrite)}</td><td class="num">${cost}</td><td class="num">${formatSpan(f.activeMs)}</td>`;
}

function table(caption: string, heads: string[], rows: Array<{ cells: Raw[]; figures: Figures }>): Raw {
  if (!rows.length) return html``;
  return html`<div class="scroll"><table class="usage-table"><caption>${caption}</caption><thead><tr>${heads.map((h) => html`<th>${h}</th>`)}${COLUMNS.map((c) => html`<th class="num">${c}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.cells.map((c) => html`<td>${c}</td>`)}${figureCells(r.figures)}</tr>`)}</tbody></table></div>`;
}

/** Series of the split, heaviest first, the ninth and later folded into "other". */
function seriesOf(rows: readonly UsageRow[], label: (key: string) => string): { order: string[]; name: (key: string) => string } {
  // A series with nothing to draw (user messages, split by model) has no place in the legend.
  const ranked = rows
    .filter((r) => r.figures.cost > 0 || r.figures.tokens.total > 0)
    .sort((a, b) => b.figures.cost - a.figures.cost || b.figures.tokens.total - a.figures.tokens.total);
  const kept = ranked.slice(0, PALETTE.length - 1).map((r) => label(r.key[0] ?? ''));
  const keptSet = new Set(kept);
  const order = ranked.length > kept.length ? [...kept, OTHER] : kept;
  return { order, name: (key) => (keptSet.has(label(key)) ? label(key) : OTHER) };
}

/** The page's body. */
export function renderUsagePage(r: UsageAnswer & { complete: boolean }, f: UsageFilters, period: Period): Raw {
  const projects = new Map(Object.entries(r.projects));
  const split = f.split;
  const projectName = (id: string) => projects.get(id) ?? id;
  const splitLabel = (key: string) => (split === 'model' ? key || 'user messages' : key);
  const form = html`<form method="get" action="/ui/usage" class="filters">
<label>From <input type="date" name="since" value="${f.since ?? ''}"></label>
<label>To <input type="date" name="until" value="${f.until ?? ''}"></label>
<label>Project <select name="project"><option value="">All projects</option>${[...projects].map(([id, name]) => html`<option value="${id}"${raw(id === f.project ? ' selected' : '')}>${name}</option>`)}</select></label>
<label>Agent <select name="agent"><option value="">All agents</option>${USAGE_AGENTS.map((a) => html`<option${raw(a === f.agent ? ' selected' : '')}>${a}</option>`)}</select></label>
<label>By <select name="period"><option value="">${f.period ? 'automatic' : `automatic (${period})`}</option>${(['day', 'week', 'month'] as const).map((p) => html`<option${raw(p === f.period ? ' selected' : '')}>${p}</option>`)}</select></label>
<label>Split by <select name="split">${(['agent', 'model'] as const).map((s) => html`<option${raw(s === split ? ' selected' : '')}>${s}</option>`)}</select></label>
<button type="submit">Show</button> <a href="/ui/usage">Reset</a></form>`;
  const t = r.total;
  if (t.messages === 0) return html`<h1>Usage</h1>${form}<p role="status">No messages in this selection.</p>`;

  const both = r.tables[`${period},${split}`] ?? [];
  const bySplit = r.tables[split] ?? [];
  const { order, name } = seriesOf(bySplit, splitLabel);
  const colours = new Map(order.map((k, i) => [k, k === OTHER ? (PALETTE[PALETTE.length - 1] as string) : (PALETTE[i] as string)]));
  const keys = r.span ? periodKeys(period, r.span.first, r.span.last) : [];
  const cost = new Map<string, Bar>(keys.map((k) => [k, { label: k, values: new Map() }]));
  const tokens = new Map<string, Bar>(keys.map((k) => [k, { label: k, values: new Map() }]));
  for (const row of both) {
    const [at = '', key = ''] = row.key;
    const series = name(key);
    for (const [bars, v] of [
      [cost, row.figures.cost],
      [tokens, row.figures.tokens.total],
    ] as const) {
      const bar = bars.get(at) ?? { label: at, values: new Map<string, number>() };
      bars.set(at, bar);
      bar.values.set(series, (bar.values.get(series) ?? 0) + v);
    }
  }
  const sorted = (m: Map<string, Bar>) => [...m.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));

  const summary = html`<p class="totals" role="status"><strong>${formatCostTotal({ cost: t.cost, estimated: t.estimated, unpriced: t.unpriced.replies })}</strong> over ${formatCount(t.sessions)} session${t.sessions === 1 ? '' : 's'}, ${formatCount(t.messages)} messages, ${formatCount(t.tools)} tool calls${t.failedTools ? ` (${formatCount(t.failedTools)} failed)` : ''}, ${formatSpan(t.activeMs)} active.<br>
<span class="meta">Tokens: ${formatCount(t.tokens.input)} input, ${formatCount(t.tokens.output)} output, ${formatCount(t.tokens.reasoning)} reasoning, ${formatCount(t.tokens.cacheRead)} cache read, ${formatCount(t.tokens.cacheWrite)} cache write.</span></p>
${t.estimated > 0 ? html`<p class="meta">~ marks costs reckoned from tokens at list prices of ${r.prices.date} (${r.prices.source}); the rest is the agents' own.</p>` : ''}
${r.unpriced.length ? html`<p class="warning">Not in the cost (+): ${r.unpriced.map((u) => `${u.model} (${u.replies} repl${u.replies === 1 ? 'y' : 'ies'}, ${formatCount(u.tokens)} tokens)`).join(', ')} — no price for these models; <code>sarc stats --prices FILE</code> takes a price table.</p>` : ''}
${r.complete ? '' : html`<p class="meta" role="status">The index is still being built: these figures will grow.</p>`}`;

  const periodRows = (r.tables[period] ?? []).map((row) => ({ cells: [html`${row.key[0]}`], figures: row.figures }));
  const splitRows = [...bySplit]
    .sort((a, b) => b.figures.cost - a.figures.cost)
    .map((row) => ({ cells: [html`${splitLabel(row.key[0] ?? '')}`], figures: row.figures }));
  const projectRows = [...(r.tables.project ?? [])]
    .sort((a, b) => b.figures.cost - a.figures.cost)
    .map((row) => ({ cells: [html`${projectName(row.key[0] ?? '')}`], figures: row.figures }));
  const heaviest = r.heaviest.map((row) => ({
    cells: [
      html`<a href="/ui/session/${row.key[0] ?? ''}">${row.session?.title || row.key[0]}</a>`,
      html`${row.session?.agent ?? ''}`,
      html`${projectName(row.session?.projectID ?? '')}`,
    ],
    figures: row.figures,
  }));
  return html`<h1>Usage</h1>${form}${summary}
<div class="charts">${stackedBars(`Cost by ${period}, by ${split}`, sorted(cost), order, colours, formatDollars)}
${stackedBars(`Tokens by ${period}, by ${split}`, sorted(tokens), order, colours, formatCount)}</div>
${table(`By ${period}`, [period === 'day' ? 'Day' : period === 'week' ? 'Week of' : 'Month'], periodRows)}
${table(`By ${split}`, [split === 'agent' ? 'Agent' : 'Model'], splitRows)}
${table('By project', ['Project'], projectRows)}
${table('Heaviest sessions', ['Session', 'Agent', 'Project'], heaviest)}`;
}

/** The tables the page shows for a period and a split. */
export function usageTables(period: Period, split: Split): Dimension[][] {
  return [[period, split], [period], [split], ['project']];
}
