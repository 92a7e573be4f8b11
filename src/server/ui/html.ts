import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatTime } from '../../index.js';

/** highlight.js's GitHub theme, for code highlighted on the server. */
const HIGHLIGHT_CSS = readFileSync(createRequire(import.meta.url).resolve('highlight.js/styles/github.min.css'), 'utf8');
/** Its dark twin, for readers whose system is dark. */
const HIGHLIGHT_DARK_CSS = readFileSync(createRequire(import.meta.url).resolve('highlight.js/styles/github-dark.min.css'), 'utf8');

/** HTML-escapes text: nothing from the data is ever markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

/** A tagged template that escapes every interpolated value unless it is `raw(...)`. */
export class Raw {
  constructor(readonly html: string) {}
}
export const raw = (html: string) => new Raw(html);

export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const part = Array.isArray(v)
      ? v.map((x) => (x instanceof Raw ? x.html : escapeHtml(String(x ?? '')))).join('')
      : v instanceof Raw
        ? v.html
        : v === undefined || v === null || v === false
          ? ''
          : escapeHtml(String(v));
    out += part + (strings[i + 1] ?? '');
  });
  return new Raw(out);
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1f2328;--muted:#59636e;--card:#fff;--line:#e3e6ea;--accent:#0b57d0;--code:#f3f5f7;--inline-code:#eceff2;--mark:#fff1a8;--err:#b42318;--err-bg:#fff0ee;--err-line:#f3b4ac;--warn-bg:#fff6e5;--warn-line:#e9a23b;--add:#e6ffec;--del:#ffebe9;--badge:#e8eaed;--busy:#ffe8a3;--fork:#d6ecff;--child:#e2f5dc;--head:#1f2328;--head-fg:#fff}
@media (prefers-color-scheme:dark){:root{--bg:#0f1216;--fg:#e6e9ed;--muted:#9aa4af;--card:#171b21;--line:#2b3139;--accent:#6ea8fe;--code:#1d232b;--inline-code:#252c35;--mark:#6b5a00;--err:#ff8b7e;--err-bg:#3a1714;--err-line:#7a2e26;--warn-bg:#3a2a0c;--warn-line:#8a6216;--add:#12361f;--del:#3d1619;--badge:#2b3139;--busy:#5a4a10;--fork:#17375c;--child:#1d3b1c;--head:#090b0e;--head-fg:#e6e9ed}}
*,*::before,*::after{box-sizing:border-box}
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:var(--fg);background:var(--bg);overflow-wrap:break-word}
a{color:var(--accent)}
header.top{background:var(--head);color:var(--head-fg);padding:.5rem 1rem;display:flex;justify-content:space-between;align-items:center;gap:1rem;min-height:2.6rem}header.top a{color:var(--head-fg);text-decoration:none;font-weight:600}header.top nav a{font-weight:400;margin-left:.8rem}
main{max-width:62rem;margin:1rem auto;padding:0 1rem}
h1{font-size:1.45rem;line-height:1.3;margin:.6rem 0}h2{font-size:1.1rem}
table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}th{font-size:.8rem;color:var(--muted);font-weight:600}
table.sessions{table-layout:fixed}table.sessions .c-agent{width:7.5rem}table.sessions .c-folder{width:13rem}table.sessions .c-n{width:5.5rem;text-align:right}table.sessions .c-when{width:8rem}
table.sessions td{overflow-wrap:normal;word-break:normal}.nowrap{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;display:block}
.badge{display:inline-block;font-size:.72rem;line-height:1.5;padding:0 .45rem;border-radius:.7rem;background:var(--badge);margin-left:.3rem;white-space:nowrap;font-weight:500}
.badge.busy,.badge.retry{background:var(--busy)}.badge.error{background:var(--err-bg);color:var(--err);border:1px solid var(--err-line)}.badge.fork{background:var(--fork)}.badge.child{background:var(--child)}.badge.done{background:none;color:var(--muted);padding:0;margin:0}
.agent{font-size:.8rem;color:var(--muted);white-space:nowrap}
article.turn{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:.9rem 0;overflow:hidden}article.turn.failed{border-left:3px solid var(--err)}
.turn-head{display:flex;justify-content:space-between;align-items:center;gap:.5rem;flex-wrap:wrap;font-size:.8rem;color:var(--muted);padding:.35rem .8rem;border-bottom:1px solid var(--line);background:var(--code)}
.turn-head .model{font-weight:600;color:var(--fg)}
.msg{position:relative;padding:.45rem 2.2rem .45rem .8rem}.msg.prompt{border-bottom:1px solid var(--line);background:var(--card)}.msg.prompt .who{font-size:.78rem;color:var(--muted);font-weight:600}
.msg.step+.msg.step{padding-top:.1rem}.msg.quiet{font-size:.85rem;color:var(--muted)}.msg.quiet>details>summary{font-style:italic}
.msg.broken{border:1px solid var(--err-line);margin:.6rem 0;border-radius:6px;background:var(--card)}
details.menu{position:absolute;right:.4rem;top:.25rem;font-size:.8rem}details.menu>summary{list-style:none;color:var(--muted);padding:0 .35rem;border-radius:4px}details.menu>summary::-webkit-details-marker{display:none}
details.menu[open]>summary{background:var(--badge)}.menu-items{position:absolute;right:0;z-index:2;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.4rem .6rem;display:flex;flex-direction:column;gap:.3rem;white-space:nowrap;box-shadow:0 4px 14px rgba(0,0,0,.15)}
.msg h3{font-size:.8rem;color:var(--muted);margin:0 0 .3rem;font-weight:500}
pre{background:var(--code);padding:.5rem .6rem;overflow:auto;white-space:pre-wrap;word-break:break-word;border-radius:5px;font-size:.84rem;margin:.3rem 0}.meta{color:var(--muted);font-size:.88rem}
.warning{background:var(--warn-bg);border:1px solid var(--warn-line);padding:.5rem;border-radius:5px}.provenance{color:var(--muted);font-size:.9rem}.gone{color:#a35200}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}:not(pre)>code{background:var(--inline-code);padding:0 .25em;border-radius:3px}
pre code.hljs{padding:0;background:none}
.md table{display:block;overflow-x:auto;max-width:100%}.md img{max-width:100%}.md blockquote{margin:0;padding-left:.8rem;border-left:3px solid var(--line);color:var(--muted)}.md>:first-child{margin-top:0}.md>:last-child{margin-bottom:0}
li.task{list-style:none}li.task input{margin:0 .3rem 0 -1.2rem}
details>summary{cursor:pointer}
details.tool{margin:.25rem 0;border:1px solid var(--line);border-radius:5px;padding:.1rem .45rem;font-size:.9rem}details.tool.error{border-color:var(--err-line)}
details.tool>summary{display:flex;align-items:center;gap:.45rem;min-width:0;list-style:none}details.tool>summary::-webkit-details-marker{display:none}details.tool>summary::before{content:"▸";color:var(--muted);flex:none}details.tool[open]>summary::before{content:"▾"}
details.tool>summary .badge{flex:none;margin:0}details.tool>summary .dur{flex:none;font-size:.78rem}.tool-name{font-weight:600;flex:none}.arg{background:none!important;flex:1 1 auto;min-width:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
details.fold>summary{list-style:none}details.fold>summary::-webkit-details-marker{display:none}details.fold[open]>summary .preview{display:none}.show-all{color:var(--accent);font-size:.82rem}.skipped{display:block;color:var(--muted);font-size:.8rem;padding:0 .6rem}
.output.error-box{padding:.2rem .4rem}.error-box{background:var(--err-bg);border:1px solid var(--err-line);padding:.7rem;border-radius:6px}.failed{color:var(--err)}
figure.file{margin:.4rem 0}figure.file img{max-width:100%;height:auto;max-height:32rem;border:1px solid var(--line);border-radius:6px;display:block}iframe.pdf{width:100%;height:28rem;border:1px solid var(--line);border-radius:6px}
.diff .add{background:var(--add);display:inline-block;min-width:100%}.diff .del{background:var(--del);display:inline-block;min-width:100%}.diff .hunk{color:var(--accent)}
mark{background:var(--mark);color:inherit;padding:0 .1em;border-radius:2px}
.hits{list-style:none;padding:0}.hits>li{margin:.5rem 0;padding:.5rem .7rem;background:var(--card);border:1px solid var(--line);border-radius:8px}.snippet{margin:.25rem 0;color:var(--fg)}.hit-more{font-size:.85rem}.hit-list{margin:.2rem 0 0;padding-left:1.1rem}
.preview-line{color:var(--muted);font-size:.86rem;margin-top:.15rem;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;overflow-wrap:anywhere}
form.inline{display:inline}button{cursor:pointer;font:inherit;font-size:.85rem}.turn-head button{font-size:.78rem}
input[type=search]{max-width:100%;width:22rem}
form[role=search]{display:flex;flex-wrap:wrap;gap:.5rem .9rem;align-items:center;margin:.4rem 0 .6rem}.import{margin:.4rem 0 1rem;font-size:.88rem}.import summary{color:var(--accent)}
.filters{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:end;margin-bottom:.8rem}
.charts{display:grid;grid-template-columns:minmax(0,1fr);gap:1rem}.chart{min-width:0;margin:0;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.5rem}.chart .plot{overflow-x:auto}.chart .plot svg{width:100%;min-width:600px;height:auto;display:block}
.chart figcaption{font-weight:600;font-size:.9rem}.legend{list-style:none;padding:0;margin:.3rem 0 0;display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.85rem}
.scroll{overflow-x:auto;margin:1rem 0}.usage-table caption{text-align:left;font-weight:600;padding:.3rem 0}.usage-table td,.usage-table th{white-space:nowrap}.usage-table .num{text-align:right}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}article.turn:focus{outline:2px solid var(--accent);outline-offset:1px}
kbd{font:inherit;font-size:.8em;border:1px solid var(--line);border-bottom-width:2px;border-radius:3px;padding:0 .3em}
@media (max-width:640px){
 main{padding:0 .5rem}
 table.sessions{table-layout:auto}table.sessions thead{display:none}table.sessions tr{display:block;border-bottom:1px solid var(--line);padding:.35rem 0}
 table.sessions td{display:inline-block;border:0;padding:.05rem .3rem;width:auto!important}table.sessions td.c-title{display:block}
 form[role=search] label{display:block}
 .turn-head{padding:.3rem .5rem}.msg{padding:.4rem .55rem}
}
${HIGHLIGHT_CSS}
@media (prefers-color-scheme:dark){${HIGHLIGHT_DARK_CSS}}`;

/**
 * The page frame: no external resources, works without scripts. Its inline
 * style and script carry the response's CSP nonce (nothing else may run).
 */
export function page(title: string, body: Raw, options: { nonce: string; script?: string }): string {
  const { start, end } = pageFrame(title, options);
  return `${start}${body.html}${end}`;
}

/** The page frame around a body, in two halves, for pages streamed piece by piece. */
export function pageFrame(title: string, options: { nonce: string; script?: string; scripts?: boolean }): { start: string; end: string } {
  const nonce = escapeHtml(options.nonce);
  return {
    start: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · session-archive</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><style nonce="${nonce}">${STYLE}</style></head>
<body><header class="top"><a href="/">session-archive</a><nav><a href="/">Sessions</a> <a href="/ui/usage">Usage</a></nav></header><main>`,
    end: `</main>${options.scripts === false ? '' : `<script nonce="${nonce}">${KEYS}${options.script ?? ''}</script>`}</body></html>
`,
  };
}

/** The favicon: a folder with a speech mark, in the page's blue. */
export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="7" width="28" height="21" rx="4" fill="#0b57d0"/><path d="M2 11V8a3 3 0 0 1 3-3h8l3 3h11a3 3 0 0 1 3 3" fill="#4f8ef7"/><path d="M9 14h14M9 19h10" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/></svg>`;

/**
 * Keys on every page: \`/\` to the search box, \`j\`/\`k\` to the next and
 * previous turn (or search hit), never while typing in a field.
 */
const KEYS = `
document.addEventListener('keydown', (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return;
  const t = ev.target;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) return;
  if (ev.key === '/') {
    const box = document.querySelector('input[type=search]');
    if (box) { ev.preventDefault(); box.focus(); box.select(); } else { location.href = '/?focus=search'; }
    return;
  }
  if (ev.key !== 'j' && ev.key !== 'k') return;
  const items = [...document.querySelectorAll('article.turn, ol.hits > li, table.sessions tbody tr')];
  if (!items.length) return;
  ev.preventDefault();
  const top = (el) => el.getBoundingClientRect().top;
  let i = items.indexOf(document.activeElement);
  if (i < 0) { i = items.findIndex((el) => top(el) > 4); if (i < 0) i = items.length; if (ev.key === 'j') i -= 1; }
  const next = items[Math.max(0, Math.min(items.length - 1, i + (ev.key === 'j' ? 1 : -1)))];
  next.tabIndex = -1; next.focus({ preventScroll: true }); next.scrollIntoView({ block: 'start' });
});
if (new URLSearchParams(location.search).get('focus') === 'search') document.querySelector('input[type=search]')?.focus();
`;

/**
 * A time: the server's local time with its zone named (what a page without
 * scripts shows, and the share page), which {@link LOCAL_TIMES} turns into the
 * reader's own zone — relative when recent, exact on hover.
 */
export function timeTag(ms: number, options: { short?: boolean } = {}): Raw {
  const shown = formatTime(ms);
  return html`<time datetime="${new Date(ms).toISOString()}" title="${shown}"${raw(options.short ? ' class="short"' : '')}>${options.short ? shown.slice(0, 10) : shown}</time>`;
}

/** Page script: every `<time datetime>` in the reader's zone (call `localTimes(element)` again after replacing HTML). */
export const LOCAL_TIMES = `
const exactTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
const relativeTime = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const shortTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
function localTimes(root) {
  for (const t of root.querySelectorAll('time[datetime]')) {
    const d = new Date(t.dateTime);
    const s = (Date.now() - d.getTime()) / 1000;
    t.title = exactTime.format(d);
    t.textContent = s < 0 || s >= 7 * 86400 ? (t.classList.contains('short') ? shortTime.format(d) : t.title)
      : s < 60 ? relativeTime.format(-Math.round(s), 'second')
      : s < 3600 ? relativeTime.format(-Math.round(s / 60), 'minute')
      : s < 86400 ? relativeTime.format(-Math.round(s / 3600), 'hour')
      : relativeTime.format(-Math.round(s / 86400), 'day');
  }
}
localTimes(document);`;

/**
 * A URL from archive data as a link target, or undefined when it must not be
 * one: only http:, https:, mailto: and relative URLs. Browsers drop tabs and
 * newlines anywhere and control characters in front before they read the
 * scheme (`java\tscript:` is `javascript:`), so this does too.
 */
export function safeHref(url: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is being removed
  const cleaned = url.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(cleaned)?.[1]?.toLowerCase();
  if (scheme === undefined) return cleaned.startsWith('\\') ? undefined : cleaned;
  return scheme === 'http' || scheme === 'https' || scheme === 'mailto' ? cleaned : undefined;
}

/** A link to `url` from archive data when its scheme is safe, else the label as plain text. */
export function dataLink(url: string, label: string, attributes = ''): Raw {
  const href = safeHref(url);
  return href === undefined
    ? html`<span class="unlinked" title="not a web link">${label}</span>`
    : html`<a href="${href}" rel="noreferrer"${raw(attributes)}>${label}</a>`;
}
