import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runGit, type GitResult } from '../git/run';
import { readHead } from '../git/worktreeState';
import { listWorktrees } from '../git/worktrees';
import { localChangesRefusal, pathsInTheWay, refuseOperationInProgress, treeChanges } from './checkouts';
import { commitTree } from './commits';
import { runGuard, type LandContext } from './context';
import { draftCommitMessage, draftMergeMessage } from './message';
import { conflictRefusal, mergeTrees, type MergeOutcome } from './preflight';
import { keptRefName, updateRefs } from './refs';
import { landStep } from './steps';
import { resolveTarget, type Target } from './target';
import { LandRefusal, type LandRecord } from './types';

/**
 * Squash or merge the result into a branch, as one transaction:
 *   1. preflight: merge-tree in the object store; conflicts are refused here, nothing changed;
 *   2. the new commit, in the object store (unreferenced until step 3);
 *   3. one git command makes it visible: `update-ref` with the old tip (compare-and-swap) when no
 *      worktree has the branch checked out, else a fast-forward `merge --ff-only` in that worktree,
 *      after checking it has no changes of its own in the files the land writes.
 * A process killed before step 3 leaves the old state; step 3 is one git process, which leaves
 * the old state or the new one.
 */
export async function landIntoBranch(context: LandContext, how: 'squash' | 'merge', plan: IntoPlan): Promise<LandRecord> {
  const { repo, snapshot } = context;
  const { target, holder } = plan;
  if (holder && await sameFolder(holder, context.source.worktreePath)) {
    throw new LandRefusal('branch-checked-out', `${target.short} is checked out in the result's own worktree ${holder}`,
      'Nothing was changed. Land into another branch, or land with --branch; landing never moves the result\'s own checkout.');
  }
  const tipTree = target.tipTree;
  // Squash and merge both merge the snapshot with the tip, from their own merge base (as
  // `git merge --squash` would): usually the result's base, and the tip itself once the agent
  // merged the target in to resolve a conflict, so its resolution then lands as it made it.
  const merged = await mergeTrees(repo, target.tip, snapshot.commit);
  await landStep('preflight');
  refuseUnmergeable(merged, target);
  // Also the case of a snapshot the tip already contains (merged before): the merge is the tip.
  if (merged.tree === tipTree) throw alreadyIn(target);
  if (holder) {
    const blocked = await pathsInTheWay(holder, await treeChanges(repo, target.tip, merged.tree));
    if (blocked.length) throw localChangesRefusal(holder, blocked, `landing into ${target.short}`);
  }
  const message = chooseMessage(context, how, target);
  await runGuard(context);
  const parents = how === 'squash' ? [target.tip] : [target.tip, snapshot.commit];
  const commit = await commitTree(repo, merged.tree, parents, message);
  await landStep('commit');
  const keptRef = how === 'squash' ? keptRefName(context) : undefined;
  const reason = `grove land --${how}: ${message.split('\n')[0]}`;
  if (holder) {
    await fastForwardCheckout(holder, plan.holderGitDir!, target, commit, reason);
    await landStep('moved');
    // The land is done; a kept ref that could not be made only means the record does not name one.
    if (keptRef && await updateRefs(repo, [{ ref: keptRef, newValue: snapshot.commit, oldValue: '' }], reason)) {
      return { how, commit, target: target.ref, at: context.now.toISOString(), snapshot: snapshot.commit };
    }
  } else {
    const updates = [{ ref: target.ref, newValue: commit, oldValue: target.tip }];
    if (keptRef) updates.push({ ref: keptRef, newValue: snapshot.commit, oldValue: '' });
    const refused = await updateRefs(repo, updates, reason);
    if (refused) throw moved(target, refused);
    await landStep('moved');
  }
  return { how, commit, target: target.ref, at: context.now.toISOString(), snapshot: snapshot.commit, keptRef };
}

export interface IntoPlan {
  target: Target;
  /** The worktree that has the target checked out, if one does, and its git dir. */
  holder: string | null;
  holderGitDir: string | null;
}

/** The read-only half that does not need the snapshot: run while the snapshot is being taken. */
export async function planInto(repo: string, into: string | undefined): Promise<IntoPlan> {
  const [target, entries] = await Promise.all([resolveTarget(repo, into), listWorktrees(repo)]);
  const holder = entries.find((entry) => entry.branch === target.ref && !entry.prunable && !entry.bare)?.path ?? null;
  const holderGitDir = holder ? await refuseOperationInProgress(holder) : null;
  return { target, holder, holderGitDir };
}

function refuseUnmergeable(merged: MergeOutcome, target: Target): void {
  if (merged.conflicts.length === 0) return;
  throw conflictRefusal(merged, target.short,
    `Resolve with the agent (ask it to merge ${target.short} into its worktree and resolve the conflicts), then land again; or land with --branch and merge by hand.`,
    target.ref);
}

function chooseMessage(context: LandContext, how: 'squash' | 'merge', target: Target): string {
  const given = context.options.message;
  if (given !== undefined) {
    if (given.trim() === '') throw new LandRefusal('nothing-to-land', 'the commit message is empty', 'Pass a message, or leave it out for the drafted one.');
    return given;
  }
  return how === 'squash' ? draftCommitMessage(context.source) : draftMergeMessage(context.source, target.ref);
}

/**
 * The checked-out case. `merge --ff-only` is git's own two-way checkout plus ref update in one
 * process: it keeps the worktree's unrelated changes, refuses (before writing anything) when a
 * change of its own would be overwritten, and refuses when the branch moved since the preflight
 * (the new commit is then no fast-forward): a compare-and-swap on the checkout. Autostash is off
 * so the person's changes are never stashed away and replayed.
 */
async function fastForwardCheckout(worktree: string, gitDir: string, target: Target, commit: string, reason: string): Promise<void> {
  const head = await readHead(worktree);
  if (head.branch !== target.ref || head.head !== target.tip) throw moved(target, `${worktree} is now at ${head.head.slice(0, 12)}`);
  // git merge writes ORIG_HEAD first. After a land it names the old tip (`git reset --keep ORIG_HEAD`
  // undoes the land); after a refused one it is put back as it was.
  const origHead = path.join(gitDir, 'ORIG_HEAD');
  const origHeadBefore = await fs.readFile(origHead).catch(() => null);
  const result = await mergeWhenIndexFree(worktree, commit, reason);
  if (result.code === 0) return;
  if ((await readHead(worktree)).head === commit) return; // done despite the complaint (a post-merge hook that failed)
  await (origHeadBefore ? fs.writeFile(origHead, origHeadBefore) : fs.rm(origHead, { force: true }));
  if (INDEX_LOCKED.test(result.stderr)) {
    throw new LandRefusal('operation-in-progress', `${worktree}'s index stayed locked by another git process (index.lock), so ${target.short} was not moved`,
      'Nothing was changed. Land again when that git command has finished; if none is running, a crashed one left the lock: remove .git/index.lock.');
  }
  if (/would be overwritten|untracked working tree files/i.test(result.stderr)) {
    const files = result.stderr.split('\n').filter((line) => /^\s+\S/.test(line)).map((line) => line.trim());
    throw localChangesRefusal(worktree, files, `landing into ${target.short}`);
  }
  throw moved(target, result.stderr.trim());
}

const INDEX_LOCKED = /index\.lock/;
const LOCK_RETRIES_MS = [50, 100, 200, 400, 800];

/**
 * `merge --ff-only`, again a few times while another git holds index.lock: an editor's own
 * `git status` takes it for a moment every few seconds. git refuses before touching anything then.
 */
async function mergeWhenIndexFree(worktree: string, commit: string, reason: string): Promise<GitResult> {
  const args = ['merge', '--ff-only', '--no-autostash', '--no-verify-signatures', '--no-stat', '--quiet', commit];
  for (let attempt = 0; ; attempt++) {
    const result = await runGit(worktree, args, { allowFailure: true, env: { GIT_REFLOG_ACTION: reason } });
    if (result.code === 0 || !INDEX_LOCKED.test(result.stderr) || attempt >= LOCK_RETRIES_MS.length) return result;
    await new Promise((resolve) => setTimeout(resolve, LOCK_RETRIES_MS[attempt]));
  }
}

async function sameFolder(a: string, b: string): Promise<boolean> {
  const [realA, realB] = await Promise.all([fs.realpath(a).catch(() => a), fs.realpath(b).catch(() => b)]);
  return realA === realB;
}

function alreadyIn(target: Target): LandRefusal {
  return new LandRefusal('nothing-to-land', `nothing to land: the result's changes are already in ${target.short}`,
    'Nothing was changed. Discard the result to return its worktree to the pool.');
}

function moved(target: Target, detail: string): LandRefusal {
  return new LandRefusal('target-moved', `${target.short} changed while landing (${detail})`, 'Nothing was changed. Land again.');
}
