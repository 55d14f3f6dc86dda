import { branchRef, branchTip, defaultBranchName } from './branchName';
import { worktreeOnBranch } from './checkouts';
import { runGuard, type LandContext } from './context';
import { updateRefs } from './refs';
import { gitOutput } from '../git/run';
import type { Snapshot } from './snapshot';
import { LandRefusal, type LandRecord } from './types';

export interface CreatedBranch {
  ref: string;
  /** The branch's commit before (null when this land created it). */
  previous: string | null;
}

export interface BranchPolicy {
  /** A branch already at this very snapshot is used as it is (push after an earlier --branch) instead of refused. */
  reuseAtSnapshot?: boolean;
}

/**
 * A branch at the snapshot, with no checkout touched (`update-ref` with the old value, so a
 * branch made or moved meanwhile is never overwritten). An explicit name that exists is refused
 * unless `force`, and even then not when a worktree has it checked out (moving it under that
 * checkout would make its files look like changes). The default name takes the first free one.
 */
export async function createBranch(context: LandContext, policy: BranchPolicy = {}): Promise<CreatedBranch> {
  const { repo, options, snapshot } = context;
  const ref = options.branch ? await branchRef(repo, options.branch) : await freeDefaultBranch(repo, context.source.title, snapshot, policy);
  const previous = await branchTip(repo, ref);
  const short = ref.replace(/^refs\/heads\//, '');
  if (previous && policy.reuseAtSnapshot && await holdsSnapshot(repo, previous, snapshot)) {
    await runGuard(context);
    return { ref, previous };
  }
  if (previous && !options.force) {
    throw new LandRefusal('branch-exists', `branch ${short} already exists (at ${previous.slice(0, 12)})`,
      'Nothing was changed. Pick another name, or pass --force to move it to this result.');
  }
  if (previous) {
    const holder = await worktreeOnBranch(repo, ref);
    if (holder) {
      throw new LandRefusal('branch-checked-out', `branch ${short} is checked out in ${holder}; --force will not move it there`,
        'Nothing was changed. Pick another name, or switch that worktree to another branch first.');
    }
  }
  await runGuard(context);
  if (previous !== snapshot.commit) {
    const refused = await updateRefs(repo, [{ ref, newValue: snapshot.commit, oldValue: previous ?? '' }], `grove land: branch ${short}`);
    if (refused) {
      throw new LandRefusal('target-moved', `branch ${short} changed while landing: ${refused}`, 'Nothing was changed. Land again.');
    }
  }
  return { ref, previous };
}

/** `grove/<slug>`, else `-2`, `-3`…; a default branch already holding this very snapshot means it landed before. */
async function freeDefaultBranch(repo: string, title: string, snapshot: Snapshot, policy: BranchPolicy): Promise<string> {
  const wanted = await branchRef(repo, defaultBranchName(title));
  for (let attempt = 1; attempt <= 100; attempt++) {
    const ref = attempt === 1 ? wanted : `${wanted}-${attempt}`;
    const tip = await branchTip(repo, ref);
    if (!tip) return ref;
    if (await holdsSnapshot(repo, tip, snapshot)) {
      if (policy.reuseAtSnapshot) return ref;
      throw new LandRefusal('nothing-to-land', `nothing to land: the result is already on branch ${ref.replace(/^refs\/heads\//, '')}`,
        'Nothing was changed. Push that branch, or discard the result.');
    }
  }
  throw new LandRefusal('branch-exists', `every branch name from ${wanted} to ${wanted}-100 is taken`, 'Nothing was changed. Pass a branch name.');
}

export async function landBranch(context: LandContext): Promise<LandRecord> {
  const { ref } = await createBranch(context);
  return { how: 'branch', commit: context.snapshot.commit, branch: ref, at: context.now.toISOString(), snapshot: context.snapshot.commit };
}

/**
 * Whether `tip` is this snapshot: the same commit, or (a snapshot taken again in a later second
 * is a new commit of the same content) the same tree on the same parent.
 */
async function holdsSnapshot(repo: string, tip: string, snapshot: Snapshot): Promise<boolean> {
  if (tip === snapshot.commit) return true;
  const [tree, parents] = (await gitOutput(repo, ['log', '-1', '--format=%T%x00%P', tip, '--'])).split('\0');
  return tree === snapshot.tree && parents === snapshot.head;
}
