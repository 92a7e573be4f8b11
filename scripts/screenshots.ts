// The screenshots in docs/ (linked from the README): the sample archive and a
// longer session of several turns, in Debian's Chromium. Run: npm run screenshots
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { openArchive } from '../src/index.js';
import { startServer } from '../src/server/serve.js';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs', 'screenshots');
const SAMPLE_MAIN = 'ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA';

const root = await mkdtemp(join(tmpdir(), 'sarc-shots-'));
const dir = join(root, 'archive');
await cp(join(ROOT, 'samples'), dir, { recursive: true });
const archive = await openArchive({ dir, stateDir: join(root, 'state') });

// A longer session: ten turns of work on a parser, some with several steps and tool calls, one failing.
const s = await archive.sessions.create({ title: 'Speed up the CSV parser', directory: '/home/dev/src/csvkit' });
const base = Date.UTC(2026, 10, 20, 14, 0);
const tokens = (n: number) => ({ input: 1800 + n * 40, output: 300 + n * 7, reasoning: 0, cache: { read: 12_000, write: 400 } });
for (let t = 0; t < 10; t++) {
  const at = base + t * 240_000;
  const prompt = await archive.messages.append(s.id, {
    info: { role: 'user', agent: 'build', model: { providerID: 'anthropic', modelID: 'claude-sonnet-4-5' }, time: { created: at } },
    parts: [
      {
        type: 'text',
        text: t === 0 ? 'Parsing a 2 GB CSV takes 40 s. Profile it and make it faster.' : `Next: step ${t + 1} of the plan.`,
      },
    ],
  } as never);
  const steps = 1 + (t % 3);
  for (let k = 0; k < steps; k++) {
    const start = at + 5_000 + k * 30_000;
    const failing = t === 3 && k === steps - 1;
    const output = failing
      ? `${Array.from({ length: 40 }, (_, i) => `✓ case ${i + 1}`).join('\n')}\n✗ quoted newline inside a field\n  expected 3 rows, got 4`
      : 'ok';
    await archive.messages.append(s.id, {
      info: {
        role: 'assistant',
        parentID: prompt.info.id,
        providerID: 'anthropic',
        modelID: 'claude-sonnet-4-5',
        mode: 'build',
        agent: 'build',
        path: { cwd: '/home/dev/src/csvkit', root: '/home/dev/src/csvkit' },
        cost: 0,
        tokens: tokens(t + k),
        time: { created: start, completed: start + 20_000 },
      },
      parts: [
        ...(k === 0 ? [{ type: 'reasoning', text: 'Look at where the time goes first.', time: { start, end: start + 1 } }] : []),
        {
          type: 'tool',
          callID: `c${t}-${k}`,
          tool: 'bash',
          state: failing
            ? { status: 'error', input: { command: 'npm test -- parser' }, error: output, time: { start, end: start + 9_000 } }
            : {
                status: 'completed',
                input: { command: k === 0 ? 'node --cpu-prof bench/parse.js big.csv' : 'npm test -- parser' },
                output,
                title: '',
                metadata: {},
                time: { start, end: start + 4_000 },
              },
        },
        ...(k === steps - 1
          ? [
              {
                type: 'text',
                text: failing
                  ? 'One case fails: a quoted newline. Fixing the state machine.'
                  : 'Done: the **tokenizer** no longer copies each field.',
              },
            ]
          : []),
      ],
    } as never);
  }
}

const server = await startServer({ dir, stateDir: join(root, 'state'), port: 0, onWarning: () => {} });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
await mkdir(OUT, { recursive: true });
const shot = async (name: string, path: string, viewport: { width: number; height: number }, colorScheme: 'light' | 'dark' = 'light') => {
  const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${server.url}${path}`);
  await page.waitForLoadState('load');
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  await context.close();
  console.log(`docs/screenshots/${name}.png`);
};
try {
  await shot('list', '/', { width: 1280, height: 720 });
  await shot('session', `/ui/session/${s.id}`, { width: 1280, height: 900 });
  await shot('search', '/?q=retry', { width: 1280, height: 720 });
  await shot('phone', `/ui/session/${SAMPLE_MAIN}`, { width: 390, height: 844 }, 'dark');
} finally {
  await browser.close();
  await server.close();
  await rm(root, { recursive: true, force: true });
}
