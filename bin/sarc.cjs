#!/usr/bin/env node
'use strict';
// `sarc`. In a checkout (src/ present and tsx installed) it runs the
// TypeScript source, so `npx sarc` works before any build and never runs a
// stale dist/. An installed package runs the bundled CLI (dist/sarc/, see
// scripts/bundle-cli.mjs), else tsc's dist/bin/; a help or version question
// is answered from the texts stored beside the bundle without loading it.
// CommonJS: the quickest file for Node to start with.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = join(__dirname, '..');
const source = join(root, 'src', 'bin', 'sarc.ts');
const bundled = join(root, 'dist', 'sarc');

function start() {
  if (existsSync(source)) {
    return import('tsx/esm/api').then(
      (tsx) => {
        tsx.register();
        return import(pathToFileURL(source).href);
      },
      () => built(),
    );
  }
  return built();
}

function built() {
  const answer = require('./stored-answers.cjs').storedAnswer(process.argv.slice(2), bundled);
  if (answer !== undefined) {
    process.stdout.on('error', (error) => {
      if (error.code !== 'EPIPE') throw error;
    });
    process.stdout.write(answer);
    return Promise.resolve();
  }
  // Node 22.1+ keeps the compiled code of the modules loaded from here on (in its temp folder): the next start skips compiling them.
  require('node:module').enableCompileCache?.();
  const entry = join(bundled, 'sarc.js');
  return import(pathToFileURL(existsSync(entry) ? entry : join(root, 'dist', 'bin', 'sarc.js')).href);
}

start().catch((error) => {
  process.stderr.write(`sarc: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
