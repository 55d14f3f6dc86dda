import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { gitOutput, runGit } from '../git/run';
import { commitTree } from './commits';

export interface Snapshot {
  /** The worktree's HEAD when the snapshot was taken. */
  head: string;
  /** The whole working tree (tracked changes and untracked, not ignored, files) as a tree. */
  tree: string;
  /** A commit of `tree` on top of HEAD; HEAD itself when nothing is uncommitted. */
  commit: string;
}

/**
 * The working tree of `worktree` as a tree object, built in a scratch copy of its index
 * (GIT_INDEX_FILE), so the worktree's own index, files and HEAD are never touched. Starting
 * from a copy rather than an empty index keeps git's stat data: only changed files are hashed.
 * (park.ts builds its parked tree the same way; this is a separate copy so landing and parking
 * can change independently.)
 */
export async function treeOfWorktree(worktree: string, scratchDir: string, indexPath?: string): Promise<string> {
  const realIndex = path.resolve(worktree, indexPath ?? await gitOutput(worktree, ['rev-parse', '--git-path', 'index']));
  await fs.mkdir(scratchDir, { recursive: true });
  const scratchIndex = path.join(scratchDir, `land-${process.pid}-${randomBytes(6).toString('hex')}.index`);
  try {
    await copyIndex(realIndex, scratchIndex);
    const env = { GIT_INDEX_FILE: scratchIndex };
    await runGit(worktree, ['-c', 'core.untrackedCache=true', 'add', '--all', '--', ':/'], { env });
    return await gitOutput(worktree, ['write-tree'], { env });
  } finally {
    await fs.rm(scratchIndex, { force: true });
    await fs.rm(`${scratchIndex}.lock`, { force: true });
  }
}

/**
 * The copy keeps the index file's time (its whole second: never later). Git trusts an entry's
 * stat data only when the file was last changed before the second the index was written in; an
 * entry changed in that second ("racily clean") is re-read. A copy with a fresh time would make
 * git trust those entries and miss a same-size edit made just after the agent's last `git add`.
 */
async function copyIndex(realIndex: string, scratchIndex: string): Promise<void> {
  const stat = await fs.stat(realIndex).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null; // no index yet: start from an empty one
    throw error;
  });
  if (!stat) return;
  await fs.copyFile(realIndex, scratchIndex);
  const second = Math.floor(stat.mtimeMs / 1000);
  await fs.utimes(scratchIndex, second, second);
}

/** A commit holding everything in `worktree`: its commits (as ancestors) and its uncommitted work. */
export async function snapshotWorktree(worktree: string, scratchDir: string, message: string): Promise<Snapshot> {
  const [indexPath, head, headTree] = (await gitOutput(worktree, ['rev-parse', '--git-path', 'index', 'HEAD', 'HEAD^{tree}'])).split('\n');
  const tree = await treeOfWorktree(worktree, scratchDir, indexPath);
  const commit = tree === headTree ? head : await commitTree(worktree, tree, [head], message);
  return { head, tree, commit };
}

/**
 * Scratch indexes of lands killed midway (SIGKILL skips `finally`). Only files older than an hour
 * are removed: a younger one may belong to a land running right now in another process.
 */
export async function sweepScratch(scratchDir: string, now: Date): Promise<void> {
  const names = await fs.readdir(scratchDir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith('land-')) continue;
    const file = path.join(scratchDir, name);
    const stat = await fs.stat(file).catch(() => null);
    if (stat && now.getTime() - stat.mtimeMs > 3_600_000) await fs.rm(file, { force: true });
  }
}
