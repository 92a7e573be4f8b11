import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatTime } from '../../index.js';

/** highlight.js's GitHub theme, for code highlighted on the server. */
const HIGHLIGHT_CSS = readFileSync(createRequire(import.meta.url).resolve('highlight.js/styles/github.min.css'), 'utf8');

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
*,*::before,*::after{box-sizing:border-box}
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#fafafa;overflow-wrap:anywhere}
header{background:#222;color:#fff;padding:.5rem 1rem;display:flex;justify-content:space-between;align-items:center;gap:1rem}header a{color:#fff;text-decoration:none;font-weight:600}header nav a{font-weight:400;margin-left:.8rem}
main{max-width:60rem;margin:1rem auto;padding:0 1rem}
table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e5e5e5;vertical-align:top}
.badge{display:inline-block;font-size:.75rem;padding:0 .4rem;border-radius:.6rem;background:#e8e8e8;margin-left:.3rem}
.badge.busy,.badge.retry{background:#ffe8a3}.badge.error{background:#ffc9c9}.badge.fork{background:#d6ecff}.badge.child{background:#e2f5dc}
.msg{background:#fff;border:1px solid #e5e5e5;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}.msg.user{border-left:3px solid #2a6fdb}
.msg h3{font-size:.8rem;color:#666;margin:0 0 .3rem;display:flex;justify-content:space-between;align-items:center;gap:.5rem;flex-wrap:wrap;font-weight:500}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;white-space:pre-wrap;word-break:break-word;border-radius:4px;font-size:.85rem}.meta{color:#666;font-size:.9rem}.warning{background:#fff4e5;border:1px solid #f0a020;padding:.5rem;border-radius:4px}.provenance{color:#555;font-size:.9rem}.gone{color:#a35200}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em}:not(pre)>code{background:#f0f0f0;padding:0 .25em;border-radius:3px}
pre code.hljs{padding:0;background:none}
.md table{display:block;overflow-x:auto;max-width:100%}.md img{max-width:100%}.md blockquote{margin:0;padding-left:.8rem;border-left:3px solid #ddd;color:#555}
li.task{list-style:none}li.task input{margin:0 .3rem 0 -1.2rem}
details>summary{cursor:pointer}
details.tool{margin:.3rem 0;border:1px solid #eee;border-radius:4px;padding:.15rem .4rem}
details.tool>summary{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.tool-name{font-weight:600}.arg{background:none}
details.fold>summary{list-style:none}details.fold[open]>summary .preview{display:none}.show-all{color:#2a6fdb;font-size:.85rem}
.diff .add{background:#e6ffec;display:inline-block;min-width:100%}.diff .del{background:#ffebe9;display:inline-block;min-width:100%}.diff .hunk{color:#0550ae}
mark{background:#fff3a3;padding:0 .1em}
.hits li{margin:.6rem 0}.snippet{margin:.2rem 0;color:#333}
.preview-line{color:#555;font-size:.88rem;margin-top:.15rem;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
form.inline{display:inline}button{cursor:pointer}.error-box{background:#ffe3e3;border:1px solid #f5a3a3;padding:.8rem;border-radius:6px}
input[type=search]{max-width:100%}
.filters{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:end;margin-bottom:.8rem}
.charts{display:grid;grid-template-columns:minmax(0,1fr);gap:1rem}.chart{min-width:0;margin:0;background:#fff;border:1px solid #e5e5e5;border-radius:6px;padding:.5rem}.chart .plot{overflow-x:auto}.chart .plot svg{width:100%;min-width:600px;height:auto;display:block}
.chart figcaption{font-weight:600;font-size:.9rem}.legend{list-style:none;padding:0;margin:.3rem 0 0;display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.85rem}
.scroll{overflow-x:auto;margin:1rem 0}.usage-table caption{text-align:left;font-weight:600;padding:.3rem 0}.usage-table td,.usage-table th{white-space:nowrap}.usage-table .num{text-align:right}
.failed{color:#b42318}
:focus-visible{outline:2px solid #2a6fdb;outline-offset:2px}
@media (max-width:640px){
 main{padding:0 .5rem}
 table.sessions thead{display:none}table.sessions tr{display:block;border-bottom:1px solid #e5e5e5;padding:.3rem 0}
 table.sessions td{display:block;border:0;padding:.1rem .3rem}
 form[role=search] label{display:block;margin:.2rem 0}
}
${HIGHLIGHT_CSS}`;

/**
 * The page frame: no external resources, works without scripts. Its inline
 * style and script carry the response's CSP nonce (nothing else may run).
 */
export function page(title: string, body: Raw, options: { nonce: string; script?: string }): string {
  const { start, end } = pageFrame(title, options);
  return `${start}${body.html}${end}`;
}

/** The page frame around a body, in two halves, for pages streamed piece by piece. */
export function pageFrame(title: string, options: { nonce: string; script?: string }): { start: string; end: string } {
  const nonce = escapeHtml(options.nonce);
  return {
    start: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · session-archive</title><style nonce="${nonce}">${STYLE}</style></head>
<body><header><a href="/">session-archive</a><nav><a href="/">Sessions</a> <a href="/ui/usage">Usage</a></nav></header><main>`,
    end: `</main>${options.script ? `<script nonce="${nonce}">${options.script}</script>` : ''}</body></html>
`,
  };
}

/**
 * A time: the server's local time with its zone named (what a page without
 * scripts shows, and the share page), which {@link LOCAL_TIMES} turns into the
 * reader's own zone — relative when recent, exact on hover.
 */
export function timeTag(ms: number): Raw {
  const shown = formatTime(ms);
  return html`<time datetime="${new Date(ms).toISOString()}" title="${shown}">${shown}</time>`;
}

/** Page script: every `<time datetime>` in the reader's zone (call `localTimes(element)` again after replacing HTML). */
export const LOCAL_TIMES = `
const exactTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
const relativeTime = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
function localTimes(root) {
  for (const t of root.querySelectorAll('time[datetime]')) {
    const d = new Date(t.dateTime);
    const s = (Date.now() - d.getTime()) / 1000;
    t.title = exactTime.format(d);
    t.textContent = s < 0 || s >= 7 * 86400 ? t.title
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
