import { GroveError } from '../errors';

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const MAX_NAME_LENGTH = 100;
const MAX_HOLDER_LENGTH = 200;

/**
 * A worktree name becomes a folder under the pool root and a ref component under
 * refs/grove/parked/, so it must stay one plain path segment: no separators, no `..`, no
 * control characters, nothing git refuses in a ref name, nothing a shell reads as a flag.
 */
export function validateName(name: string): string {
  const refuse = (why: string): never => {
    throw new GroveError('usage', `"${printable(name)}" is not a valid worktree name: ${why}`,
      'Use a name from `grove status` (letters, digits, ".", "_" and "-"), or the worktree\'s path.');
  };
  if (name.length === 0) refuse('it is empty');
  if (CONTROL_CHARACTERS.test(name)) refuse('it contains control characters');
  if (name.includes('/') || name.includes('\\')) refuse('it contains a path separator');
  if (name === '.' || name.includes('..')) refuse('it contains ".."');
  if (name.startsWith('-')) refuse('it starts with "-"');
  if (name.length > MAX_NAME_LENGTH) refuse(`it is longer than ${MAX_NAME_LENGTH} characters`);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.endsWith('.lock') || name.endsWith('.')) {
    refuse('only letters, digits, ".", "_" and "-" are allowed (and no ".lock" or "." at the end)');
  }
  return name;
}

/** A holder is free text for people ("ci job 42", "alice"), but one line and of sane length. */
export function validateHolder(holder: string): string {
  const trimmed = holder.trim();
  if (trimmed.length === 0) {
    throw new GroveError('usage', 'the lease holder is empty', 'Pass --holder NAME (or set GROVE_HOLDER) to say who holds the lease.');
  }
  if (CONTROL_CHARACTERS.test(trimmed)) {
    throw new GroveError('usage', `the lease holder "${printable(trimmed)}" contains control characters`, 'Use a one-line holder name.');
  }
  if (trimmed.length > MAX_HOLDER_LENGTH) {
    throw new GroveError('usage', `the lease holder is longer than ${MAX_HOLDER_LENGTH} characters`, 'Use a shorter holder name.');
  }
  return trimmed;
}

/** Shows control characters as escapes so an error message cannot rewrite the terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Pool-made names: wt-1, wt-2, ... the lowest number not taken. */
export function nextName(taken: (name: string) => boolean): string {
  for (let n = 1; ; n++) {
    const name = `wt-${n}`;
    if (!taken(name)) return name;
  }
}
