import { GroveError, type GroveErrorKind } from '../errors';

/**
 * What landing needs to know about a result. The results records (issue 10) map onto this;
 * landing itself depends on nothing else, so the CLI and the editor wire it with one call.
 */
export interface LandSource {
  /** The main worktree's top folder. */
  repoRoot: string;
  /** The result's worktree: its commits, uncommitted and untracked (not ignored) work are the result. */
  worktreePath: string;
  /** The commit the result's worktree started from; the result is everything since. */
  baseCommit: string;
  /** The prompt's first line: commit subject, pull request title, default branch name. */
  title: string;
  prompt: string;
  /** The agent's final message, for commit and pull request bodies. */
  finalMessage?: string;
  /** The lease the result's worktree is held under (for the caller's guard; landing never changes leases). */
  holderLeaseId?: string;
}

export type LandHow = 'apply' | 'branch' | 'squash' | 'merge' | 'push';

export interface LandOptions {
  how: LandHow;
  /** branch, push: the branch to create (default `grove/<slug of the title>`, the first free one). */
  branch?: string;
  /** branch, push: move an existing branch that no worktree has checked out. */
  force?: boolean;
  /** squash, merge: the branch to land into (default: the main worktree's branch); push: the pull request's base. */
  into?: string;
  /** squash, merge: the commit message (default: drafted by `draftCommitMessage`); push: text put before the drafted pull request body. */
  message?: string;
  /** push: the remote (default `origin`, or the only remote). */
  remote?: string;
  /** Where `gh` is looked up and what it runs with (default: process.env). */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /**
   * Called after the read-only checks and before anything changes: the place to refuse a result
   * whose agent still runs or whose lease moved (throw a GroveError). Landing refuses nothing of
   * that kind by itself: it does not know about runs or leases.
   */
  guard?: (source: LandSource) => Promise<void>;
}

export interface LandRecord {
  how: LandHow;
  /** The commit that landed: the snapshot (apply, branch, push), or the new tip of the target (squash, merge). */
  commit?: string;
  /** The branch created (branch, push). */
  branch?: string;
  /** The branch landed into (squash, merge), or the pull request's base (push); full ref name. */
  target?: string;
  remote?: string;
  pullRequestUrl?: string;
  /** ISO time. */
  at: string;
  /** The commit holding the whole result (its commits plus its uncommitted work). */
  snapshot: string;
  /** apply, squash: a ref under refs/grove/landed/ that keeps the result's own commits reachable. */
  keptRef?: string;
  /** What a person does next, when landing could not do it (push without a logged-in gh). */
  nextStep?: string;
}

/** Why a land was refused; the editor branches on it (conflict: offer Resolve with the Agent). */
export type LandRefusalReason =
  | 'conflict' // the preflight merge conflicts: `files` are the conflicting paths
  | 'local-changes' // a checkout's own changes are in files the land would write: `files`
  | 'nothing-to-land'
  | 'branch-exists'
  | 'branch-checked-out'
  | 'bad-branch-name'
  | 'no-such-branch'
  | 'detached'
  | 'operation-in-progress' // a checkout is mid-merge, rebase, cherry-pick or revert
  | 'target-moved' // the target changed between the preflight and the update
  | 'no-remote'
  | 'push-failed'
  | 'git-too-old';

const KINDS: Record<LandRefusalReason, GroveErrorKind> = {
  conflict: 'refused',
  'local-changes': 'refused',
  'nothing-to-land': 'usage',
  'branch-exists': 'refused',
  'branch-checked-out': 'refused',
  'bad-branch-name': 'usage',
  'no-such-branch': 'usage',
  detached: 'usage',
  'operation-in-progress': 'refused',
  'target-moved': 'refused',
  'no-remote': 'usage',
  'push-failed': 'internal',
  'git-too-old': 'internal',
};

/** A land that changed nothing, and why. `files` names the paths in the way (conflicts, local changes). */
export class LandRefusal extends GroveError {
  constructor(
    readonly reason: LandRefusalReason,
    message: string,
    hint: string,
    readonly files: string[] = [],
    /** For conflicts with a branch: its full ref, so Resolve with the Agent can name what to merge in. */
    readonly target?: string,
  ) {
    super(KINDS[reason], message, hint);
    this.name = 'LandRefusal';
  }
}

export function isLandRefusal(error: unknown, reason?: LandRefusalReason): error is LandRefusal {
  return error instanceof LandRefusal && (reason === undefined || error.reason === reason);
}

/** Up to `max` paths for a message, then how many more. */
export function listFiles(files: string[], max = 10): string {
  const shown = files.slice(0, max).join(', ');
  return files.length > max ? `${shown} and ${files.length - max} more` : shown;
}
