/**
 * Refs that do not keep a commit safe: the stash (entries are dropped by `stash pop` and expire
 * with its reflog; a commit on no branch behind a stash is still work on no branch), and the
 * per-worktree refs that go when the worktree does.
 */
export const NOT_PROTECTING_REFS = ['refs/stash', 'refs/bisect/*', 'refs/worktree/*', 'refs/rewritten/*'];

/** rev-list arguments for "every ref that keeps a commit safe". */
export function protectingRefs(): string[] {
  return [...NOT_PROTECTING_REFS.map((ref) => `--exclude=${ref}`), '--glob=refs/*'];
}
