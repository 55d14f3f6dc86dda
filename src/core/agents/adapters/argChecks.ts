import { GroveError } from '../../errors';
import { MAX_ARGUMENT_BYTES } from '../agentArgs';

/** A flag value any CLI can be given safely: text, no NUL, not a flag, under the argument cap. */
export function checkedValue(flag: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new GroveError('usage', `${flag} expects text, got ${JSON.stringify(value)}`);
  if (value.includes('\0')) throw new GroveError('usage', `${flag} contains a NUL character`, 'Remove it; no process argument can carry one.');
  if (value.startsWith('-')) throw new GroveError('usage', `${flag}: "${value}" looks like a flag`, 'Give a plain value.');
  if (Buffer.byteLength(value) + flag.length + 1 > MAX_ARGUMENT_BYTES) {
    throw new GroveError('usage', `${flag} is ${Buffer.byteLength(value)} bytes: one argument is capped at 128 KiB on Linux`);
  }
  return value;
}
