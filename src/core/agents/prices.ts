import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { usdToMicros } from '../money';
import { isObject } from '../util/objects';
import shipped from './prices.json';

/** Integer microdollars per million tokens: exact, so metering never drifts. */
export interface MicroPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export type PriceSource = 'shipped' | 'repository' | 'settings';

export interface PriceTable {
  /** When the shipped table was checked against the vendors' price pages. */
  date: string;
  source: string;
  models: Record<string, { price: MicroPrice; from: PriceSource }>;
}

export const PRICE_FILE = path.join('.grove', 'prices.json');
export const PRICE_SETTING = 'grove.agent.prices';
const FIELDS = [['inputPerMTok', 'input'], ['outputPerMTok', 'output'], ['cacheReadPerMTok', 'cacheRead'], ['cacheWritePerMTok', 'cacheWrite']] as const;

/**
 * The table in use: the shipped one, then `.grove/prices.json` in the repository, then the
 * `grove.agent.prices` setting (a person's own figure wins over a file anyone can commit).
 * Each override is `{ "models": { "<model>": { "inputPerMTok": n, ... } } }`; a bad one is refused
 * naming the file and field, never half-applied.
 */
export async function loadPriceTable(o: { repoRoot?: string; settings?: unknown } = {}): Promise<PriceTable> {
  const file = o.repoRoot ? path.join(o.repoRoot, PRICE_FILE) : null;
  const text = file ? await fs.readFile(file, 'utf8').catch(missingIsNull) : null;
  return buildTable(file, text, o.settings);
}

/** The same, read synchronously (an editor session is built in one go). */
export function loadPriceTableSync(o: { repoRoot?: string; settings?: unknown } = {}): PriceTable {
  const file = o.repoRoot ? path.join(o.repoRoot, PRICE_FILE) : null;
  let text: string | null = null;
  try {
    text = file ? readFileSync(file, 'utf8') : null;
  } catch (error) {
    text = missingIsNull(error as NodeJS.ErrnoException);
  }
  return buildTable(file, text, o.settings);
}

function missingIsNull(error: NodeJS.ErrnoException): null {
  if (error.code === 'ENOENT') return null;
  throw error;
}

function buildTable(file: string | null, text: string | null, settings: unknown): PriceTable {
  const table: PriceTable = { date: shipped.date, source: shipped.source, models: {} };
  apply(table, shipped, 'shipped', 'the shipped price table');
  if (text !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new GroveError('usage', `${file}: not JSON (${(error as Error).message})`, 'Write { "models": { "<model>": { "inputPerMTok": 1.25, "outputPerMTok": 10, "cacheReadPerMTok": 0.125, "cacheWritePerMTok": 0 } } }.');
    }
    apply(table, parsed, 'repository', file!);
  }
  if (settings !== undefined && settings !== null) apply(table, isObject(settings) && 'models' in settings ? settings : { models: settings }, 'settings', PRICE_SETTING);
  return table;
}

function apply(table: PriceTable, value: unknown, from: PriceSource, where: string): void {
  if (!isObject(value) || !isObject(value.models)) throw new GroveError('usage', `${where}: expected an object with "models"`, 'Write { "models": { "<model>": { "inputPerMTok": n, "outputPerMTok": n, "cacheReadPerMTok": n, "cacheWritePerMTok": n } } }.');
  const next: PriceTable['models'] = {};
  for (const [model, raw] of Object.entries(value.models)) {
    if (!isObject(raw)) throw new GroveError('usage', `${where}: models.${model}: expected an object of prices`);
    const price = {} as MicroPrice;
    for (const [field, key] of FIELDS) {
      const given = raw[field] ?? (key === 'cacheWrite' || key === 'cacheRead' ? 0 : undefined);
      const micros = usdToMicros(given);
      if (micros === null) throw new GroveError('usage', `${where}: models.${model}.${field}: expected US dollars per million tokens (0 or more), got ${JSON.stringify(given)}`);
      price[key] = micros;
    }
    next[normalize(model)] = { price, from };
  }
  Object.assign(table.models, next);
}

/**
 * The price of a model as the CLIs name it: exact, else without a provider prefix
 * (`openai/gpt-5`), else without a date suffix (`claude-sonnet-4-5-20250929`). Null when unknown.
 */
export function priceFor(models: Record<string, MicroPrice>, model: string | null | undefined): { model: string; price: MicroPrice } | null {
  if (!model) return null;
  for (const candidate of candidates(model)) {
    const price = models[candidate];
    if (price) return { model: candidate, price };
  }
  return null;
}

function candidates(model: string): string[] {
  const base = normalize(model);
  const bare = base.includes('/') ? base.slice(base.lastIndexOf('/') + 1) : base;
  const undated = bare.replace(/-\d{8}$/, '').replace(/@\d{8}$/, '');
  return [...new Set([base, bare, undated])];
}

function normalize(model: string): string {
  return model.trim().toLowerCase();
}

/** Just the prices, for storing with a run so any process that finishes it meters it alike. */
export function priceMap(table: PriceTable): Record<string, MicroPrice> {
  return Object.fromEntries(Object.entries(table.models).map(([model, entry]) => [model, entry.price]));
}
