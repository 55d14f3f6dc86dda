import * as path from 'node:path';
import { gitOutput } from '../git/run';
import { treeOfWorktree } from './snapshot';

/**
 * Whether everything in a result's worktree is still exactly what a land took (the snapshot): its
 * HEAD is the snapshot or the snapshot's parent, and its files make the snapshot's tree. Then the
 * worktree can go back to the pool reset to base without parking: nothing in it is unlanded. An
 * edit made after the land (a person fixing something) makes it false, and the caller parks.
 */
export async function worktreeMatchesSnapshot(repoRoot: string, worktreePath: string, snapshot: string): Promise<boolean> {
  const [commonDir, snapshotTree, snapshotParent] = (await gitOutput(path.resolve(repoRoot),
    ['rev-parse', '--git-common-dir', `${snapshot}^{tree}`, `${snapshot}^@`])).split('\n');
  const [indexPath, head] = (await gitOutput(worktreePath, ['rev-parse', '--git-path', 'index', 'HEAD'])).split('\n');
  if (head !== snapshot && head !== snapshotParent) return false;
  const tree = await treeOfWorktree(worktreePath, path.join(path.resolve(repoRoot, commonDir), 'grove', 'land-tmp'), indexPath);
  return tree === snapshotTree;
}
