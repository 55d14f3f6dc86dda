import { randomBytes } from 'node:crypto';

/** A random 128-bit id in hex: lease ids, claim tokens, reservation ids. */
export function randomId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * `<prefix>-<time in base 36>-<8 hex digits>`: task, chain and run ids, readable in a listing,
 * sorting by time within one prefix, and unique across processes without coordination.
 */
export function prefixedId(prefix: string, now: Date = new Date()): string {
  return `${prefix}-${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}
