/**
 * Landing a result (issue 11): the git core, pure Node. One entry:
 *
 *   const record = await land(source, options);
 *
 * source (LandSource, from a result record): repoRoot (main worktree), worktreePath, baseCommit
 * (a commit id), title (the prompt's first line), prompt, finalMessage?, holderLeaseId?.
 *
 * options (LandOptions): how = 'apply' | 'branch' | 'squash' | 'merge' | 'push', and
 *   branch?, force?        branch/push: the name (default grove/<slug>, first free), move an existing one
 *   into?                  squash/merge: target branch (default: the main worktree's); push: PR base
 *   message?               squash/merge: the commit message (default draftCommitMessage/draftMergeMessage)
 *   remote?                push: default origin, or the only remote
 *   env?                   push: where gh is looked up (default process.env)
 *   guard?(source)         called after every read-only check, just before the first change: refuse
 *                          there a result whose agent still runs or whose lease moved (throw a GroveError)
 *
 * returns LandRecord { how, commit, branch?, target?, remote?, pullRequestUrl?, nextStep?, at,
 * snapshot, keptRef? }: store it on the result ("landed": where and how).
 *
 * throws LandRefusal (a GroveError, so the CLI's exit code is error.exitCode) with `reason` and
 * `files`: 'conflict' (files from the merge-tree preflight; with `target` set, offer Resolve with the
 * Agent: Continue with draftResolvePrompt(error.target, error.files), then land again),
 * 'local-changes' (a checkout's own changes in those files), 'nothing-to-land' (offer Discard),
 * 'branch-exists', 'branch-checked-out', 'bad-branch-name', 'no-such-branch', 'detached',
 * 'operation-in-progress', 'target-moved' (land again), 'no-remote', 'push-failed', 'git-too-old'.
 * A refusal changed nothing. Other errors (GitError, GroveError 'usage') are bad input or git failing.
 *
 * Landing never writes to the result's worktree: afterwards the caller returns it to the pool.
 * Everything in it is in `snapshot`, kept reachable by the branch, the target or keptRef, so when
 * worktreeMatchesSnapshot(repoRoot, worktreePath, record.snapshot) is still true it can be reset to
 * base without parking; otherwise (edited since) park it as `return --force` does.
 */
export { land } from './land';
export { LandRefusal, isLandRefusal, type LandHow, type LandOptions, type LandRecord, type LandRefusalReason, type LandSource } from './types';
export { draftCommitMessage, draftMergeMessage, draftResolvePrompt, draftTitle, draftBody } from './message';
export { defaultBranchName } from './branchName';
export { worktreeMatchesSnapshot } from './landed';
