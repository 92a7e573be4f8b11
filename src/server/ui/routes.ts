import { timingSafeEqual } from 'node:crypto';
import { homedir } from 'node:os';
import type { Context, Hono } from 'hono';
import {
  AGENTS,
  agentEntry,
  attachmentOf,
  type BrokenMessage,
  exportSessions,
  isArchiveError,
  isId,
  type MessageWithParts,
  parseJsonInput,
  planTurns,
  provenanceOf,
  resumedFromOf,
  type SearchHit,
  type SessionIndex,
  scannerFor,
  sessionAgent,
  sessionMarkdown,
  shortFolder,
} from '../../index.js';
import type { ServerActions, ServerDeps } from '../actions.js';
import { BadRequest, errorMessage, HttpRefusal, toErrorResponse } from '../errors.js';
import { textStream } from '../streams.js';
import { askUsage } from '../usage.js';
import { dataLink, FAVICON, html, LOCAL_TIMES, page, pageFrame, type Raw, raw, timeTag } from './html.js';
import { csrfField, type MessageView, renderChanges, renderTodos, renderUsage, sessionUsage, streamTurns } from './render.js';
import { periodFor, renderUsagePage, usageAsk, usageFilters, usageTables } from './usage-page.js';

/** Sessions per page of search results. */
const SEARCH_PAGE = 20;
/** The search page's time filter: how far back. */
const SINCE: Record<string, number> = { '1d': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '1y': 365 * 86_400_000 };
const SINCE_LABEL: Record<string, string> = { '1d': 'Last day', '7d': 'Last week', '30d': 'Last month', '1y': 'Last year' };

/** Messages per page of a conversation: at least this many, then on to the end of the turn… */
const PAGE = 100;
/** …but never more than this (a longer turn continues on the next page). */
const PAGE_MAX = 400;

async function* joinStreams(...streams: AsyncIterable<string>[]): AsyncGenerator<string> {
  for (const s of streams) yield* s;
}

function badges(s: {
  id: string;
  parentID?: string;
  forkedFrom?: unknown;
  time: { archived?: number };
  share?: string;
  status: { type: string };
}): Raw {
  return html`${s.status.type !== 'idle' ? html`<span class="badge ${s.status.type}" data-status="${s.id}">${s.status.type}</span>` : html`<span class="badge" data-status="${s.id}" hidden></span>`}${s.forkedFrom ? html`<span class="badge fork">fork</span>` : ''}${s.parentID ? html`<span class="badge child">child</span>` : ''}${s.time.archived !== undefined ? html`<span class="badge">archived</span>` : ''}${s.share ? html`<span class="badge">shared</span>` : ''}`;
}

const HTML = { 'content-type': 'text/html; charset=UTF-8' };

/** A start, the pieces, an end: one stream of text. */
export async function* framed(start: string, pieces: AsyncIterable<string>, end: string): AsyncGenerator<string> {
  yield start;
  yield* pieces;
  yield end;
}

/** What the web UI needs besides the library. */
export interface UiOptions {
  /** The token every form carries and every POST must return (a per-server secret). */
  csrfToken: string;
}

/** An HTML page with the response's CSP nonce (set by the secure-headers middleware). */
/** Roughly how many characters of text a value holds (without building its JSON). */
function textSize(value: unknown): number {
  let n = 0;
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') n += v.length;
    else if (v && typeof v === 'object') for (const x of Object.values(v)) stack.push(x);
  }
  return n;
}

/** The warning of a page that shows secrets (its info, todos and messages scanned in bounded batches), or nothing. */
async function pageSecrets(
  archive: Parameters<typeof scannerFor>[0],
  head: unknown[],
  messages: AsyncIterable<MessageWithParts | BrokenMessage>,
): Promise<Raw> {
  const scanner = await scannerFor(archive, { create: false });
  const kinds = new Map<string, number>();
  const scan = async (batch: unknown[]) => {
    for (const f of (await scanner.redact(batch)).found) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  };
  await scan(head);
  let batch: unknown[] = [];
  let size = 0;
  // A page's scan reads at most 8 MB of text: a page of huge messages is still quick to open.
  let budget = 8 * 1024 * 1024;
  for await (const m of messages) {
    const n = textSize(m);
    if (n > 4 * 1024 * 1024 || n > budget) continue;
    budget -= n;
    batch.push(m);
    size += n;
    if (size >= 1024 * 1024) {
      await scan(batch);
      batch = [];
      size = 0;
    }
  }
  if (batch.length) await scan(batch);
  const count = [...kinds.values()].reduce((a, b) => a + b, 0);
  if (count === 0) return html``;
  return html`<p class="warning secrets" role="alert">This page shows ${count} possible secret${count === 1 ? '' : 's'} (${[...kinds.keys()].sort().join(', ')}). Sessions written through the API are kept as their client gave them; <code>sarc scan --fix</code> replaces secrets with markers.</p>`;
}

export function htmlPage(c: Context, title: string, body: Raw, script?: string, status: 200 | 400 | 403 | 404 | 409 | 500 = 200): Response {
  return c.html(page(title, body, { nonce: c.get('secureHeadersNonce') ?? '', script }), status);
}

/** A readable error page in place of a blank one. */
function errorPage(c: Context, error: unknown): Response {
  const response = toErrorResponse(error);
  const { status } = response;
  const message = errorMessage(response);
  const title =
    status === 404 ? 'Not found' : status === 409 ? 'Conflict' : status === 400 ? 'Bad request' : status === 403 ? 'Forbidden' : 'Error';
  return htmlPage(
    c,
    title,
    html`<h1>${title}</h1><p class="error-box" role="alert">${message}</p><p><a href="/">Back to all sessions</a></p>`,
    undefined,
    status === 401 || status === 413 || status === 415 || status === 421 ? 400 : status,
  );
}

const LIST_SCRIPT = `${LOCAL_TIMES}
const es = new EventSource('/event');
es.onmessage = async (m) => {
  const e = JSON.parse(m.data);
  if (e.type === 'session.status') {
    const b = document.querySelector('[data-status="' + e.properties.sessionID + '"]');
    if (b) { b.textContent = e.properties.status.type; b.className = 'badge ' + e.properties.status.type; b.hidden = e.properties.status.type === 'idle'; }
  } else if (e.type.startsWith('session.')) {
    const res = await fetch(location.pathname + location.search + (location.search ? '&' : '?') + 'fragment=1');
    if (res.ok) { const rows = document.getElementById('rows'); rows.innerHTML = await res.text(); localTimes(rows); }
  }
};`;

function sessionScript(id: string): string {
  return `${LOCAL_TIMES}
const id = ${JSON.stringify(id)};
const from = Number(document.getElementById('messages').dataset.from || 0);
// Later pages load as the reader scrolls to the end (the link works without scripts too).
let loading = false;
async function loadMore() {
  const more = document.getElementById('more');
  if (!more || loading) return;
  loading = true;
  const res = await fetch('/ui/session/' + id + '/messages?from=' + more.dataset.next);
  if (res.ok) {
    const list = document.getElementById('messages');
    const holder = document.createElement('div');
    holder.innerHTML = await res.text();
    localTimes(holder);
    list.append(...holder.children);
    const next = res.headers.get('x-next-from');
    if (next) { more.dataset.next = next; more.href = '/ui/session/' + id + '?from=' + next; more.textContent = 'Later messages (' + (Number(res.headers.get('x-total')) - Number(next)) + ' more)'; }
    else more.parentElement.remove();
  }
  loading = false;
  // Observed again, so a link still in view after this page loads the next one too.
  if (document.getElementById('more')) { observer.unobserve(more); observer.observe(more); }
}
const observer = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) loadMore(); }, { rootMargin: '600px' });
if (document.getElementById('more')) observer.observe(document.getElementById('more'));
const es = new EventSource('/event?session=' + id);
// The page follows the session once the server says so (it subscribed first): what a test can wait for before changing a file.
es.onerror = () => { document.body.dataset.live = 'off'; };
es.onmessage = async (m) => {
  const e = JSON.parse(m.data);
  if (e.type === 'server.connected') { document.body.dataset.live = 'on'; return; }
  const p = e.properties || {};
  if (p.sessionID !== id) return;
  if (e.type === 'session.updated') {
    document.getElementById('title-text').textContent = p.info.title;
    document.getElementById('title-input').value = p.info.title;
  } else if (e.type === 'session.status') {
    const b = document.getElementById('status');
    b.textContent = p.status.type; b.className = 'badge ' + p.status.type; b.hidden = p.status.type === 'idle';
  } else if (e.type.startsWith('message.')) {
    // The messages on screen again (and new ones, when the last page is shown).
    const more = document.getElementById('more');
    const list = document.getElementById('messages');
    const shown = list.querySelectorAll('[data-message]').length;
    const res = await fetch('/ui/session/' + id + '/messages?from=' + from + '&limit=' + Math.min(500, more ? shown : shown + 50));
    if (res.ok) { list.innerHTML = await res.text(); localTimes(list); }
  } else if (e.type === 'session.deleted') {
    document.getElementById('title-text').textContent += ' (deleted)';
  }
};
document.querySelector('form[data-confirm]')?.addEventListener('submit', (ev) => { if (!confirm(ev.target.dataset.confirm)) ev.preventDefault(); });`;
}

/** The web UI: server-rendered pages (readable without scripts) and a small script for live updates. */
export function registerUi(app: Hono, { archive, index }: ServerDeps, act: ServerActions, ui: UiOptions): void {
  const csrf = csrfField(ui.csrfToken);
  /** How a session's messages are drawn on its page. */
  const viewOf = (
    id: string,
    info: { directory: string; summary?: { diffs?: MessageView['diffs'] } },
    children: ReturnType<SessionIndex['children']>,
  ): MessageView => ({
    fork: { sessionID: id, csrf: ui.csrfToken },
    sessionID: id,
    directory: info.directory,
    diffs: info.summary?.diffs,
    children: children.map((s) => ({ id: s.id, title: s.title, created: s.time.created })),
  });

  /** Where the turn holding the `index`-th message begins (looking back at most a page; a longer turn is shown from there). */
  async function turnStartOf(id: string, index: number): Promise<number> {
    const base = Math.max(0, index - PAGE);
    const { heads } = await planTurns(archive.messages.each(id, { start: base, limit: index - base + 1 }));
    return base + (heads.at(-1)?.start ?? 0);
  }

  /** A row's extras: how many messages, and the first user message as a preview (from the first few files by ID; no session is read whole). */
  async function rowExtras(id: string): Promise<{ count: number; preview: string }> {
    try {
      const ids = (await archive.messages.ids(id)).sort();
      const first = await Promise.all(ids.slice(0, 3).map((m) => archive.messages.get(id, m).catch(() => undefined)));
      const user = first
        .filter((m) => m?.info.role === 'user')
        .sort((a, b) => (a?.info.time.created ?? 0) - (b?.info.time.created ?? 0))[0];
      const text = user?.parts.find((p) => p.type === 'text' && !p.synthetic);
      const preview = text?.type === 'text' ? text.text.replace(/\s+/g, ' ').trim() : '';
      return { count: ids.length, preview: preview.length > 200 ? `${preview.slice(0, 199)}…` : preview };
    } catch {
      return { count: 0, preview: '' };
    }
  }
  const home = homedir();
  const rows = async (items: ReturnType<SessionIndex['history']>['items']) => {
    // Failed tool calls per session, from the search index when it has them (the list is drawn without them otherwise).
    const facts = index.sessionFacts(items.map((s) => s.id));
    return html`${await Promise.all(
      items.map(async (s) => {
        if (!s.valid)
          return html`<tr class="invalid"><td class="c-agent meta">?</td><td class="c-title">${s.id} <span class="badge error">broken</span><div class="error-box">${s.error ?? 'info.json cannot be read'}</div></td><td class="c-folder meta"></td><td class="c-n meta">?</td><td class="c-when meta">${timeTag(s.time.updated)}</td></tr>`;
        const extra = await rowExtras(s.id);
        const failed = facts?.get(s.id)?.failed ?? 0;
        const agent = s.source ? (agentEntry(s.source)?.label ?? s.source) : '';
        return html`<tr${raw(failed ? ' class="has-failed"' : '')}><td class="c-agent"><span class="agent nowrap">${agent}</span></td><td class="c-title"><a href="/ui/session/${s.id}">${s.title || s.id}</a>${badges(s)}${failed ? html`<span class="badge error" title="tool calls that failed">${failed} failed</span>` : ''}${extra.preview ? html`<div class="preview-line">${extra.preview}</div>` : ''}</td><td class="c-folder meta"><span class="nowrap" title="${s.directory}${s.project?.name ? ` (project ${s.project.name})` : ''}">${shortFolder(s.directory, home)}</span></td><td class="c-n meta"><span class="nowrap">${extra.count}</span></td><td class="c-when meta"><span class="nowrap">${timeTag(s.time.updated, { short: true })}</span></td></tr>`;
      }),
    )}`;
  };

  /** A search hit's snippet with its matched words marked. */
  const snippet = (h: SearchHit) => {
    const out: Raw[] = [];
    let at = 0;
    for (const [a, b] of h.marks) {
      out.push(html`${h.snippet.slice(at, a)}<mark>${h.snippet.slice(a, b)}</mark>`);
      at = b;
    }
    out.push(html`${h.snippet.slice(at)}`);
    return out;
  };

  /** A hit's place: its session page opened at the message. */
  const hitHref = (h: SearchHit) =>
    h.messageID ? `/ui/session/${h.sessionID}?at=${h.messageID}#${h.messageID}` : `/ui/session/${h.sessionID}`;
  const hitWhere = (h: SearchHit) => (h.field === 'message' ? (h.role === 'user' ? 'prompt' : 'reply') : h.field);

  /** The search page: hits grouped per session (best first, forks folded into their source), each opening its session at the message. */
  function searchResults(result: ReturnType<SessionIndex['searchGroups']>, filters: URLSearchParams, offset: number): Raw {
    const next = new URLSearchParams(filters);
    next.set('offset', String(offset + SEARCH_PAGE));
    const groups = result.groups.map((g) => {
      const h = g.best;
      const rest = g.count - 1 - g.others.length;
      const forks =
        g.sessions.length > 1
          ? html` <span class="badge fork">+ ${g.sessions.length - 1} fork${g.sessions.length === 2 ? '' : 's'}</span>`
          : '';
      return html`<li><a href="${hitHref(h)}">${h.title || g.sessionID}</a>${h.archived ? html`<span class="badge">archived</span>` : ''}${forks} <span class="meta">${hitWhere(h)} · ${timeTag(h.time)} · ${shortFolder(h.directory, home)}</span><p class="snippet">${snippet(h)}</p>${
        g.others.length
          ? html`<ul class="hit-list">${g.others.map((o) => html`<li><a href="${hitHref(o)}">${hitWhere(o)}</a> <span class="meta">${timeTag(o.time)}</span> <span class="snippet">${snippet(o)}</span></li>`)}</ul>`
          : ''
      }${rest > 0 ? html`<p class="hit-more meta"><a href="/ui/session/${g.sessionID}">${rest}${result.capped ? '+' : ''} more in this session</a></p>` : ''}</li>`;
    });
    return html`<p class="meta" role="status">${result.groups.length === 0 ? 'No matches.' : `Sessions ${offset + 1}–${offset + result.groups.length}${result.more ? '' : ' (all)'}`}${result.rankedAmong ? ` · so many messages match that the newest ${result.rankedAmong} were ranked: add words for older ones` : ''}${result.complete ? '' : ' · the search index is still being built: more may appear'}</p>
<ol class="hits" start="${offset + 1}">${groups}</ol>${result.more ? html`<p><a href="/?${next.toString()}" rel="next">More sessions</a></p>` : ''}`;
  }

  app.get('/', async (c) => {
    const q = c.req.query('q')?.trim() || undefined;
    const project = c.req.query('project') || undefined;
    const agent = c.req.query('agent') || undefined;
    const dir = c.req.query('dir')?.trim() || undefined;
    const since = c.req.query('since') || undefined;
    const archived = c.req.query('archived') === 'on';
    const offset = Math.max(0, Number.parseInt(c.req.query('offset') ?? '0', 10) || 0);
    const sinceMs = since && SINCE[since] ? Date.now() - (SINCE[since] as number) : undefined;
    try {
      // Content search when the search index is there; titles only without it (the page says so).
      let found: ReturnType<SessionIndex['searchGroups']> | undefined;
      let searchNote: Raw = html``;
      if (q !== undefined) {
        try {
          await index.searchReady(1_000);
          found = index.searchGroups({
            query: q,
            project,
            agent,
            directory: dir,
            from: sinceMs,
            archived: archived ? 'include' : 'exclude',
            limit: SEARCH_PAGE,
            offset,
          });
        } catch (error) {
          if (!isArchiveError(error, 'IO')) throw error;
          searchNote = html`<p class="meta" role="status">Searching titles only: ${error.message}.</p>`;
        }
      }
      const contentSearch = found !== undefined;
      const result = contentSearch
        ? undefined
        : index.history({
            search: q,
            project,
            agent,
            directory: dir,
            start: sinceMs,
            archived: archived ? 'include' : 'exclude',
            cursor: c.req.query('cursor') || undefined,
            limit: 50,
            invalid: !agent && !dir && !sinceMs,
          });
      if (c.req.query('fragment') && result) return c.html((await rows(result.items)).html);
      const projects = await archive.projects.list();
      const filters = new URLSearchParams({
        ...(q ? { q } : {}),
        ...(project ? { project } : {}),
        ...(agent ? { agent } : {}),
        ...(dir ? { dir } : {}),
        ...(since ? { since } : {}),
        ...(archived ? { archived: 'on' } : {}),
      });
      const next = new URLSearchParams(filters);
      if (result?.nextCursor) next.set('cursor', result.nextCursor);
      const listing = result
        ? html`<table class="sessions"><thead><tr><th class="c-agent">Agent</th><th class="c-title">Session</th><th class="c-folder">Folder</th><th class="c-n">Messages</th><th class="c-when">Updated</th></tr></thead><tbody id="rows">${await rows(result.items)}</tbody></table>
${result.items.length === 0 ? html`<p>No sessions.</p>` : ''}${result.nextCursor ? html`<p><a href="/?${next.toString()}" rel="next">Next page</a></p>` : ''}`
        : searchResults(found as NonNullable<typeof found>, filters, offset);
      const option = (value: string, label: string, chosen: string | undefined) =>
        html`<option value="${value}"${raw(value === chosen ? ' selected' : '')}>${label}</option>`;
      // Projects by name (the folder when unnamed), in name order.
      const named = projects
        .map((p) => ({ id: p.id, label: p.name ?? shortFolder(p.worktree, home) }))
        .sort((a, b) => a.label.localeCompare(b.label));
      const body = html`<h1>${contentSearch ? 'Search' : 'Sessions'}</h1>
<form method="get" action="/" role="search">
<input type="search" name="q" value="${q ?? ''}" aria-label="Search messages, titles and todos" placeholder="Search: words, &quot;a phrase&quot;, prefix*">
<label>Project <select name="project"><option value="">All</option>${named.map((p) => option(p.id, p.label, project))}</select></label>
<label>Agent <select name="agent"><option value="">All</option>${AGENTS.map((a) => option(a.name, a.label, agent))}${option('archive', 'Made here', agent)}</select></label>
<label>Folder <input name="dir" value="${dir ?? ''}" placeholder="~/src/app" size="12"></label>
<label>When <select name="since"><option value="">Any time</option>${Object.keys(SINCE).map((k) => option(k, SINCE_LABEL[k] as string, since))}</select></label>
<label><input type="checkbox" name="archived"${raw(archived ? ' checked' : '')}> Archived too</label>
<button type="submit">Search</button>${filters.size ? html` <a href="/">Clear</a>` : ''}</form>
${searchNote}
${listing}
${contentSearch ? '' : html`<details class="import"><summary>Import an export file</summary><form method="post" action="/ui/import" enctype="multipart/form-data">${csrf}<label>Export file <input type="file" name="file" accept="application/json,.json" required></label> <button type="submit">Import</button></form></details>`}`;
      return htmlPage(c, contentSearch ? `Search: ${q}` : 'Sessions', body, contentSearch ? LOCAL_TIMES : LIST_SCRIPT);
    } catch (error) {
      return errorPage(c, error);
    }
  });

  for (const path of ['/favicon.svg', '/favicon.ico'])
    app.get(path, (c) => c.body(FAVICON, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }));

  app.get('/ui/usage', async (c) => {
    try {
      const filters = usageFilters((name) => c.req.query(name));
      const ask = usageAsk(filters);
      const deps = { archive, index };
      // Without a period chosen: one that gives a readable number of bars for the selection's span.
      const period = filters.period ?? periodFor((await askUsage(deps, { ...ask, tables: [], top: 0 })).span);
      const result = await askUsage(deps, { ...ask, tables: usageTables(period, filters.split), top: 10 });
      return htmlPage(c, 'Usage', renderUsagePage(result, filters, period));
    } catch (error) {
      return errorPage(c, error);
    }
  });

  app.get('/ui/session/:id', async (c) => {
    const id = c.req.param('id');
    try {
      const info = await archive.sessions.get(id);
      const at = c.req.query('at');
      const { index: atIndex, total } = await archive.messages.position(id, at && isId('message', at) ? at : undefined);
      // A page of turns: from `from`, or from the start of the turn holding the message `at` (a search hit).
      const from =
        atIndex >= 0
          ? await turnStartOf(id, atIndex)
          : Math.min(Math.max(0, Number.parseInt(c.req.query('from') ?? '0', 10) || 0), Math.max(0, total - 1));
      const plan = await planTurns(archive.messages.each(id, { start: from, limit: PAGE_MAX }), { min: PAGE, max: PAGE_MAX });
      const next = from + plan.count;
      const todos = await archive.todos.get(id);
      const status = index.statusOf(id);
      const parent = info.parentID ? await archive.sessions.get(info.parentID).catch(() => undefined) : undefined;
      let origin: Raw = html``;
      if (info.forkedFrom) {
        const source = await archive.sessions.get(info.forkedFrom.sessionID).catch(() => undefined);
        const at = info.forkedFrom.messageID;
        // The order alone (no message read): where the fork point stands in its session.
        const order = source ? await archive.messages.orderedIds(source.id).catch(() => [] as string[]) : [];
        const n = at ? order.indexOf(at) + 1 : 0;
        const label = source?.title ?? info.forkedFrom.sessionID;
        const resumed = resumedFromOf(info);
        const agent = sessionAgent(info);
        origin = html`<p class="forked-from">Forked from <a href="/ui/session/${info.forkedFrom.sessionID}${at ? `#${at}` : ''}">${label}</a>${at ? html` at message ${n > 0 ? n : at}` : ''}</p>${resumed ? html`<p class="resumed-in">Resumed in ${agentEntry(agent)?.label ?? agent} ${timeTag(resumed.at)}: this session holds what was added there.</p>` : ''}`;
      }
      const children = index.children(id);
      const forks = index.forks(id);
      // Secrets on this page: a session written through the API is kept as its client gave it, so what it holds
      // is said where the eye lands. The page's messages are scanned a batch of about 1 MB at a time (a message
      // over 4 MB, and any past 8 MB in all, passed over), then read again as they are shown: the page costs no
      // more memory than before.
      const secrets = await pageSecrets(archive, [info, todos], archive.messages.each(id, { start: from, limit: plan.count }));
      // Which agent and source it came from; text only (a path from a transcript is never a link).
      const from_ = await provenanceOf(archive, info);
      const provenance = from_
        ? html`<p class="provenance">From ${from_.label}${from_.sourceID ? html` · <code>${from_.sourceID}</code>` : ''}${from_.where ? html` · <span class="where">${from_.where}</span>` : ''}${from_.gone !== undefined ? html` · <strong class="gone">source gone</strong> since ${timeTag(from_.gone)}: the agent no longer has it; this copy is kept as it was` : ''}</p>`
        : html``;
      const body = html`<h1><span id="title-text">${info.title}</span> <span id="status" class="badge ${status.type}"${raw(status.type === 'idle' ? ' hidden' : '')}>${status.type}</span></h1>
<form method="post" action="/ui/session/${id}/title">${csrf}<label>Title <input id="title-input" name="title" value="${info.title}" required></label> <button type="submit">Rename</button></form>
<p class="meta">${info.directory} · created ${timeTag(info.time.created)} · updated ${timeTag(info.time.updated)}${info.time.archived !== undefined ? ' · archived' : ''}</p>
${secrets}${provenance}${origin}${parent ? html`<p>Child of <a href="/ui/session/${parent.id}">${parent.title}</a></p>` : ''}
${children.length ? html`<p>Child sessions: ${children.map((s, i) => html`${i ? ', ' : ''}<a href="/ui/session/${s.id}">${s.title}</a>`)}</p>` : ''}
${forks.length ? html`<p>Forks: ${forks.map((s, i) => html`${i ? ', ' : ''}<a href="/ui/session/${s.id}">${s.title}</a>`)}</p>` : ''}
<p><a href="/ui/session/${id}/export" download>Export</a> · <a href="/ui/session/${id}/markdown" download>Download as Markdown</a>
<form class="inline" method="post" action="/ui/session/${id}/${info.share ? 'unshare' : 'share'}">${csrf}<button type="submit">${info.share ? 'Stop sharing' : 'Share'}</button></form>
<form class="inline" method="post" action="/ui/session/${id}/${info.time.archived !== undefined ? 'unarchive' : 'archive'}">${csrf}<button type="submit">${info.time.archived !== undefined ? 'Unarchive' : 'Archive'}</button></form>
<form class="inline" method="post" action="/ui/session/${id}/delete" data-confirm="Delete this session${children.length ? ` and its ${children.length} child session(s)` : ''}?">${csrf}<input type="hidden" name="confirm" value="yes"><button type="submit">Delete</button></form></p>
${info.share ? html`<p>Shared at ${dataLink(info.share.url, info.share.url, ' id="share-url"')}</p>` : ''}
${renderTodos(todos)}
${renderChanges(info.summary?.diffs ?? [])}
${from > 0 ? html`<p><a href="/ui/session/${id}?from=${Math.max(0, from - PAGE)}" rel="prev">Earlier messages (${from})</a></p>` : ''}
<section id="messages" aria-label="Conversation" data-from="${from}">`;
      // Streamed a message at a time: a session can be larger than a string can hold.
      const frame = pageFrame(info.title, { nonce: c.get('secureHeadersNonce') ?? '', script: sessionScript(id) });
      const view = viewOf(id, info, children);
      const conversation = streamTurns(archive.messages.each(id, { start: from, limit: plan.count }), plan.heads, view, from);
      const later =
        next < total
          ? html`<p><a id="more" href="/ui/session/${id}?from=${next}" rel="next" data-next="${next}">Later messages (${total - next} more)</a></p>`
          : html``;
      // The totals need every message: they come last, after the first page is on screen.
      async function* tail(): AsyncGenerator<string> {
        yield `</section>${later.html}`;
        yield renderUsage(await sessionUsage(archive.messages.each(id))).html;
      }
      return await textStream(framed(`${frame.start}${body.html}`, joinStreams(conversation, tail()), frame.end), HTML);
    } catch (error) {
      return errorPage(c, error);
    }
  });

  app.get('/ui/session/:id/messages', async (c) => {
    try {
      const id = c.req.param('id');
      const info = await archive.sessions.get(id);
      const from = Math.max(0, Number.parseInt(c.req.query('from') ?? '0', 10) || 0);
      const limit = Math.min(500, Math.max(1, Number.parseInt(c.req.query('limit') ?? String(PAGE), 10) || PAGE));
      const { total } = await archive.messages.position(id);
      const plan = await planTurns(archive.messages.each(id, { start: from, limit: limit + PAGE_MAX }), {
        min: limit,
        max: limit + PAGE_MAX,
      });
      const next = from + plan.count;
      const view = viewOf(id, info, index.children(id));
      const headers = { ...HTML, 'x-total': String(total), ...(next < total ? { 'x-next-from': String(next) } : {}) };
      const turns = streamTurns(archive.messages.each(id, { start: from, limit: plan.count }), plan.heads, view, from);
      return await textStream(framed('', turns, ''), headers);
    } catch (error) {
      return errorPage(c, error);
    }
  });

  // An attached image or PDF, from the data: URL its message holds: served as its own type with nothing that could run.
  app.get('/ui/session/:id/file/:messageID/:partID', async (c) => {
    try {
      const { id, messageID, partID } = c.req.param();
      if (!isId('message', messageID) || !isId('part', partID)) throw new BadRequest('invalid message or part ID');
      const message = await archive.messages.get(id, messageID);
      const part = message.parts.find((p) => p.id === partID);
      const attached = part?.type === 'file' ? attachmentOf(part) : undefined;
      if (part?.type !== 'file' || !attached?.inline) throw new HttpRefusal(404, 'NotFoundError', 'no attached image or PDF here');
      const bytes = Buffer.from(part.url.slice(part.url.indexOf(',') + 1), 'base64');
      return c.body(new Uint8Array(bytes), 200, {
        'content-type': attached.mime,
        'x-content-type-options': 'nosniff',
        // Only this server's own pages may show it: another site's <img> is refused by the browser.
        'cross-origin-resource-policy': 'same-origin',
        'cache-control': 'private, max-age=3600',
        'content-disposition': 'inline',
        // A PDF is drawn by the browser's own viewer inside the session page's frame; an image is only an image.
        ...(attached.kind === 'pdf'
          ? { 'content-security-policy': "default-src 'none'; frame-ancestors 'self'", 'x-frame-options': 'SAMEORIGIN' }
          : { 'content-security-policy': "default-src 'none'; sandbox" }),
      });
    } catch (error) {
      return errorPage(c, error);
    }
  });

  app.get('/ui/session/:id/export', async (c) => {
    const id = c.req.param('id');
    try {
      // Streamed: a session can be larger than a string can hold.
      return await textStream(exportSessions(archive, [id], { children: true, index }), {
        'content-disposition': `attachment; filename="${id}.json"`,
      });
    } catch (error) {
      return errorPage(c, error);
    }
  });

  app.get('/ui/session/:id/markdown', async (c) => {
    const id = c.req.param('id');
    try {
      await archive.sessions.get(id);
      return await textStream(sessionMarkdown(archive, id), {
        'content-type': 'text/markdown; charset=UTF-8',
        'content-disposition': `attachment; filename="${id}.md"`,
      });
    } catch (error) {
      return errorPage(c, error);
    }
  });

  const expected = Buffer.from(ui.csrfToken);
  /** The submitted form, once its CSRF token is the page's: a form posted from anywhere else has none. */
  async function checkedForm(c: Context): Promise<Record<string, unknown>> {
    const form = (await c.req.parseBody()) as Record<string, unknown>;
    const given = Buffer.from(typeof form._csrf === 'string' ? form._csrf : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpRefusal(403, 'ForbiddenError', 'the form is missing its token or it is stale; reload the page and try again');
    }
    return form;
  }

  const action = (path: string, run: (id: string, form: Record<string, unknown>, c: Context) => Promise<string>) =>
    app.post(path, async (c) => {
      const id = c.req.param('id') ?? '';
      try {
        const form = await checkedForm(c);
        return c.redirect(await run(id, form, c), 303);
      } catch (error) {
        return errorPage(c, error);
      }
    });

  action('/ui/session/:id/title', async (id, form) => {
    await act.update(id, { title: String(form.title ?? '') });
    return `/ui/session/${id}`;
  });
  action('/ui/session/:id/fork', async (id, form) => {
    const fork = await act.fork(id, { messageID: String(form.messageID ?? '') || undefined });
    return `/ui/session/${fork.id}`;
  });
  action('/ui/session/:id/share', async (id) => {
    await act.share(id);
    return `/ui/session/${id}`;
  });
  action('/ui/session/:id/unshare', async (id) => {
    await act.unshare(id);
    return `/ui/session/${id}`;
  });
  for (const [name, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    action(`/ui/session/:id/${name}`, async (id) => {
      await act.setArchived(id, archived);
      return `/ui/session/${id}`;
    });
  }
  action('/ui/session/:id/delete', async (id, form) => {
    if (form.confirm !== 'yes') return `/ui/session/${id}`;
    await act.remove(id);
    return '/';
  });
  app.post('/ui/import', async (c) => {
    try {
      const form = await checkedForm(c);
      const file = form.file;
      const bytes = typeof file === 'string' ? file : file instanceof File ? new Uint8Array(await file.arrayBuffer()) : '';
      let payload: unknown;
      try {
        payload = parseJsonInput(bytes, file instanceof File ? file.name : 'the upload');
      } catch (error) {
        if (!isArchiveError(error, 'INVALID_INPUT')) throw error;
        throw new BadRequest(`the uploaded file is not valid JSON (${error.message}); choose a file made by Export or \`opencode export\``);
      }
      const result = await act.import(payload);
      const first = result.sessions[0]?.to;
      return c.redirect(first && isId('session', first) ? `/ui/session/${first}` : '/', 303);
    } catch (error) {
      return errorPage(c, error);
    }
  });
}
