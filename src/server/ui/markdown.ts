import { createRequire } from 'node:module';
import MarkdownIt from 'markdown-it';
import { escapeHtml, safeHref } from './html.js';

const require = createRequire(import.meta.url);
/**
 * highlight.js's common languages (~40), through `require` with the little of
 * its API used here: its own type file pulls the DOM library into every
 * file's types.
 */
const hljs = require('highlight.js/lib/common') as {
  highlight(code: string, options: { language: string; ignoreIllegals: boolean }): { value: string };
  getLanguage(name: string): unknown;
};

/**
 * Markdown as HTML, for messages: CommonMark with GFM tables and
 * strikethrough (markdown-it), task lists, code fences highlighted here on
 * the server (highlight.js, no scripts or CDN in the page). Raw HTML is off
 * (`<b>` shows as text), and every link goes through {@link safeHref}: only
 * http(s), mailto and relative targets become links; images become links
 * too (the page loads nothing from elsewhere).
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false, highlight: (code, lang) => highlightCode(code, lang) });
md.validateLink = (url) => safeHref(url) !== undefined;

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, i, options, _env, self) => self.renderToken(tokens, i, options));
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  tokens[i]?.attrSet('rel', 'noreferrer nofollow');
  return defaultLinkOpen(tokens, i, options, env, self);
};
md.renderer.rules.image = (tokens, i) => {
  const token = tokens[i];
  const src = safeHref(String(token?.attrGet('src') ?? ''));
  const alt = token?.content || 'image';
  return src ? `<a href="${escapeHtml(src)}" rel="noreferrer nofollow">[image: ${escapeHtml(alt)}]</a>` : `[image: ${escapeHtml(alt)}]`;
};

// GFM task lists: "- [ ] x" / "- [x] x" as disabled checkboxes.
md.core.ruler.after('inline', 'task-lists', (state) => {
  const tokens = state.tokens;
  for (let i = 2; i < tokens.length; i++) {
    const inline = tokens[i];
    if (inline?.type !== 'inline' || tokens[i - 1]?.type !== 'paragraph_open' || tokens[i - 2]?.type !== 'list_item_open') continue;
    const first = inline.children?.[0];
    const box = first?.type === 'text' ? /^\[([ xX])\] /.exec(first.content) : null;
    if (!first || !box) continue;
    first.content = first.content.slice(4);
    const checkbox = new state.Token('html_inline', '', 0);
    checkbox.content = `<input type="checkbox" disabled${box[1] === ' ' ? '' : ' checked'}> `;
    inline.children?.unshift(checkbox);
    tokens[i - 2]?.attrJoin('class', 'task');
  }
});

/** Markdown text as safe HTML. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}

/** Languages by file extension, for code that comes with a file name. */
const EXTENSIONS: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescript',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  py: 'python',
  rb: 'ruby',
  rs: 'rust',
  sh: 'bash',
  yml: 'yaml',
  md: 'markdown',
  h: 'c',
  hpp: 'cpp',
  cc: 'cpp',
  kt: 'kotlin',
  cs: 'csharp',
};

/** The highlight.js language for a fence's info or a file name, when it knows one. */
export function languageOf(hint: string | undefined): string | undefined {
  if (!hint) return undefined;
  const name = hint.toLowerCase();
  if (hljs.getLanguage(name)) return name;
  const ext = /\.([a-z0-9]+)$/.exec(name)?.[1];
  const lang = ext && (EXTENSIONS[ext] ?? ext);
  return lang && hljs.getLanguage(lang) ? lang : undefined;
}

/** Code as `<pre><code>`, highlighted when its language is known (large code is left plain: it would cost more than it shows). */
export function highlightCode(code: string, hint?: string): string {
  const lang = languageOf(hint);
  const body = lang && code.length <= 200_000 ? hljs.highlight(code, { language: lang, ignoreIllegals: true }).value : escapeHtml(code);
  return `<pre class="code"><code class="hljs${lang ? ` language-${lang}` : ''}">${body}</code></pre>`;
}

/** A unified diff (text with `@@` hunks, `+`/`-` lines) as coloured lines. */
export function renderDiff(diff: string): string {
  const lines = diff.split('\n').map((line) => {
    const cls = line.startsWith('@@')
      ? 'hunk'
      : line.startsWith('+') && !line.startsWith('+++')
        ? 'add'
        : line.startsWith('-') && !line.startsWith('---')
          ? 'del'
          : '';
    return cls ? `<span class="${cls}">${escapeHtml(line)}</span>` : escapeHtml(line);
  });
  return `<pre class="diff">${lines.join('\n')}</pre>`;
}
