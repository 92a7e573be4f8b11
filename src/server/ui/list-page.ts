import { homedir } from 'node:os';
import type { Hono } from 'hono';
import { AGENTS, agentEntry, isArchiveError, type SearchHit, type SessionIndex, shortFolder } from '../../index.js';
import type { ServerDeps } from '../actions.js';
import { html, LOCAL_TIMES, type Raw, raw, timeTag } from './html.js';
import { errorPage, htmlPage, type UiOptions } from './page.js';
import { csrfField } from './render.js';

/** Sessions per page of search results. */
const SEARCH_PAGE = 20;
/** The search page's time filter: how far back. */
const SINCE: Record<string, number> = { '1d': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '1y': 365 * 86_400_000 };
const SINCE_LABEL: Record<string, string> = { '1d': 'Last day', '7d': 'Last week', '30d': 'Last month', '1y': 'Last year' };

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

/** The list and search page (`/`): sessions newest first, or hits grouped per session. */
export function registerListPage(app: Hono, { archive, index }: ServerDeps, ui: UiOptions): void {
  const csrf = csrfField(ui.csrfToken);
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
}
