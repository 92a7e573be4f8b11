import { describe, expect, it } from 'vitest';
import { colors } from '../../src/cli/output.js';
import { renderSession } from '../../src/cli/render-session.js';
import { terminalMarkdown } from '../../src/cli/terminal-markdown.js';
import { SAMPLE, tempArchive, userMessage } from '../helpers.js';

describe('sarc show rendering', () => {
  it('prints a text part of 200k lines whole, each line indented', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create({ title: 'long log' });
    const text = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n');
    await archive.messages.append(s.id, userMessage(text));
    const out = renderSession(await archive.sessions.get(s.id), [], await archive.messages.list(s.id), colors());
    const lines = out.split('\n');
    expect(lines).toContain('  line 0');
    expect(lines).toContain('  line 199999');
    expect(lines.filter((l) => l.startsWith('  line ')).length).toBe(200_000);
  });
});

describe('markdown in a terminal', () => {
  const tag = (name: string) => (t: string) => `<${name}>${t}</${name}>`;
  const on = { dim: tag('dim'), bold: tag('b'), green: tag('green'), yellow: tag('yellow'), red: tag('red'), cyan: tag('cyan') };
  const off = {
    dim: (t: string) => t,
    bold: (t: string) => t,
    green: (t: string) => t,
    yellow: (t: string) => t,
    red: (t: string) => t,
    cyan: (t: string) => t,
  };
  const sample = [
    '## Plan',
    '',
    'Use **retries** and `withRetry`, see [the docs](https://example.com/d).',
    '',
    '- [x] read',
    '- [ ] test',
    '',
    '1. first',
    '2. second',
    '',
    '> quoted',
    '',
    '```ts',
    'const a = 1;',
    '```',
    '',
    '| a | bb |',
    '|---|---|',
    '| 1 | 2 |',
  ].join('\n');

  it('styles headings, strong text, code, links, lists, quotes, fences and tables', () => {
    const out = terminalMarkdown(sample, on);
    expect(out).toContain('<b>## Plan</b>');
    expect(out).toContain('Use <b>retries</b> and <cyan>withRetry</cyan>, see the docs <dim>(https://example.com/d)</dim>.');
    expect(out).toContain('• <green>[x]</green> read');
    expect(out).toContain('• [ ] test');
    expect(out).toContain('1. first\n2. second');
    expect(out).toContain('<dim>│ </dim>quoted');
    expect(out).toContain('<dim>┌─ ts </dim>\n<dim>│</dim> const a = 1;\n<dim>└─</dim>');
    expect(out).toContain('a  bb\n<dim>─  ──</dim>\n1  2');
  });

  it('without colours it keeps the marks that carry meaning', () => {
    const out = terminalMarkdown(sample, off);
    expect(out).toContain('Use **retries** and `withRetry`, see the docs (https://example.com/d).');
    expect(out).not.toContain('<');
  });

  it('sarc show prints markdown for the terminal, tool calls in one line each, usage; --raw prints the JSON', async () => {
    const { archive } = await tempArchive({ samples: true });
    const info = await archive.sessions.get(SAMPLE.main);
    const out = renderSession(info, [], await archive.messages.list(SAMPLE.main), off);
    expect(out).toContain('  ⚙ edit src/client.ts done 1.0 s');
    expect(out).toContain('  ⚙ bash npm test error 24 s');
    expect(out).toContain('  I wrapped `fetch` in `withRetry`, which retries 3 times');
    expect(out).toContain('── assistant anthropic/claude-sonnet-4-5 · 5120 in / 640 out · $0.0123');
    expect(out.trimEnd().split('\n').at(-1)).toBe('5 messages · 10240 tokens in / 1280 out · $0.0246');
  });
});
