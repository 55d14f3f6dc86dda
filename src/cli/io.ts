import { describeError, EXIT_CODES, GroveError } from '../core/errors';
import type { Logger } from '../core/logger';

/** Machine output goes to stdout, everything meant for a person to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printLine(text: string): void {
  process.stdout.write(text + '\n');
}

export function note(text: string): void {
  process.stderr.write(text + '\n');
}

/** Core's logger for the CLI: warnings and errors on stderr; debug only with GROVE_DEBUG=1. */
export function stderrLogger(): Logger {
  const debug = process.env.GROVE_DEBUG === '1';
  const write = (level: string) => (message: unknown, ...args: unknown[]) =>
    note(`grove ${level}: ${String(message instanceof Error ? message.message : message)}${args.length ? ' ' + args.map(String).join(' ') : ''}`);
  const ignore = () => undefined;
  return {
    trace: debug ? write('trace') : ignore,
    debug: debug ? write('debug') : ignore,
    info: debug ? write('info') : ignore,
    warn: write('warning'),
    error: write('error'),
  };
}

/** Prints an error for a person and returns the exit code it maps to. */
export function reportError(error: unknown): number {
  note(`grove: ${describeError(error)}`);
  if (error instanceof GroveError) return error.exitCode;
  if (process.env.GROVE_DEBUG === '1' && error instanceof Error && error.stack) note(error.stack);
  return EXIT_CODES.internal;
}
