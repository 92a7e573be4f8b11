import { execFileSync } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { fileAsText, sessionMarkdown } from '../../src/index.js';
import { startServer } from '../../src/server/serve.js';
import { sarc } from '../cli/helpers.js';
import { assistantInfo, hasTool, SAMPLE, SAMPLES, tempArchive, tempDir, userMessage } from '../helpers.js';

async function text(pieces: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const p of pieces) out += p;
  return out;
}

describe('Markdown for people', () => {
  it('a session reads as Markdown: facts and todos, a heading per turn, tool calls folded, edits as diffs, times in the zone asked for', async () => {
    const { archive } = await tempArchive({ samples: true });
    const md = await text(sessionMarkdown(archive, SAMPLE.main, { timeZone: 'Asia/Tokyo' }));
    expect(md.startsWith('# Add retries to the HTTP client\n')).toBe(true);
    expect(md).toContain('- [x] Wrap fetch in withRetry');
    expect(md).toContain('- [ ] Retry only on 5xx and network errors (in progress)');
    // A turn: what the person sent (## You), then one heading for what the agent did (### its model, sums).
    const headings = md.split('\n').filter((l) => l.startsWith('## You'));
    expect(headings).toHaveLength(3);
    // 2026-10-03 09:15 UTC is 18:15 in Tokyo.
    expect(headings[0]).toMatch(/^## You · 2026-10-03 18:15 (JST|GMT\+9)$/);
    expect(md).toContain('### claude-sonnet-4-5 · 25 s · 5120 in / 640 out · $0.0123 · 2 tool calls\n');
    expect(md).toContain('### claude-sonnet-4-5 · 25 s · 5120 in / 640 out · $0.0123 · 1 tool call (1 failed)\n');
    expect(md).toContain('<details><summary>edit: <code>src/client.ts</code> (completed, 1.0 s)</summary>');
    expect(md).toContain('```diff\n@@ -1,1 +1,1 @@\n-return fetch(url);\n+return withRetry(() => fetch(url));\n```');
    // It is Markdown a renderer reads as meant: the headings are headings, the tool calls stay folded.
    const html = new MarkdownIt({ html: true }).render(md);
    expect(html.match(/<h2>/g)).toHaveLength(headings.length + 1); // and Todos
    expect(html).toContain('<details><summary>edit: <code>src/client.ts</code>');
  });

  it('code containing fences stays inside its own fence', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create({ title: 'fences' });
    await archive.messages.append(s.id, {
      info: assistantInfo((await archive.messages.append(s.id, userMessage('write the README'))).info.id, {
        tokens: { input: 1, output: 2, reasoning: 0, cache: { read: 0, write: 0 } },
      }),
      parts: [
        {
          type: 'tool',
          callID: 'c',
          tool: 'write',
          state: {
            status: 'completed',
            input: { filePath: '/r/README.md', content: '# Title\n\n```sh\nnpm test\n```\n' },
            output: 'ok',
            title: 'README.md',
            metadata: {},
            time: { start: 1, end: 2 },
          },
        },
      ],
    });
    const html = new MarkdownIt({ html: true }).render(await text(sessionMarkdown(archive, s.id)));
    // The README's own fence is text inside one code block, not the end of it.
    expect(html).toContain('<code># Title\n\n```sh\nnpm test\n```\n</code>');
  });

  it('sarc export --format markdown writes one document for several sessions; the web UI offers the same as a download', async () => {
    const { dir, stateDir, archive } = await tempArchive({ samples: true });
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
    const out = join(await tempDir(), 'sessions.md');
    const run = await sarc(['export', SAMPLE.main, SAMPLE.notes, '--format', 'markdown', '-o', out], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`exported 2 sessions to ${out}\n`);
    const written = await readFile(out, 'utf8');
    expect(written.split('\n---\n')).toHaveLength(2);
    expect(written).toContain('# Add retries to the HTTP client');
    expect(written).toContain('# Weekly notes summary');
    const server = await startServer({ dir, stateDir, port: 0, onWarning: () => {} });
    try {
      const res = await fetch(`${server.url}/ui/session/${SAMPLE.main}/markdown`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/markdown; charset=UTF-8');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${SAMPLE.main}.md"`);
      expect(await res.text()).toBe(await text(sessionMarkdown(archive, SAMPLE.main)));
      const page = await (await fetch(`${server.url}/ui/session/${SAMPLE.main}`)).text();
      expect(page).toContain(`href="/ui/session/${SAMPLE.main}/markdown" download`);
    } finally {
      await server.close();
    }
  });

  it('textconv: a file that is not an archive file, or not JSON, is shown as it is', () => {
    expect(fileAsText('not json {')).toBe('not json {');
    expect(fileAsText('{"a": 1}')).toBe('{"a": 1}');
    expect(fileAsText('[{"content":"x","status":"completed","priority":"low","id":"1"}]')).toBe('- [x] x (completed, low)\n');
  });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

describe.skipIf(!hasTool('git'))('git diff with textconv', () => {
  it('git diff and git log -p show the conversation text, not JSON', async () => {
    const repo = join(await tempDir(), 'repo');
    await cp(SAMPLES, repo, { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    const setup = await sarc(['git-setup', '--textconv', '--archive', repo], { env: { SARC_STATE_DIR: join(repo, '..', 'state') } });
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain('git diff shows conversations');
    expect(await readFile(join(repo, '.gitattributes'), 'utf8')).toContain('sessions/*/messages/*.json diff=sarc');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'samples');
    const file = join(repo, 'sessions', SAMPLE.main, 'messages', 'msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('Add retries with exponential backoff.', 'Add retries with jitter.'));
    const diff = git(repo, 'diff');
    expect(diff).toContain('-The HTTP client gives up after one failed request. Add retries with exponential backoff.');
    expect(diff).toContain('+The HTTP client gives up after one failed request. Add retries with jitter.');
    expect(diff).not.toContain('"text":');
    git(repo, 'commit', '-q', '-am', 'jitter');
    const log = git(repo, 'log', '-p', '-1');
    expect(log).toContain(' ## User · ');
    expect(log).toContain('+The HTTP client gives up after one failed request. Add retries with jitter.');
    // Without textconv git shows the JSON, so the above is the textconv's doing.
    expect(git(repo, 'log', '-p', '-1', '--no-textconv')).toContain('"text": "The HTTP client gives up');
  });
});
