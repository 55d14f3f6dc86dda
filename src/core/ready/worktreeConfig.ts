import { GroveError } from '../errors';

/**
 * `.grove/worktree.json`, checked in: how a worktree is made ready. Every step is an argument
 * array, never a shell string (a user who wants a shell writes ["sh", "-c", "…"] and sees it).
 */
export interface WorktreeConfig {
  setup: string[][];
  refresh: string[][];
  teardown: string[][];
  /** Files whose content decides whether dependencies are stale; null: the default lockfiles. */
  fingerprint: string[] | null;
  /** Build outputs `grove trim` deletes; null: the default list. */
  trim: string[] | null;
}

export const WORKTREE_CONFIG_PATH = '.grove/worktree.json';

/** Lockfiles looked for when the config names none (`requirements*.txt`: any matching name at the root). */
export const DEFAULT_FINGERPRINT = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lockb', 'Cargo.lock', 'go.sum', 'requirements*.txt', 'poetry.lock', 'uv.lock'];

export const DEFAULT_TRIM = ['dist', 'target', '.next/cache'];

export function emptyConfig(): WorktreeConfig {
  return { setup: [], refresh: [], teardown: [], fingerprint: null, trim: null };
}

const KEYS = ['setup', 'refresh', 'teardown', 'fingerprint', 'trim'];

/** Parses and checks the file's text; a bad file is an error that names the field and says how to fix it. */
export function parseWorktreeConfig(text: string, where = WORKTREE_CONFIG_PATH): WorktreeConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw bad(where, `it is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(where, 'it must be a JSON object');
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !KEYS.includes(key));
  if (unknown.length) throw bad(where, `unknown field(s) ${unknown.join(', ')} (known: ${KEYS.join(', ')})`);
  return {
    setup: steps(record.setup, 'setup', where),
    refresh: steps(record.refresh, 'refresh', where),
    teardown: steps(record.teardown, 'teardown', where),
    fingerprint: record.fingerprint === undefined ? null : paths(record.fingerprint, 'fingerprint', where),
    trim: record.trim === undefined ? null : paths(record.trim, 'trim', where),
  };
}

function steps(value: unknown, field: string, where: string): string[][] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad(where, `"${field}" must be a list of steps, each an argument array like ["npm", "ci"]`);
  return value.map((step, index) => {
    if (typeof step === 'string') {
      throw bad(where, `"${field}"[${index}] is a string; a step is an argument array (no shell): write ${JSON.stringify(step.split(/\s+/).filter(Boolean))}, or ["sh", "-c", ${JSON.stringify(step)}] if it needs a shell`);
    }
    if (!Array.isArray(step) || step.length === 0 || !step.every((arg) => typeof arg === 'string') || (step[0] as string).trim() === '') {
      throw bad(where, `"${field}"[${index}] must be a non-empty array of strings, the program first`);
    }
    return step as string[];
  });
}

function paths(value: unknown, field: string, where: string): string[] {
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string' && entry.trim() !== '')) {
    throw bad(where, `"${field}" must be a list of paths relative to the repository root`);
  }
  for (const entry of value as string[]) {
    if (entry.startsWith('/') || entry.split(/[\\/]/).includes('..')) throw bad(where, `"${field}" entry "${entry}" must stay inside the worktree (relative, no "..")`);
  }
  return value as string[];
}

function bad(where: string, why: string): GroveError {
  return new GroveError('usage', `${where} is not usable: ${why}`, `Fix ${where} in the repository and commit it; see README "Ready worktrees".`);
}
