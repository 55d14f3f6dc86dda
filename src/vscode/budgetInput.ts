import { GroveError } from '../core/errors';
import { parseUsdToMicros } from '../core/money';

const ACCEPTED = 'Type an amount in US dollars such as 2, 2.50 or $2, or "none" to remove the cap.';

/** What Set Budget accepts: `2`, `2.50`, `$2` (and `none`); microdollars, or null for no cap. */
export function parseBudgetInput(raw: string): number | null {
  const text = raw.trim();
  if (text.toLowerCase() === 'none') return null;
  // One dollar sign in front is how people write money; everything else is core's plain decimal.
  const amount = text.replace(/^\$\s*/, '');
  if (!/^(\d+(\.\d{0,6})?|\.\d{1,6})$/.test(amount)) {
    throw new GroveError('usage', `"${raw}" is not a budget`, ACCEPTED);
  }
  try {
    return parseUsdToMicros(amount);
  } catch (error) {
    throw new GroveError('usage', `${(error as Error).message}`, ACCEPTED);
  }
}
