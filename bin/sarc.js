#!/usr/bin/env node
// `sarc`. In a checkout (src/ present and tsx installed) it runs the
// TypeScript source, so `npx sarc` works before any build and never runs a
// stale dist/; an installed package has no src/ and runs the built dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/bin/sarc.ts', import.meta.url);
let tsx;
if (existsSync(source)) tsx = await import('tsx/esm/api').catch(() => undefined);
if (tsx) {
  tsx.register();
  await import(source.href);
} else {
  await import(new URL('../dist/bin/sarc.js', import.meta.url).href);
}
