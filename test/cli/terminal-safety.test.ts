import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { plainTerminal, terminalSafe } from '../../src/cli/terminal-text.js';
import { sessionMarkdown } from '../../src/index.js';
import { assistantInfo, hasTool, SARC, tempArchive, tempDir, userMessage } from '../helpers.js';
import { sarc } from './helpers.js';

// What a transcript can hold that would act on a terminal: set the window title,
// write the clipboard (OSC 52), recolour the palette, clear the screen, move the
// cursor, hide what follows (C1 controls), reorder a line (bidi overrides).
const ESC = '\u001b';
const PAYLOADS = [
  `${ESC}]0;pwned title\u0007`,
  `${ESC}]52;c;ZWNobyBwd25lZA==\u0007`,
  `${ESC}]4;1;rgb:ff/00/00${ESC}\\`,
  `${ESC}[2J${ESC}[H`,
  `${ESC}[31mred${ESC}[0m`,
  '\u009b6n',
  '\u009d0;c1 title\u009c',
  `${ESC}P+q544e\u0007`,
  'over\rwritten',
  '\u202eevil\u202c',
  '\u0008\u0008\u007f',
];
const HOSTILE = `hello ${PAYLOADS.join(' ')} world`;

/** Any escape, control (other than tab and newline) or bidi character: nothing of the kind may reach the terminal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('text a transcript puts on a terminal', () => {
  it('keeps its words and loses every escape sequence and control character; sarc’s own colours stay', () => {
    const plain = plainTerminal(HOSTILE);
    expect(plain).not.toMatch(CONTROL);
    expect(plain.startsWith('hello ')).toBe(true);
    expect(plain.endsWith(' world')).toBe(true);
    expect(plain).toContain('red');
    expect(plain).not.toContain('pwned');
    expect(plain).toContain('over\nwritten');
    const ours = `${ESC}[1mbold${ESC}[22m ${ESC}[31m${plainTerminal('x')}${ESC}[39m`;
    expect(terminalSafe(`${ours}${HOSTILE}`)).toBe(`${ours}${plain.replace(/red/, `${ESC}[31mred${ESC}[0m`)}`);
    // The only sequences terminalSafe lets through are colour codes: none can set a title, the clipboard or the palette.
    const sequences = terminalSafe(HOSTILE).split(ESC).slice(1);
    expect(sequences.map((q) => q.slice(0, q.indexOf('m') + 1))).toEqual(['[31m', '[0m']);
  });

  it('sarc show, list and search print a hostile session without one control character, its words kept', async () => {
    const { dir, archive } = await tempArchive();
    const s = await archive.sessions.create({ title: `title ${HOSTILE}`, directory: `/tmp/${PAYLOADS[0]}dir` });
    await archive.todos.set(s.id, [{ id: 't1', content: `todo ${HOSTILE}`, status: 'pending', priority: 'high' }]);
    const u = await archive.messages.append(s.id, userMessage(`prompt ${HOSTILE} findme`));
    await archive.messages.append(s.id, {
      info: assistantInfo(u.info.id, { modelID: `model${PAYLOADS[1]}` }),
      parts: [
        { type: 'text', text: `answer ${HOSTILE}` },
        { type: 'reasoning', text: `thinking ${HOSTILE}`, time: { start: 1 } },
        {
          type: 'tool',
          callID: 'c1',
          tool: `bash${PAYLOADS[3]}`,
          state: { status: 'error', input: { command: `rm ${HOSTILE}` }, error: `failed ${HOSTILE}`, time: { start: 1, end: 2 } },
        },
        { type: 'file', mime: `image/png${PAYLOADS[2]}`, filename: `shot${PAYLOADS[0]}.png`, url: 'data:image/png;base64,iVBORw0KGgo=' },
      ],
    } as never);
    const env = { SARC_ARCHIVE: dir };
    for (const args of [
      ['show', s.id, '--no-pager'],
      ['list', '--all'],
      ['search', 'findme'],
    ]) {
      const run = await sarc(args, { env });
      expect(run.stderr, args.join(' ')).not.toMatch(CONTROL);
      expect(run.stdout, args.join(' ')).not.toMatch(CONTROL);
      expect(run.stdout, args.join(' ')).toContain('hello');
      expect(run.stdout, args.join(' ')).toContain('world');
    }
    const shown = (await sarc(['show', s.id, '--no-pager'], { env })).stdout;
    // An image prints as what it is, never as its bytes.
    expect(shown).toContain('[image: shot.png, image/png');
    expect(shown).not.toContain('iVBORw0KGgo');
  });

  it('the markdown export escapes every value that is not a message’s own Markdown (13 payloads stay text when rendered with HTML on)', async () => {
    const { archive } = await tempArchive();
    const x = (n: number) => `<img src=x onerror=alert(${n})>`;
    const s = await archive.sessions.create({ title: `${x(1)} [a](javascript:alert(2))`, directory: `/tmp/${x(3)}` });
    await archive.todos.set(s.id, [{ id: 't', content: `${x(4)} <script>alert(5)</script>`, status: `${x(6)}` as never, priority: 'low' }]);
    const u = await archive.messages.append(s.id, userMessage('fine'));
    await archive.messages.append(s.id, {
      info: assistantInfo(u.info.id, { modelID: x(7) }),
      parts: [
        { type: 'file', mime: x(8), filename: x(9), url: 'data:text/plain;base64,aGk=' },
        {
          type: 'tool',
          callID: 'c',
          tool: x(10),
          state: { status: 'completed', input: { command: x(11) }, output: 'ok', title: '', metadata: {}, time: { start: 1, end: 2 } },
        },
        { type: 'patch', hash: 'h', files: [`/tmp/${x(12)}`] },
        { type: 'subtask', prompt: 'p', description: x(13), agent: '<b>agent</b>' },
      ],
    } as never);
    let md = '';
    for await (const piece of sessionMarkdown(archive, s.id)) md += piece;
    const html = new MarkdownIt({ html: true }).render(md);
    // Only the elements the export itself writes, and Markdown's own; no payload became an element or a link.
    const tags = new Set([...html.matchAll(/<([a-z0-9]+)/gi)].map((m) => m[1]?.toLowerCase()));
    for (const tag of tags) expect(['h1', 'h2', 'h3', 'p', 'ul', 'li', 'code', 'pre', 'details', 'summary', 'em', 'input']).toContain(tag);
    expect(html).not.toMatch(/<a\s/);
    for (let n = 1; n <= 13; n++) if (n !== 2 && n !== 5) expect(html, `payload ${n}`).toContain(`alert(${n})`);
  });
});

describe('sarc show on a terminal', () => {
  it('pages through $PAGER, opened at the message --hit finds', async () => {
    if (!hasTool('script')) {
      if (process.env.CI === 'true') throw new Error('script (util-linux) is needed to give sarc a terminal');
      console.log('skipped: no `script` to give sarc a terminal');
      return;
    }
    const { dir, archive } = await tempArchive();
    const s = await archive.sessions.create({ title: 'paged' });
    for (let i = 1; i <= 40; i++) await archive.messages.append(s.id, userMessage(i === 30 ? 'the needle is here' : `message ${i}`));
    const out = await tempDir();
    // A pager that writes down its arguments and what it was given.
    const pager = join(out, 'pager.mjs');
    await writeFile(
      pager,
      `import { writeFileSync, readFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(join(out, 'args'))}, JSON.stringify(process.argv.slice(2)));\nwriteFileSync(${JSON.stringify(join(out, 'text'))}, readFileSync(0));\n`,
    );
    const wrapper = join(out, 'less');
    await writeFile(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(pager)} "$@"\n`, { mode: 0o755 });
    const command = [process.execPath, ...SARC, 'show', s.id, '--hit', 'NEEDLE here'].map((a) => `'${a}'`).join(' ');
    await new Promise<void>((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: { ...process.env, SARC_ARCHIVE: dir, PAGER: wrapper, NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: 60_000,
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`sarc show exited ${code}`))));
      child.stdin.end();
    });
    const args = JSON.parse(await readFile(join(out, 'args'), 'utf8')) as string[];
    const text = (await readFile(join(out, 'text'), 'utf8')).split('\n');
    const line = Number(args.find((a) => a.startsWith('+'))?.slice(1));
    // The pager opens on the turn of the 30th message (less counts lines from 1).
    expect(text[line - 1]).toMatch(/^▍You /);
    expect(text[line]).toBe('  the needle is here');
  }, 90_000);
});
