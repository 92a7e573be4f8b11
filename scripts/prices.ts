// Makes data/prices.json (the price table shipped with the package) from
// LiteLLM's model_prices_and_context_window.json, keeping the chat models of
// the providers coding agents use:
//
//   npx tsx scripts/prices.ts FILE DATE "SOURCE" [--skip id,id,…]
//
// The table is data: it is never fetched at run time. Update it by running
// this on a newer file and committing the result.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromLiteLLM, type ModelPrice } from '../src/catalog/search/prices.js';

const PROVIDERS = new Set([
  'anthropic',
  'openai',
  'gemini',
  'xai',
  'deepseek',
  'moonshot',
  'zhipu',
  'minimax',
  'mistral',
  'dashscope',
  'vertex_ai-language-models',
]);

const [file, date, source, ...rest] = process.argv.slice(2);
if (!file || !date || !source) {
  console.error('usage: tsx scripts/prices.ts FILE DATE "SOURCE" [--skip id,id,…]');
  process.exit(2);
}
const skip = new Set(rest[0] === '--skip' ? (rest[1] ?? '').split(',') : []);
const all = fromLiteLLM(JSON.parse(readFileSync(file, 'utf8')));
const models: Record<string, ModelPrice> = {};
for (const id of Object.keys(all).sort()) {
  const p = all[id] as ModelPrice;
  if (skip.has(id) || !PROVIDERS.has(p.provider ?? '')) continue;
  models[id] = p;
}
const out = { date, source, unit: 'US dollars per million tokens', models };
writeFileSync(join(import.meta.dirname, '..', 'data', 'prices.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`${Object.keys(models).length} models`);
