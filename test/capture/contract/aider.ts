import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aiderSessionId } from '../../../src/ops/capture/agents/aider/convert.js';
import { appendedStore, type ContractFixture } from './fixtures.js';

// Aider: `.aider.chat.history.md` in each repository it ran in, appended to as it goes; each run a session.

const banner = (started: string) =>
  `\n# aider chat started at ${started}\n\n> /usr/bin/aider --model sonnet\n> Aider v0.86.1\n> Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output\n> Git repo: .git with 12 files\n> Repo-map: using 4096 tokens, auto refresh\n\n`;
const turn = (prompt: string) =>
  `#### ${prompt}\n\nHere is the change.\n\nshop/cart.py\n\`\`\`python\n<<<<<<< SEARCH\n=======\ndef total(): pass\n>>>>>>> REPLACE\n\`\`\`\n\n> Tokens: 2.3k sent, 120 received. Cost: $0.0089 message, $0.0089 session.\n> Applied edit to shop/cart.py\n> Commit 1a2b3c4 feat: ${prompt}\n\n`;

export const aiderFixture: ContractFixture = {
  agent: 'aider',
  halfWritten: true,
  async make(dir) {
    const shop = join(dir, 'src', 'shop');
    const api = join(dir, 'src', 'api');
    await mkdir(shop, { recursive: true });
    await mkdir(api, { recursive: true });
    const file = join(shop, '.aider.chat.history.md');
    // Two runs in one repository, one in another.
    await writeFile(file, `${banner('2026-06-01 10:00:00')}${turn('Add a cart')}`);
    await appendFile(file, `${banner('2026-06-01 11:00:00')}${turn('Why is checkout slow?')}`);
    await writeFile(join(api, '.aider.chat.history.md'), `${banner('2026-06-02 09:00:00')}${turn('Rename the route')}`);
    return appendedStore({
      from: join(dir, 'src'),
      sessions: 3,
      children: 0,
      grownId: aiderSessionId(file, 1, '2026-06-01T11:00:00'),
      file,
      turn: (text) => `#### ${text}\n\nRe: ${text}: done, and every test stays green.\n\n`,
    });
  },
};
