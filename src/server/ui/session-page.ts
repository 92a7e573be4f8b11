import type { Hono } from 'hono';
import { agentEntry, isId, planTurns, provenanceOf, resumedFromOf, type SessionIndex, sessionAgent } from '../../index.js';
import type { ServerDeps } from '../actions.js';
import { textStream } from '../streams.js';
import { dataLink, html, LOCAL_TIMES, pageFrame, type Raw, raw, timeTag } from './html.js';
import { errorPage, framed, HTML, PAGE, PAGE_MAX, type UiOptions } from './page.js';
import { csrfField, type MessageView, renderChanges, renderTodos, streamTurns } from './render.js';
import { pageSecrets } from './secrets-note.js';
import { renderUsage, sessionUsage } from './session-usage.js';

async function* joinStreams(...streams: AsyncIterable<string>[]): AsyncGenerator<string> {
  for (const s of streams) yield* s;
}

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

/** A session's page (`/ui/session/:id`): its turns a page at a time, live, and the fragment of later messages its script asks for. */
export function registerSessionPage(app: Hono, { archive, index }: ServerDeps, ui: UiOptions): void {
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
}
