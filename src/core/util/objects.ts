/** A plain JSON object (not null, not an array): what parsed input is checked against first. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
