import { GroveError } from '../errors';
import { IGNORED_LIST_LIMIT, type IgnoredFile } from '../git/ignoredFiles';
import type { NestedWork } from '../git/nestedWork';
import type { WorkInspection } from '../git/worktreeState';
import { printable } from './names';

/** How the pool words what it refuses and what went wrong: every refusal says what to do. */

const LEASE_ID = /^[0-9a-f]{32}$/;

export function checkLeaseIdFormat(leaseId: string): void {
  if (!LEASE_ID.test(leaseId)) {
    throw new GroveError('usage', `"${printable(leaseId)}" is not a lease id (32 hexadecimal characters)`, 'Use the leaseId that `grove lease --json` printed.');
  }
}

export function refuseWork(name: string, work: WorkInspection, action: 'return' | 'destroy' | 'reset'): GroveError {
  const flag = action === 'reset' ? 'commit or park it first' : `pass --force to park it under refs/grove/parked/${name}/<time> and ${action} anyway`;
  return new GroveError('refused', `${name} has work that would be lost: ${describeWork(work)}`,
    `Commit it on a branch${work.stashes.length ? ' (for a stash entry: git branch NAME stash@{n}^1, then apply it there)' : ''}, or ${flag}.`);
}

/**
 * Work in repositories of their own (see nestedWork.ts). A return cannot reset it, so it is
 * refused even with --force; a destroy needs --force, which parks it first (parkNested.ts).
 */
export function refuseNestedWork(name: string, found: NestedWork[], action: 'return' | 'destroy'): GroveError {
  const what = found.map((entry) => `${entry.kind === 'repository' ? 'nested git repository' : 'submodule'} ${entry.path} (${entry.detail})`);
  const steps: string[] = [];
  if (found.some((entry) => entry.kind === 'repository')) steps.push('move each nested repository out of the worktree (mv PATH somewhere-else)');
  if (found.some((entry) => entry.kind === 'submodule')) {
    steps.push('in each submodule, push its commits (git -C PATH push) and commit or remove its changes, or discard it on purpose (git submodule deinit -f PATH)');
  }
  if (action === 'destroy') {
    return new GroveError('refused', `${name} holds work in repositories of its own: ${what.join('; ')}`,
      `Keep it yourself (${steps.join('; ')}), or pass --force to park it first: its files and commits are copied under refs/grove/parked/${name}/<time>-nested-N/.`);
  }
  return new GroveError('refused', `${name} holds work in repositories of its own, which a reset for reuse cannot park or reset: ${what.join('; ')}; not returning it, even with --force`,
    `Deal with it first (${steps.join('; ')}), then return it again; or destroy it with --force, which parks it.`);
}

/** Ignored files that are not dependencies or build output: named, and deleted only with --force (which saves them). */
export function refuseIgnored(name: string, files: IgnoredFile[]): GroveError {
  const shown = files.slice(0, 5).map((file) => file.path).join(', ') + (files.length > 5 ? ` and ${files.length - 5} more` : '');
  const count = files.length >= IGNORED_LIST_LIMIT ? `at least ${files.length}` : String(files.length);
  return new GroveError('refused', `${name} has ${count} ignored file(s) that are not dependencies or build output, which destroy would delete: ${shown}`,
    `Copy what you need out of it, or pass --force: files up to 1 MiB are first saved to <git-common-dir>/grove/parked-files/${name}/<time>/.`);
}

export function describeWork(work: WorkInspection): string {
  const parts: string[] = [];
  const untracked = work.changed.filter((line) => line.startsWith('??')).length;
  const changed = work.changed.length - untracked;
  if (changed) parts.push(`${changed} changed file(s)`);
  if (untracked) parts.push(`${untracked} untracked file(s)`);
  if (work.unparkedCommits) parts.push(`${work.unparkedCommits} commit(s) on no branch`);
  if (work.stashes.length) {
    parts.push(`${work.stashes.length} stash ${work.stashes.length === 1 ? 'entry' : 'entries'} on commits on no branch (${work.stashes.map((entry) => entry.selector).join(', ')})`);
  }
  return parts.join(', ');
}

export function asGroveError(error: unknown, doing: string): GroveError {
  if (error instanceof GroveError) return error;
  return new GroveError('internal', `${doing}: ${errorText(error)}`, 'Check `grove status`; nothing was discarded.', { cause: error });
}

export function errorText(error: unknown): string {
  const text = error instanceof Error ? ((error as { reason?: string }).reason ?? error.message) : String(error);
  return text.trim().split('\n')[0];
}
