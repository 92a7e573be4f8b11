import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ArchiveError } from '../../errors.js';

// What a model's tokens cost, for sources that count tokens but no money
// (Claude Code, Codex, Gemini CLI, …). The table ships with the package as
// data (`data/prices.json`, its date and source inside) and is never fetched:
// a newer one is a file the user names (`sarc stats --prices FILE`), in this
// format or as LiteLLM's `model_prices_and_context_window.json`.

/** US dollars per million tokens of each kind. */
export interface Rates {
  input: number;
  output: number;
  /** Reasoning (thinking) tokens; the output rate when absent. */
  reasoning?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** One model's prices: its rates, and dearer ones for a prompt over a size. */
export interface ModelPrice extends Rates {
  /** Who sells it (`anthropic`, `openai`, `gemini`, …): shown, not used to match. */
  provider?: string;
  /** Rates for a message whose prompt (input and cache tokens) is over `tokens`. */
  above?: Rates & { tokens: number };
}

/** A price table: models by their ID at the maker (`claude-sonnet-4-5`, `gpt-5`). */
export interface PriceTable {
  /** When the prices were taken (YYYY-MM-DD). */
  date: string;
  /** Where they come from. */
  source: string;
  models: Record<string, ModelPrice>;
}

/**
 * The table shipped with the package: `data/prices.json` in the nearest
 * folder above this code that has one (the package's root, from the sources,
 * from tsc's build and from the bundled CLI alike, each at its own depth).
 */
function shippedPricesFile(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'data', 'prices.json');
    if (existsSync(file) || dirname(dir) === dir) return file;
  }
}

let shipped: PriceTable | undefined;

/** The shipped price table (read once). */
export function shippedPrices(): PriceTable {
  if (!shipped) {
    const file = shippedPricesFile();
    shipped = parsePrices(JSON.parse(readFileSync(file, 'utf8')), file);
  }
  return shipped;
}

/** A price file: the shipped table with the file's models over it (either format). */
export async function loadPrices(file: string): Promise<PriceTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ArchiveError('INVALID_INPUT', `cannot read the price file ${file}: ${(cause as Error).message}`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new ArchiveError('INVALID_INPUT', `${file}: not JSON (${(cause as Error).message})`, { cause });
  }
  const given = parsePrices(data, file);
  const base = shippedPrices();
  return { date: given.date, source: given.source, models: { ...base.models, ...given.models } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const rate = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** Reads a price table in this package's format or LiteLLM's (dollars per token, one key per model). */
export function parsePrices(data: unknown, where: string): PriceTable {
  if (!isRecord(data)) throw new ArchiveError('INVALID_INPUT', `${where}: expected an object of models`);
  if (isRecord(data.models)) {
    const models: Record<string, ModelPrice> = {};
    for (const [id, p] of Object.entries(data.models)) models[normalize(id)] = checked(p, `${where}: models.${id}`);
    return {
      date: typeof data.date === 'string' ? data.date : 'unknown',
      source: typeof data.source === 'string' ? data.source : where,
      models,
    };
  }
  const models = fromLiteLLM(data);
  if (Object.keys(models).length === 0) throw new ArchiveError('INVALID_INPUT', `${where}: no model with a price per token in it`);
  return { date: 'unknown', source: where, models };
}

function checked(p: unknown, where: string): ModelPrice {
  const rates = (r: unknown, at: string): Rates => {
    if (!isRecord(r)) throw new ArchiveError('INVALID_INPUT', `${at}: expected an object`);
    const input = rate(r.input);
    const output = rate(r.output);
    if (input === undefined || output === undefined) throw new ArchiveError('INVALID_INPUT', `${at}: input and output must be numbers ≥ 0`);
    const out: Rates = { input, output };
    for (const k of ['reasoning', 'cacheRead', 'cacheWrite'] as const) {
      if (r[k] === undefined) continue;
      const v = rate(r[k]);
      if (v === undefined) throw new ArchiveError('INVALID_INPUT', `${at}.${k}: must be a number ≥ 0`);
      out[k] = v;
    }
    return out;
  };
  const price: ModelPrice = rates(p, where);
  const r = p as Record<string, unknown>;
  if (typeof r.provider === 'string') price.provider = r.provider;
  if (r.above !== undefined) {
    const tokens = isRecord(r.above) ? rate(r.above.tokens) : undefined;
    if (tokens === undefined) throw new ArchiveError('INVALID_INPUT', `${where}.above.tokens: must be a number ≥ 0`);
    price.above = { ...rates(r.above, `${where}.above`), tokens };
  }
  return price;
}

const PER_MILLION = 1_000_000;
/** Dollars per token → per million, without binary noise (3e-6 → 3, not 2.9999999999999996). */
const perMillion = (v: number) => Number.parseFloat((v * PER_MILLION).toPrecision(12));

/** LiteLLM's chat models with a price per token, keyed as this table keys them (the provider's own entry first). */
export function fromLiteLLM(data: Record<string, unknown>): Record<string, ModelPrice> {
  const models: Record<string, ModelPrice> = {};
  const prefixed: Array<[string, ModelPrice]> = [];
  for (const [key, e] of Object.entries(data)) {
    if (!isRecord(e) || (e.mode !== undefined && e.mode !== 'chat' && e.mode !== 'responses')) continue;
    const input = rate(e.input_cost_per_token);
    const output = rate(e.output_cost_per_token);
    if (input === undefined || output === undefined) continue;
    const price: ModelPrice = { input: perMillion(input), output: perMillion(output) };
    if (typeof e.litellm_provider === 'string') price.provider = e.litellm_provider;
    const opt = (k: string) => (rate(e[k]) === undefined ? undefined : perMillion(rate(e[k]) as number));
    const reasoning = opt('output_cost_per_reasoning_token');
    const cacheRead = opt('cache_read_input_token_cost');
    const cacheWrite = opt('cache_creation_input_token_cost');
    if (reasoning !== undefined) price.reasoning = reasoning;
    if (cacheRead !== undefined) price.cacheRead = cacheRead;
    if (cacheWrite !== undefined) price.cacheWrite = cacheWrite;
    for (const tokens of [200_000, 272_000]) {
      const suffix = `_above_${tokens / 1000}k_tokens`;
      const aIn = opt(`input_cost_per_token${suffix}`);
      const aOut = opt(`output_cost_per_token${suffix}`);
      if (aIn === undefined || aOut === undefined || price.above) continue;
      price.above = { tokens, input: aIn, output: aOut };
      const aRead = opt(`cache_read_input_token_cost${suffix}`);
      const aWrite = opt(`cache_creation_input_token_cost${suffix}`);
      if (aRead !== undefined) price.above.cacheRead = aRead;
      if (aWrite !== undefined) price.above.cacheWrite = aWrite;
    }
    const id = normalize(key);
    if (id.includes('/')) prefixed.push([id.slice(id.lastIndexOf('/') + 1), price]);
    else models[id] = price;
  }
  // `gemini/gemini-2.5-pro`, `xai/grok-4`: the model at its maker, unless listed plainly already.
  for (const [id, price] of prefixed) models[id] ??= price;
  return models;
}

const normalize = (id: string) => id.trim().toLowerCase();

/**
 * The price of a model as sources name it: exactly, else without a route
 * (`anthropic/…`, `models/…`), a dotted version (`claude-sonnet-4.5`), a
 * date (`-20250929`, `@20250929`), a context or thinking mark (`[1m]`,
 * `-thinking`). Never a guess by likeness: a model not found is unpriced.
 */
export function priceOf(table: PriceTable, model: string): ModelPrice | undefined {
  const models = table.models;
  let id = normalize(model);
  const seen = new Set<string>();
  const look = (candidate: string) => {
    if (seen.has(candidate)) return undefined;
    seen.add(candidate);
    return Object.hasOwn(models, candidate) ? models[candidate] : undefined;
  };
  for (let step = 0; step < 6; step++) {
    const found = look(id) ?? look(id.replace(/(\d)\.(\d)/g, '$1-$2'));
    if (found) return found;
    const next = id
      .replace(/^.*\//, '')
      .replace(/\[[^\]]*\]$/, '')
      .replace(/(:|-)thinking$/, '')
      .replace(/([-@])(\d{8}|\d{4}-\d{2}-\d{2})$/, '')
      .replace(/-v\d+(:\d+)?$/, '');
    if (next === id) return undefined;
    id = next;
  }
  return undefined;
}

/** The rates for a message whose prompt (input and cache tokens) is `prompt` tokens. */
export function ratesFor(price: ModelPrice, prompt: number): Rates {
  return price.above && prompt > price.above.tokens ? { ...price, ...price.above } : price;
}

/** The tokens of a message as the archive counts them (`output` without `reasoning`, `input` without the cache). */
export interface MessageTokens {
  input: number;
  output: number;
  reasoning: number;
  cache: { read: number; write: number };
}

/**
 * What an agent's reply cost, in dollars: its own `cost` when the source gave
 * one (more than 0), else its tokens at the model's price (`estimated`), or
 * `undefined` when it has tokens but its model has no price (unpriced, never $0).
 */
export function replyCost(
  reply: { modelID: string; cost?: number; tokens?: MessageTokens },
  table: PriceTable = shippedPrices(),
): { cost: number; estimated: boolean } | undefined {
  if (typeof reply.cost === 'number' && reply.cost > 0) return { cost: reply.cost, estimated: false };
  const t = reply.tokens;
  if (!t) return { cost: 0, estimated: false };
  const prompt = t.input + t.cache.read + t.cache.write;
  if (prompt + t.output + t.reasoning === 0) return { cost: 0, estimated: false };
  const price = priceOf(table, reply.modelID);
  if (!price) return undefined;
  const r = ratesFor(price, prompt);
  const dollars =
    (t.input * r.input +
      t.output * r.output +
      t.reasoning * (r.reasoning ?? r.output) +
      t.cache.read * (r.cacheRead ?? r.input) +
      t.cache.write * (r.cacheWrite ?? r.input)) /
    PER_MILLION;
  return { cost: dollars, estimated: true };
}
