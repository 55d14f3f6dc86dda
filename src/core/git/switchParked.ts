import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gitOutput, runGit } from './run';

/**
 * Moves a worktree whose working tree was just parked (as `parkedTree`, with `scratchIndex`
 * the index of exactly that tree) to `base`, detached, touching only what was parked.
 *
 * A checkout --force and a clean -fd would also delete what a process wrote after the park
 * snapshot. Instead, git's own two-tree switch (`read-tree -m -u parkedTree base`, what a
 * checkout does) runs on the scratch index: every file it changes or removes must still match
 * the parked snapshot (git refuses the whole switch otherwise, writing nothing), and files
 * written since at paths the snapshot does not have are never touched, because the switch
 * only removes paths it has in its index. Untracked files that were parked are in that index,
 * so they go; ignored files are not, so they stay (node_modules and caches survive).
 *
 * Returns null when done, or git's reason when something changed since the park (the caller
 * parks again and retries; nothing was written).
 */
export async function switchParkedTo(worktree: string, scratchIndex: string, parkedTree: string, base: string): Promise<string | null> {
  const env = { GIT_INDEX_FILE: scratchIndex };
  // Fresh stat data for files unchanged since the park (content-checked where the stat data
  // cannot tell), so the switch does not refuse them; files that did change stay stale, and
  // the switch refuses them. (git smudges a racily clean entry only when its content differs.)
  const parkedAt = (await fs.stat(scratchIndex)).mtime;
  await runGit(worktree, ['update-index', '-q', '--refresh'], { env, allowFailure: true });
  // The refresh stamped the index "now", so a same-size rewrite in the same second (git here
  // compares whole seconds) would look unchanged and be overwritten. Dating the index back to
  // before the park makes every file touched since then racily clean: git compares its content
  // before the switch changes it, and refuses if it differs.
  const before = new Date(parkedAt.getTime() - 2_000);
  await fs.utimes(scratchIndex, before, before);
  const switched = await runGit(worktree, ['read-tree', '-m', '-u', parkedTree, base], { env, allowFailure: true });
  if (switched.code !== 0) return switched.stderr.trim().split('\n')[0] || `git read-tree exited ${switched.code}`;
  await installIndex(worktree, scratchIndex);
  await runGit(worktree, ['update-ref', '--no-deref', '-m', 'grove: reset for reuse', 'HEAD', base]);
  return null;
}

/** The scratch index becomes the worktree's index, by git's protocol: written as index.lock (taken exclusively), then renamed. */
async function installIndex(worktree: string, scratchIndex: string): Promise<void> {
  const realIndex = path.resolve(worktree, await gitOutput(worktree, ['rev-parse', '--git-path', 'index']));
  const lock = `${realIndex}.lock`;
  await fs.copyFile(scratchIndex, lock, fs.constants.COPYFILE_EXCL);
  try {
    await fs.rename(lock, realIndex);
  } catch (error) {
    await fs.rm(lock, { force: true });
    throw error;
  }
}
