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

export function formatUsd(micros: number): string {
  return `$${(micros / 1_000_000).toFixed(micros % 10_000 === 0 ? 2 : 4)}`;
}
