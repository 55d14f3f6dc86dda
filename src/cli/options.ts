import { GroveError } from '../core/errors';

/** Option parsers for commander that turn bad input into a usage error (exit 2) naming the option. */
export function positiveInteger(option: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) {
      throw new GroveError('usage', `${option} expects a whole number of at least 1, got "${value}"`);
    }
    return parsed;
  };
}

export function nonNegativeInteger(option: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed)) {
      throw new GroveError('usage', `${option} expects a whole number of 0 or more, got "${value}"`);
    }
    return parsed;
  };
}

/** Reads an integer from the environment, refusing garbage instead of ignoring it. */
export function integerFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  return positiveInteger(name)(raw);
}

/** A number above zero (sizes in GB), refusing garbage. */
export function positiveNumber(option: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) throw new GroveError('usage', `${option} expects a number above 0, got "${value}"`);
    return parsed;
  };
}

/** A number of 0 or more (0 turns a check off), refusing garbage. */
export function nonNegativeNumber(option: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) throw new GroveError('usage', `${option} expects a number of 0 or more, got "${value}"`);
    return parsed;
  };
}
