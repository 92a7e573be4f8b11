import { describe, expect, it } from 'vitest';
import { colors } from '../../src/cli/output.js';
import { renderSession } from '../../src/cli/render-session.js';
import { terminalMarkdown } from '../../src/cli/terminal-markdown.js';
import { planTurns, turnsOf } from '../../src/ops/turns.js';
import { renderTurnHead } from '../../src/server/ui/render.js';
import { renderUsage, sessionUsage } from '../../src/server/ui/session-usage.js';
import { assistantInfo, SAMPLE, tempArchive, userMessage } from '../helpers.js';

/** Colours off: the marks alone. */
const off = {
  dim: (t: string) => t,
  bold: (t: string) => t,
  green: (t: string) => t,
  yellow: (t: string) => t,
  red: (t: string) => t,
  cyan: (t: string) => t,
};

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

describe('cost of replies whose source gives none', () => {
  it('is reckoned from the price table and marked "~" in sarc show and the web page; a model without a price is "unpriced", never $0', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create({ title: 'priced' });
    const u = await archive.messages.append(s.id, userMessage('go'));
    const tokens = { input: 1000, output: 500, reasoning: 0, cache: { read: 2000, write: 100 } };
    // 1000×3 + 500×15 + 2000×0.3 + 100×3.75 dollars per million = $0.011475.
    await archive.messages.append(s.id, { info: assistantInfo(u.info.id, { modelID: 'claude-sonnet-4-5', tokens }), parts: [] } as never);
    await archive.messages.append(s.id, { info: assistantInfo(u.info.id, { modelID: 'mystery-9', tokens }), parts: [] } as never);
    const messages = await archive.messages.list(s.id);
    const out = renderSession(await archive.sessions.get(s.id), [], messages, off as never).split('\n');
    // One turn (the prompt and both replies): its header sums them.
    expect(out.find((l) => l.startsWith('── claude-sonnet-4-5, mystery-9'))).toContain('2000 in / 1000 out · ~$0.0115 + 1 unpriced reply');
    expect(out.at(-1)).toBe('3 messages · 2000 tokens in / 1000 out · ~$0.0115 + 1 unpriced reply');

    async function* each() {
      yield* messages;
    }
    const { heads } = await planTurns(each());
    expect(heads).toHaveLength(1);
    expect(renderTurnHead(heads[0] as never, {}).html).toContain('~$0.0115 + 1 unpriced reply</span>');
    // Each reply alone: priced, and unpriced.
    const [priced, unpriced] = [
      [messages[0], messages[1]],
      [messages[0], messages[2]],
    ].map((pair) => turnsOf(pair as never)[0]?.head);
    expect(renderTurnHead(priced as never, {}).html).toContain('· ~$0.0115</span>');
    expect(renderTurnHead(unpriced as never, {}).html).toContain('· unpriced</span>');
    const total = await sessionUsage(each());
    expect(total).toMatchObject({ cost: 0.011475, estimated: 0.011475, unpriced: 1, messages: 3 });
    expect(renderUsage(total).html).toContain('· ~$0.0115 + 1 unpriced reply</p>');
  });
});

describe('markdown in a terminal', () => {
  const tag = (name: string) => (t: string) => `<${name}>${t}</${name}>`;
  const on = { dim: tag('dim'), bold: tag('b'), green: tag('green'), yellow: tag('yellow'), red: tag('red'), cyan: tag('cyan') };
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
    // A failed call says so, with its output's last lines under it.
    expect(out).toContain('  ⚙ bash npm test failed 24 s\n      Process exited with code 1: 1 failing (retries on 404)');
    expect(out).toContain('  I wrapped `fetch` in `withRetry`, which retries 3 times');
    // Turns: the prompt, then one header for everything the agent did until it handed back.
    expect(out.split('\n').filter((l) => l.startsWith('▍You'))).toHaveLength(3);
    expect(out).toContain('── claude-sonnet-4-5 25 s · 5120 in / 640 out · $0.0123 · 2 tool calls\n');
    expect(out).toContain('── claude-sonnet-4-5 25 s · 5120 in / 640 out · $0.0123 · 1 tool call 1 failed\n');
    expect(out).toContain('  [file: client.ts, text/plain]');
    expect(out.trimEnd().split('\n').at(-1)).toBe('5 messages · 10240 tokens in / 1280 out · $0.0246');
  });
});
