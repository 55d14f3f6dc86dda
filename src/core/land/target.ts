import { readHead } from '../git/worktreeState';
import { branchRef, branchTipAndTree } from './branchName';
import { LandRefusal } from './types';

export interface Target {
  ref: string;
  short: string;
  tip: string;
  tipTree: string;
}

/** `into` (or, without it, the branch checked out in the main worktree) as a branch that exists. */
export async function resolveTarget(repo: string, into: string | undefined): Promise<Target> {
  let ref: string;
  if (into) {
    ref = await branchRef(repo, into);
  } else {
    const head = await readHead(repo);
    if (!head.branch) {
      throw new LandRefusal('detached', `the main worktree ${repo} is on a detached HEAD (${head.head.slice(0, 12)}): there is no branch to land into`,
        'Pass the branch to land into (--into BRANCH), or check out a branch in the main worktree.');
    }
    ref = head.branch;
  }
  const short = ref.replace(/^refs\/heads\//, '');
  const found = await branchTipAndTree(repo, ref);
  if (!found) {
    throw new LandRefusal('no-such-branch', `there is no branch ${short} to land into`,
      'Pass an existing local branch (git branch lists them), or land with --branch to make a new one.');
  }
  return { ref, short, tip: found.tip, tipTree: found.tree };
}
