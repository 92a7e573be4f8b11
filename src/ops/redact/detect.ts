import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { pairSpans, type Span } from './pairs.js';
import { TOKEN_PATTERNS } from './patterns.js';

// Finding secrets in text, in three layers: secretlint's recommended rule set
// (cloud, VCS, chat, payment and AI-provider tokens, private keys, URLs and
// connection strings with passwords), the token formats it lacks run through
// secretlint's own pattern rule (patterns.ts), and credential key/value pairs
// with an entropy check for unknown formats (pairs.ts).

export type { Span } from './pairs.js';

/**
 * secretlint marks every rule's start and end on the process's performance
 * timeline, and its profiler keeps every mark, searching them all at each new
 * one: over a sync of many sessions that grew without bound (memory) and
 * cost a third of a 600-session sync's time, more with every session. Its
 * profile serves its own CLI's --profile; here, no marks. The profiler is the
 * one secretlint's core imports (its own copy, resolved from the core).
 */
async function quietProfiler(): Promise<void> {
  try {
    const fromCore = createRequire(createRequire(import.meta.url).resolve('@secretlint/core'));
    const { secretLintProfiler } = (await import(pathToFileURL(fromCore.resolve('@secretlint/profiler')).href)) as {
      secretLintProfiler: { mark: (marker: unknown) => void };
    };
    secretLintProfiler.mark = () => {};
  } catch {
    // Another layout of secretlint's packages: its marks stay (slower, not wrong).
  }
}

/** secretlint and its rules, loaded at the first scan: a command that scans nothing does not pay for them. */
let engine: Promise<{ lintSource: typeof import('@secretlint/core').lintSource; config: { rules: unknown[] } }> | undefined;
function secretlint() {
  engine ??= (async () => {
    const [{ lintSource }, { creator: recommended }, { creator: patternRule }] = await Promise.all([
      import('@secretlint/core'),
      import('@secretlint/secretlint-rule-preset-recommend'),
      import('@secretlint/secretlint-rule-pattern'),
    ]);
    await quietProfiler();
    const rules = [
      { id: 'recommend', rule: recommended },
      { id: 'pattern', rule: patternRule, options: { patterns: TOKEN_PATTERNS.map((p) => ({ name: p.kind, patterns: [p.pattern] })) } },
    ];
    return { lintSource, config: { rules } };
  })();
  return engine;
}

/** secretlint's message IDs as marker kinds (`GITHUB_TOKEN` → `github-token`). */
function kindOf(messageId: string, data: unknown): string {
  const named = (data as { PATTERN_NAME?: unknown } | undefined)?.PATTERN_NAME;
  if (typeof named === 'string') return named;
  if (messageId === 'BasicAuth') return 'url-password';
  if (/Connection$/.test(messageId)) return 'connection-string';
  return messageId
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/** Kinds whose reported range is the key and its value, or part of it: the value is the 40-character key itself. */
const AWS_SECRET = /[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/g;

/** In a URL with a password or a connection string, only the password (the rest is no secret, and stays readable). */
function narrow(text: string, span: Span): Span {
  if (span.kind === 'aws-secret-access-key') {
    AWS_SECRET.lastIndex = span.start;
    const m = AWS_SECRET.exec(text);
    return m && m.index <= span.end ? { kind: span.kind, start: m.index, end: m.index + 40 } : span;
  }
  if (span.kind !== 'url-password' && span.kind !== 'connection-string') return span;
  const found = /:\/\/[^:/@\s]*:([^@\s]+)@/.exec(text.slice(span.start, span.end));
  if (!found) return span;
  const start = span.start + found.index + found[0].length - 1 - (found[1] as string).length;
  return { kind: span.kind, start, end: start + (found[1] as string).length };
}

/** Spans that overlap merged into one (the first kind wins). */
function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** A run of 16 or more token characters (what every format secretlint's rules know is made of). */
const TOKEN_RUN = /[A-Za-z0-9_+/=.-]{16,}/g;
/** A password in a URL or a connection string, however short. */
const URL_PASSWORD = /:\/\/[^\s/@]*:[^\s@]+@/;

/**
 * Whether secretlint could find anything in a text: a password in a URL, or
 * a run of 16+ token characters with a digit or a capital in it (every key
 * and token format its rules know is one; a private key's body lines are
 * too). Most of a transcript — prose, short commands, small outputs — has
 * neither, and skips secretlint's fixed cost per call (~0.5 ms, which over a
 * first sync of many sessions cost several times the writing itself).
 */
export function mayHoldToken(text: string): boolean {
  if (URL_PASSWORD.test(text)) return true;
  TOKEN_RUN.lastIndex = 0;
  for (let m = TOKEN_RUN.exec(text); m; m = TOKEN_RUN.exec(text)) {
    const run = m[0];
    if (/[\dA-Z]/.test(run)) return true;
  }
  return false;
}

/** Every secret in a text, as spans (sorted, not overlapping). */
export async function detect(text: string): Promise<Span[]> {
  if (text.length < 6) return [];
  if (!mayHoldToken(text)) return merge(pairSpans(text));
  const { lintSource, config } = await secretlint();
  const result = await lintSource({
    source: { filePath: '/transcript.txt', content: text, ext: '.txt', contentType: 'text' },
    options: { config: config as Parameters<typeof lintSource>[0]['options']['config'] },
  });
  const spans: Span[] = result.messages.map((m) =>
    narrow(text, { kind: kindOf(m.messageId ?? '', m.data), start: m.range[0], end: m.range[1] }),
  );
  return merge([...spans, ...pairSpans(text)]);
}

/** The version of the rule set, for reports (`sarc doctor`, bench/RESULTS.md). */
export const RULES_VERSION = 'secretlint 12 (preset-recommend, pattern) + session-archive pairs/entropy 1';
