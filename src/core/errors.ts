/**
 * Every failure Grove reports on purpose is a GroveError: a kind that maps to the CLI's exit
 * code, a message that says what happened, and a hint that says what to do about it.
 */
export type GroveErrorKind =
  | 'internal' // 1: anything else
  | 'usage' // 2: bad input from the caller
  | 'unavailable' // 3: nothing available (pool at its maximum, no slot)
  | 'refused' // 4: refused to protect work or a lease
  | 'budget' // 5: budget exhausted
  | 'agent-failed'; // 6: the agent ran and failed

export const EXIT_CODES: Readonly<Record<GroveErrorKind | 'ok', number>> = {
  ok: 0,
  internal: 1,
  usage: 2,
  unavailable: 3,
  refused: 4,
  budget: 5,
  'agent-failed': 6,
};

export class GroveError extends Error {
  constructor(
    readonly kind: GroveErrorKind,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GroveError';
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

export function isGroveError(error: unknown, kind?: GroveErrorKind): error is GroveError {
  return error instanceof GroveError && (kind === undefined || error.kind === kind);
}

/** The text a user reads: the message, then the hint on its own line. */
export function describeError(error: unknown): string {
  if (error instanceof GroveError) return error.hint ? `${error.message}\n${error.hint}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
