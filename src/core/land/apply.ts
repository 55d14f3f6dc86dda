import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { gitOutput, runGit } from '../git/run';
import { occupied, refuseOperationInProgress, treeChanges } from './checkouts';
import { runGuard, type LandContext } from './context';
import { commitTree } from './commits';
import { conflictRefusal, mergeTrees } from './preflight';
import { keptRefName, updateRefs } from './refs';
import { treeOfWorktree } from './snapshot';
import { landStep } from './steps';
import { LandRefusal, listFiles, type LandRecord } from './types';

/** Diff options that make the patch independent of the person's diff config (prefixes, drivers, colour). */
const PLAIN_DIFF = ['--binary', '--full-index', '--no-renames', '--no-ext-diff', '--no-textconv', '--no-color', '--no-relative',
  '--src-prefix=a/', '--dst-prefix=b/'];

/**
 * The result's changes as uncommitted changes in the main worktree, keeping the person's own:
 *   1. the main worktree's files (tracked and untracked) as a tree, from a scratch index;
 *   2. that tree (as a commit on the main worktree's HEAD) merged with the snapshot by merge-tree,
 *      from their merge base (usually the result's base): a conflict, with the main worktree's
 *      commits or its uncommitted changes, is refused here;
 *   3. the difference between the main worktree and the merged tree, applied with `git apply`,
 *      which checks every file before writing any, so a file edited meanwhile makes it refuse.
 * The index is never touched: what the person staged stays staged, and the result's changes
 * arrive unstaged (new files untracked). Every file written holds the person's own changes
 * merged in, so even a land killed while writing loses nothing of theirs.
 */
export async function landApply(context: LandContext, main: MainWorktree): Promise<LandRecord> {
  const { repo, snapshot } = context;
  const mainTree = main.tree;
  // The main worktree as a commit on its HEAD, so merge-tree finds the merge base git would.
  const mainCommit = await commitTree(repo, mainTree, [main.head], 'grove: the main worktree as it is (land preflight)');
  const merged = await mergeTrees(repo, mainCommit, snapshot.commit);
  await landStep('preflight');
  if (merged.conflicts.length) {
    throw conflictRefusal(merged, `the main worktree ${repo}`,
      'Commit or stash your changes in those files first, or resolve with the agent (ask it to merge them in its worktree), or land with --branch.');
  }
  if (merged.tree === mainTree) {
    throw new LandRefusal('nothing-to-land', "nothing to land: the result's changes are already in the main worktree",
      'Nothing was changed. Discard the result to return its worktree to the pool.');
  }
  const changes = await treeChanges(repo, mainTree, merged.tree);
  await refuseIgnoredInTheWay(repo, changes.filter((change) => change.status === 'A').map((change) => change.path));
  await runGuard(context);
  const patch = path.join(context.scratchDir, `land-${process.pid}-${randomBytes(6).toString('hex')}.patch`);
  try {
    // Written by git to a file, never through a JS string: file contents need not be UTF-8.
    await runGit(repo, ['diff', ...PLAIN_DIFF, `--output=${patch}`, mainTree, merged.tree, '--']);
    await landStep('patch');
    const applied = await runGit(repo, ['apply', '--whitespace=nowarn', '--', patch], { allowFailure: true });
    if (applied.code !== 0) {
      throw new LandRefusal('local-changes', `the main worktree changed while landing, so nothing was applied: ${applied.stderr.trim()}`,
        'Nothing was changed. Land again.', changes.map((change) => change.path));
    }
  } finally {
    await fs.rm(patch, { force: true });
  }
  await landStep('applied');
  const keptRef = keptRefName(context);
  const notKept = await updateRefs(repo, [{ ref: keptRef, newValue: snapshot.commit, oldValue: '' }], 'grove land --apply');
  return { how: 'apply', commit: snapshot.commit, at: context.now.toISOString(), snapshot: snapshot.commit, keptRef: notKept ? undefined : keptRef };
}

export interface MainWorktree {
  head: string;
  /** Its files, tracked and untracked (not ignored), as a tree. */
  tree: string;
}

/** Step 1, run alongside the result's snapshot: the checks that need no snapshot, then the main worktree as a tree. */
export async function readMainWorktree(repoRoot: string): Promise<MainWorktree> {
  const repo = path.resolve(repoRoot);
  await refuseOperationInProgress(repo);
  const [commonDir, indexPath, head] = (await gitOutput(repo, ['rev-parse', '--git-common-dir', '--git-path', 'index', 'HEAD'])).split('\n');
  const tree = await treeOfWorktree(repo, path.join(path.resolve(repo, commonDir), 'grove', 'land-tmp'), indexPath);
  return { head, tree };
}

/** A path the land adds where an ignored file sits (say `.env`): git apply would refuse anyway; this names them all. */
async function refuseIgnoredInTheWay(repo: string, added: string[]): Promise<void> {
  const inTheWay: string[] = [];
  for (const file of added) {
    if (await occupied(repo, file)) inTheWay.push(file);
  }
  if (inTheWay.length) {
    throw new LandRefusal('local-changes', `the main worktree has ignored files where the result adds files: ${listFiles(inTheWay)}`,
      'Nothing was changed. Move those files aside, then land again.', inTheWay);
  }
}
