import { GroveError } from './errors';

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
  const micros = usdToMicros(usd) ?? NaN;
  if (micros < 1) {
    throw new GroveError('usage', `${what} must be more than $0, got "${raw}" (less than one microdollar)`, 'Give a positive number such as 5 or 12.50.');
  }
  if (!Number.isSafeInteger(micros)) {
    throw new GroveError('usage', `${what} is too large: "${raw}"`, 'Give an amount below $9,000,000,000.');
  }
  return micros;
}

/**
 * Dollars to integer microdollars, rounded half up on the DECIMAL value the CLI printed.
 * `Math.round(usd * 1e6)` is wrong for values such as 0.2416735 (the double is
 * 241673.49999999997 after the multiplication), so the shortest decimal form of the number
 * (what JSON carried) is shifted by six places as a string instead.
 * Returns null for anything that is not a finite, non-negative number.
 */
export function usdToMicros(usd: unknown): number | null {
  if (typeof usd !== 'number' || !Number.isFinite(usd) || usd < 0) return null;
  const [mantissa, exponentText] = usd.toString().toLowerCase().split('e');
  const exponent = Number(exponentText ?? 0) + 6;
  const [whole, fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  // The decimal point sits after `whole.length + exponent` digits of `digits`.
  const point = whole.length + exponent;
  if (point <= 0) {
    // Below a microdollar: only the first dropped digit matters (0.0000005 rounds up).
    return point === 0 && Number(digits[0] ?? 0) >= 5 ? 1 : 0;
  }
  const kept = point >= digits.length ? digits + '0'.repeat(point - digits.length) : digits.slice(0, point);
  const firstDropped = point < digits.length ? Number(digits[point]) : 0;
  const micros = Number(kept) + (firstDropped >= 5 ? 1 : 0);
  return Number.isSafeInteger(micros) ? micros : null;
}

/** Microdollars as a plain decimal USD string (never exponent notation), for `--max-budget-usd`. */
export function microsToUsdString(micros: number): string {
  const whole = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000).padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

export function microsToUsd(micros: number): number {
  return micros / MICROS_PER_USD;
}

/**
 * "$0.30" and "$1.00" for whole cents; "$0.725", "$0.2417" and "$0.0042" where cents would hide
 * what a run cost (up to four places, trailing zeros beyond the cents dropped).
 */
export function formatUsd(micros: number): string {
  return `$${(micros / MICROS_PER_USD).toFixed(4).replace(/(\.\d{2}\d*?)0+$/, '$1')}`;
}
