import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gitOutput } from '../git/run';
import { listWorktrees } from '../git/worktrees';
import { LandRefusal, listFiles } from './types';

export interface TreeChange {
  /** A, M, D or T (renames are split into D + A: both paths are written). */
  status: string;
  path: string;
}

/** What going from `from` to `to` writes, path by path (a two-tree diff in the object store). */
export async function treeChanges(repo: string, from: string, to: string): Promise<TreeChange[]> {
  const out = await gitOutput(repo, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to, '--']);
  const fields = out.split('\0');
  const changes: TreeChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === '') break;
    changes.push({ status: fields[i], path: fields[i + 1] });
  }
  return changes;
}

const IN_PROGRESS = ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD', 'REVERT_HEAD'];

/** Refuses a checkout in the middle of a merge, rebase, cherry-pick or revert (Grove never finishes or aborts those); returns its git dir. */
export async function refuseOperationInProgress(worktree: string): Promise<string> {
  const gitDir = await gitOutput(worktree, ['rev-parse', '--absolute-git-dir']);
  for (const marker of IN_PROGRESS) {
    const there = await fs.lstat(path.join(gitDir, marker)).then(() => true, () => false);
    if (there) {
      throw new LandRefusal('operation-in-progress', `${worktree} is in the middle of a ${describe(marker)}`,
        `Nothing was changed. Finish it or abort it there yourself (git status says how), then land again.`);
    }
  }
  return gitDir;
}

function describe(marker: string): string {
  if (marker === 'MERGE_HEAD') return 'merge';
  if (marker.startsWith('rebase')) return 'rebase';
  return marker === 'REVERT_HEAD' ? 'revert' : 'cherry-pick';
}

/**
 * Paths with staged, unstaged or untracked (not ignored) changes, read without taking
 * index.lock (--no-optional-locks): the checkout belongs to a person who may be using it.
 * Untracked folders come back as `dir/`.
 */
export async function localChanges(worktree: string): Promise<string[]> {
  const out = await gitOutput(worktree, ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--no-renames',
    '--untracked-files=normal', '--ignored=no']);
  return out.split('\0').filter((entry) => entry.length > 3).map((entry) => entry.slice(3));
}

/**
 * The paths among `changes` that `worktree` would lose something in: its own changes, an
 * untracked folder around them, or a file on disk where the land adds one (an ignored file
 * would otherwise be overwritten without a word: git treats ignored files as expendable).
 */
export async function pathsInTheWay(worktree: string, changes: TreeChange[]): Promise<string[]> {
  const local = await localChanges(worktree);
  const exact = new Set(local.filter((entry) => !entry.endsWith('/')));
  const folders = local.filter((entry) => entry.endsWith('/'));
  const blocked: string[] = [];
  for (const change of changes) {
    const inLocal = exact.has(change.path) || folders.some((folder) => change.path.startsWith(folder));
    if (inLocal || (change.status === 'A' && await occupied(worktree, change.path))) blocked.push(change.path);
  }
  return blocked;
}

/**
 * Something untracked is on disk where a file is to be added: the path itself (a file, or a
 * folder such as an ignored cache), or a file where one of its parent folders must go.
 */
export async function occupied(worktree: string, file: string): Promise<boolean> {
  if (await fs.lstat(path.join(worktree, file)).then(() => true, () => false)) return true;
  const parts = file.split('/');
  for (let depth = 1; depth < parts.length; depth++) {
    const stat = await fs.lstat(path.join(worktree, ...parts.slice(0, depth))).catch(() => null);
    if (!stat) return false; // the folder does not exist yet: nothing further down can either
    if (!stat.isDirectory()) return true;
  }
  return false;
}

export function localChangesRefusal(worktree: string, files: string[], what: string): LandRefusal {
  return new LandRefusal('local-changes',
    `${worktree} has its own changes in ${files.length} file${files.length === 1 ? '' : 's'} that ${what} would write: ${listFiles(files)}`,
    'Nothing was changed. Commit or stash those changes there (or land with --branch), then land again.', files);
}

/** The worktree that has `ref` checked out, if any (git allows at most one). */
export async function worktreeOnBranch(repo: string, ref: string): Promise<string | null> {
  const entries = await listWorktrees(repo);
  return entries.find((entry) => entry.branch === ref && !entry.prunable && !entry.bare)?.path ?? null;
}
