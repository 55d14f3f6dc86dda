import { GroveError } from '../errors';

/** Money is kept in integer microdollars (1 USD = 1,000,000): sums never drift the way floats do. */
export const MICROS_PER_USD = 1_000_000;

/** Turns a USD amount typed by a person into microdollars, refusing zero, negatives and non-numbers. */
export function parseUsdToMicros(raw: string, what = 'the budget'): number {
  const text = raw.trim();
  // Plain decimal only: "1e3", "0x10", "Infinity" and "" are what a typo looks like, not a budget.
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    throw new GroveError('usage', `${what} must be an amount in US dollars, got "${raw}"`, 'Give a positive number such as 5 or 12.50.');
  }
  const usd = Number(text);
  if (!(usd > 0)) {
    throw new GroveError('usage', `${what} must be more than $0, got "${raw}"`, 'Give a positive number such as 5 or 12.50.');
  }
  const micros = Math.round(usd * MICROS_PER_USD);
  if (micros < 1) {
    throw new GroveError('usage', `${what} must be more than $0, got "${raw}" (less than one microdollar)`, 'Give a positive number such as 5 or 12.50.');
  }
  if (!Number.isSafeInteger(micros)) {
    throw new GroveError('usage', `${what} is too large: "${raw}"`, 'Give an amount below $9,000,000,000.');
  }
  return micros;
}

export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

export function microsToUsd(micros: number): number {
  return micros / MICROS_PER_USD;
}

/** "$0.30", "$1.00", and "$0.0042" for the sub-cent amounts a short run costs. */
export function formatUsd(micros: number): string {
  const usd = micros / MICROS_PER_USD;
  if (micros !== 0 && Math.abs(micros) < 10_000) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}
