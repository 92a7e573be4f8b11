// npm run bench:redact: recall of the redaction on planted secrets of every
// kind (in the places and spellings transcripts hold them), and its false
// positives on ordinary text that holds no secret: the transcripts and
// sessions of the test fixtures and samples, the project's own source, tests
// and docs (code full of "token", "password", hashes and IDs), and the
// decoys. Writes its section of bench/RESULTS.md.
import { readdir, readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redactor, RULES_VERSION } from '../src/index.js';
import { DECOYS, plantedSecrets } from '../test/fixtures/secrets.js';
import { writeSection } from './results.js';

const root = join(import.meta.dirname, '..');
const redactor = new Redactor({ key: 'ab'.repeat(32) });

/** Planted secrets in the spellings transcripts hold them: a shell line, a JSON string, an env file, a sentence. */
function spellings(line: string): string[] {
  return [line, JSON.stringify({ output: line }), `.env:\n${line}\n`, `The command printed: ${line}. Then it stopped.`];
}

const recall = new Map<string, { planted: number; caught: number }>();
for (let n = 1; n <= 25; n++) {
  for (const p of plantedSecrets(n)) {
    for (const text of spellings(p.line)) {
      const { values } = await redactor.redact([text]);
      const r = recall.get(p.kind) ?? { planted: 0, caught: 0 };
      r.planted++;
      const pieces = p.kind === 'private-key' ? p.secret.split('\n').filter((l) => !l.startsWith('-----')) : [p.secret];
      if (
        !pieces.some((piece) => String(values[0]).includes(piece) || JSON.stringify(values[0]).includes(JSON.stringify(piece).slice(1, -1)))
      )
        r.caught++;
      recall.set(p.kind, r);
    }
  }
}

/** Ordinary text: files that hold no secret (the planted corpus and the redaction tests left out). */
async function ordinary(): Promise<Array<{ name: string; text: string }>> {
  const out: Array<{ name: string; text: string }> = [];
  const walk = async (dir: string, keep: (rel: string) => boolean) => {
    for (const rel of await readdir(join(root, dir), { recursive: true })) {
      if (!keep(rel)) continue;
      const text = await readFile(join(root, dir, rel), 'utf8').catch(() => undefined);
      if (text !== undefined) out.push({ name: `${dir}/${rel}`, text });
    }
  };
  await walk('test/fixtures', (r) => /\.(jsonl|json)$/.test(r));
  await walk('samples', (r) => r.endsWith('.json'));
  await walk('src', (r) => r.endsWith('.ts') && !r.startsWith('ops/redact/'));
  await walk('test', (r) => r.endsWith('.ts') && !r.includes('secrets') && !r.startsWith('redact/') && !r.includes('fixtures/hostile'));
  await walk('docs', (r) => r.endsWith('.md'));
  out.push({ name: 'README.md', text: await readFile(join(root, 'README.md'), 'utf8') });
  out.push({ name: 'decoys', text: DECOYS.join('\n') });
  return out;
}

/** The real agents' own transcripts, made now against the mock model (where .ci/tools has them): what they write around a prompt. */
async function realTranscripts(): Promise<Array<{ name: string; text: string }>> {
  const { existsSync } = await import('node:fs');
  const { mkdir, mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { spawn } = await import('node:child_process');
  const { startMockModel } = await import('../test/agents/mock-model.js');
  const tools = join(root, '.ci', 'tools', 'node_modules');
  const claude = join(tools, '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
  const codex = join(tools, '@openai', 'codex', 'bin', 'codex.js');
  const gemini = join(tools, '@google', 'gemini-cli', 'bundle', 'gemini.js');
  const qwen = join(tools, '@qwen-code', 'qwen-code', 'cli-entry.js');
  const pi = join(tools, '@mariozechner', 'pi-coding-agent', 'dist', 'cli.js');
  const copilot = join(tools, '@github', 'copilot', 'npm-loader.js');
  const out: Array<{ name: string; text: string }> = [];
  const mock = await startMockModel();
  const home = await mkdtemp(join(tmpdir(), 'sarc-redact-bench-'));
  try {
    const work = join(home, 'work');
    await mkdir(join(home, '.codex'), { recursive: true });
    await mkdir(work, { recursive: true });
    const env = {
      PATH: `${join(process.execPath, '..')}:/usr/bin:/bin`,
      HOME: home,
      CODEX_HOME: join(home, '.codex'),
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'x',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      MOCK_API_KEY: 'x',
      TERM: 'dumb',
      NO_COLOR: '1',
      GEMINI_API_KEY: 'x',
      GOOGLE_GEMINI_BASE_URL: mock.url,
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      OPENAI_API_KEY: 'x',
      OPENAI_BASE_URL: `${mock.url}/v1`,
      OPENAI_MODEL: 'mock-model',
      PI_OFFLINE: '1',
      COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_BASE_URL: `${mock.url}/v1`,
      COPILOT_PROVIDER_API_KEY: 'x',
      COPILOT_MODEL: 'mock-model',
    };
    const { writeFile } = await import('node:fs/promises');
    await mkdir(join(home, '.gemini'), { recursive: true });
    await writeFile(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
    await mkdir(join(home, '.qwen'), { recursive: true });
    await writeFile(join(home, '.qwen', 'settings.json'), JSON.stringify({ memory: { enableManagedAutoMemory: false } }));
    await mkdir(join(home, '.pi', 'agent'), { recursive: true });
    const provider = {
      baseUrl: `${mock.url}/v1`,
      api: 'openai-completions',
      apiKey: 'x',
      compat: { supportsDeveloperRole: false },
      models: [{ id: 'mock-model' }],
    };
    await writeFile(join(home, '.pi', 'agent', 'models.json'), JSON.stringify({ providers: { mock: provider } }));
    // Not spawnSync: the mock model answers from this process's event loop.
    const run = (bin: string, args: string[]) =>
      new Promise<void>((resolve) => {
        const child = spawn(bin, args, { cwd: work, env, stdio: 'ignore', detached: true });
        const kill = () => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {}
        };
        const timer = setTimeout(kill, 60_000);
        child.once('exit', () => {
          clearTimeout(timer);
          kill();
          resolve();
        });
        child.once('error', () => resolve());
      });
    if (existsSync(claude))
      await run(claude, ['--model', 'mock-model', '--allowedTools', 'Bash', '-p', 'List the files here, then say done.']);
    if (existsSync(codex)) {
      await run(codex, [
        'exec',
        '--skip-git-repo-check',
        '--dangerously-bypass-approvals-and-sandbox',
        '-c',
        'model_provider=mock',
        '-c',
        'model=mock-model',
        '-c',
        `model_providers.mock={name="Mock",base_url="${mock.url}/v1",wire_api="responses",env_key="MOCK_API_KEY"}`,
        'List the files here, then say done.',
      ]);
    }
    const prompt = 'List the files here, then say done.';
    if (existsSync(gemini)) await run(gemini, ['-m', 'gemini-2.5-flash', '--approval-mode', 'yolo', '-p', prompt]);
    if (existsSync(qwen)) await run(qwen, ['--yolo', '-p', prompt]);
    if (existsSync(pi)) await run(pi, ['--provider', 'mock', '--model', 'mock-model', '-p', prompt]);
    if (existsSync(copilot)) await run(copilot, ['--allow-all-tools', '--disable-client-telemetry', '-s', '-p', prompt]);
    for (const rel of await readdir(home, { recursive: true })) {
      if (rel.endsWith('.jsonl') && /projects|sessions|chats|session-state/.test(rel))
        out.push({ name: `real ${rel.split('/')[0]}`, text: await readFile(join(home, rel), 'utf8') });
    }
  } finally {
    await mock.close();
    await rm(home, { recursive: true, force: true });
  }
  return out;
}

const real = await realTranscripts();
const corpus = [...(await ordinary()), ...real];
let bytes = 0;
const falsePositives: Array<{ name: string; kind: string }> = [];
const t0 = performance.now();
for (const { name, text } of corpus) {
  bytes += Buffer.byteLength(text);
  const { found } = await redactor.redact([text]);
  for (const f of found) falsePositives.push({ name, kind: f.kind });
}
const ms = performance.now() - t0;

const rows = [...recall.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const planted = rows.reduce((n, [, r]) => n + r.planted, 0);
const caught = rows.reduce((n, [, r]) => n + r.caught, 0);
const fpKinds = new Map<string, number>();
for (const f of falsePositives) fpKinds.set(f.kind, (fpKinds.get(f.kind) ?? 0) + 1);
const section = `## Redaction benchmark

\`npm run bench:redact\` on ${cpus().length} × ${cpus()[0]?.model.trim().split(' ').slice(0, 2).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Rule set: ${RULES_VERSION}.

**Recall** on planted secrets (test/fixtures/secrets.ts: ${rows.length} kinds × 25 values × 4 spellings — a shell line, a JSON string, an env file, a sentence): **${caught} of ${planted} (${((100 * caught) / planted).toFixed(1)}%)**.

| kind | caught |
|---|---|
${rows.map(([kind, r]) => `| ${kind} | ${r.caught} / ${r.planted} |`).join('\n')}

**False positives** on ${corpus.length} files of ordinary text that hold no secret (${(bytes / 2 ** 20).toFixed(1)} MB: the test fixtures' transcripts and sessions, samples/, the project's own source, tests and docs, the decoys, and ${real.length} transcripts the real agents wrote in this run against the mock model${real.length ? ` (${real.map((r) => r.name).join(', ')})` : ': none installed here'}): **${falsePositives.length}**${falsePositives.length ? ` (${[...fpKinds.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}; in ${[...new Set(falsePositives.map((f) => f.name))].slice(0, 8).join(', ')})` : ''}. Scanned at ${(bytes / 2 ** 20 / (ms / 1000)).toFixed(1)} MB/s.

A finding in ordinary text is counted as false even where it is a literal credential (a test's \`password: 's3cret'\`).

What it cannot find: a secret in an image or a PDF (binary data is not read), one split across lines or messages, one of a format no rule knows that does not stand after a credential key word (\`password=\`, \`token:\`, \`api_key\` …), and a password that looks like a word and stands nowhere near one.`;
writeSection('redact', section);
console.log(section);
