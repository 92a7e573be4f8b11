import MarkdownIt, { type Token } from 'markdown-it';
import type { colors } from './output.js';
import { plainTerminal } from './terminal-text.js';

type Colors = ReturnType<typeof colors>;

const md = new MarkdownIt({ html: false, linkify: false });

/** Inline tokens as terminal text: bold, code in cyan, links with their address dimmed after them. */
function inline(tokens: readonly Token[], c: Colors): string {
  // Without colours the Markdown's own marks stay: they are what says "code" or "strong" then.
  const on = c.bold('x') !== 'x';
  let out = '';
  let bold = false;
  let link: string | undefined;
  let linkText = '';
  const add = (s: string) => {
    if (link !== undefined) linkText += s;
    else out += s;
  };
  for (const t of tokens) {
    switch (t.type) {
      case 'text':
        add(bold ? c.bold(t.content) : t.content);
        break;
      case 'code_inline':
        add(on ? c.cyan(t.content) : `${t.markup}${t.content}${t.markup}`);
        break;
      case 'strong_open':
        bold = true;
        if (!on) add(t.markup);
        break;
      case 'strong_close':
        bold = false;
        if (!on) add(t.markup);
        break;
      case 'softbreak':
        add('\n');
        break;
      case 'hardbreak':
        add('\n');
        break;
      case 'link_open':
        link = String(t.attrGet('href') ?? '');
        linkText = '';
        break;
      case 'link_close':
        out += linkText === link || link === `mailto:${linkText}` ? linkText : `${linkText} ${c.dim(`(${link})`)}`;
        link = undefined;
        break;
      case 'image':
        add(`[image: ${t.content}]`);
        break;
      default:
        // em, s: their text comes through the text tokens.
        break;
    }
  }
  return out;
}

/**
 * Markdown for a terminal: headings and strong text bold, code fences
 * indented under a rule with their language, inline code in cyan, lists with
 * bullets or numbers (task items as [x] / [ ]), quotes with a bar, tables as
 * aligned columns, link addresses after their text. Without colours (piped,
 * NO_COLOR) it is plain text that still reads as the Markdown meant.
 */
export function terminalMarkdown(text: string, c: Colors): string {
  const tokens = md.parse(plainTerminal(text), {});
  const out: string[] = [];
  const lists: Array<{ ordered: boolean; n: number }> = [];
  let quote = 0;
  let pendingBullet = '';
  let table: string[][] | undefined;
  let row: string[] = [];
  const prefix = () => `${'  '.repeat(Math.max(0, lists.length - 1))}${quote ? c.dim('│ ').repeat(quote) : ''}`;
  const push = (block: string) => {
    for (const [i, line] of block.split('\n').entries()) {
      out.push(`${prefix()}${i === 0 && pendingBullet ? pendingBullet : pendingBullet ? ' '.repeat(pendingBullet.length) : ''}${line}`);
    }
    pendingBullet = '';
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    switch (t.type) {
      case 'heading_open': {
        const content = inline(tokens[i + 1]?.children ?? [], c);
        if (out.length) out.push('');
        push(c.bold(`${t.markup} ${content}`));
        i += 2;
        break;
      }
      case 'paragraph_open': {
        const content = inline(tokens[i + 1]?.children ?? [], c);
        if (!lists.length && out.length && out[out.length - 1] !== '') out.push('');
        if (table) row.push(content);
        else push(content.replace(/^\[([ xX])\] /, (_m, x: string) => (x === ' ' ? '[ ] ' : `${c.green('[x]')} `)));
        i += 2;
        break;
      }
      case 'inline':
        if (table) row.push(inline(t.children ?? [], c));
        break;
      case 'bullet_list_open':
      case 'ordered_list_open':
        if (!lists.length && out.length && out[out.length - 1] !== '') out.push('');
        lists.push({ ordered: t.type === 'ordered_list_open', n: Number(t.attrGet('start') ?? 1) });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'list_item_open': {
        const list = lists[lists.length - 1];
        pendingBullet = list?.ordered ? `${list.n++}. ` : '• ';
        break;
      }
      case 'blockquote_open':
        quote++;
        break;
      case 'blockquote_close':
        quote--;
        break;
      case 'fence':
      case 'code_block': {
        if (out.length && out[out.length - 1] !== '') out.push('');
        const lang = t.info.trim().split(/\s+/)[0] ?? '';
        push(c.dim(`┌─${lang ? ` ${lang} ` : ''}`));
        for (const line of t.content.replace(/\n$/, '').split('\n')) push(`${c.dim('│')} ${line}`);
        push(c.dim('└─'));
        break;
      }
      case 'hr':
        push(c.dim('─'.repeat(40)));
        break;
      case 'table_open':
        table = [];
        break;
      case 'tr_open':
        row = [];
        break;
      case 'tr_close':
        table?.push(row);
        break;
      case 'table_close': {
        const rows = table ?? [];
        table = undefined;
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences of colours are what is measured away
        const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
        const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => plain(r[col] ?? '').length))) ?? [];
        if (out.length && out[out.length - 1] !== '') out.push('');
        rows.forEach((r, n) => {
          push(
            r
              .map((cell, col) => cell + ' '.repeat(Math.max(0, (widths[col] ?? 0) - plain(cell).length)))
              .join('  ')
              .trimEnd(),
          );
          if (n === 0) push(c.dim(widths.map((w) => '─'.repeat(w)).join('  ')));
        });
        break;
      }
      default:
        break;
    }
  }
  return out.join('\n');
}
