import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GroveError } from '../errors';
import { GitError, gitOutput, runGit } from './run';
import { readHead } from './worktreeState';

/** Parked commits are Grove's own: a fixed identity means parking never fails for want of user.name. */
export const PARKING_IDENTITY = {
  GIT_AUTHOR_NAME: 'Grove',
  GIT_AUTHOR_EMAIL: 'grove@localhost',
  GIT_COMMITTER_NAME: 'Grove',
  GIT_COMMITTER_EMAIL: 'grove@localhost',
};

export interface ParkedWork {
  ref: string;
  /** The parked commit: its tree is the working tree (untracked files included), parent 1 is HEAD, parent 2 the index. */
  commit: string;
  head: string;
  branch: string | null;
  /** Commands that bring everything back, for a person to run. */
  restoreHint: string;
}

/**
 * Stores everything in a worktree that a reset would lose, under `refs/grove/parked/<name>/<time>`,
 * without touching the worktree: built with plumbing, like `git stash` but ignoring nothing
 * but ignored files.
 *   index commit:  the index's tree, parent HEAD
 *   parked commit: the working tree's tree (tracked changes + untracked files, not ignored
 *                  ones), parents HEAD and the index commit
 * The ref keeps HEAD (and any commits on no branch behind it) reachable, so git's gc keeps them.
 */
export async function parkWork(worktree: string, name: string, now: Date, scratchDir: string, excludes: string[] = []): Promise<ParkedWork> {
  const { parked, scratchIndex } = await parkWorkKeepingIndex(worktree, name, now, scratchDir, excludes);
  await fs.rm(scratchIndex, { force: true });
  return parked;
}

/**
 * `parkWork`, handing back the scratch index it built: an index of exactly the parked working
 * tree, with the files' stat data, which `switchParkedTo` uses to tell what changed since.
 * The caller removes it.
 */
export async function parkWorkKeepingIndex(worktree: string, name: string, now: Date, scratchDir: string, excludes: string[] = []): Promise<{ parked: ParkedWork; scratchIndex: string; tree: string }> {
  const { head, branch } = await readHead(worktree);
  const label = branch ? `branch ${branch.replace(/^refs\/heads\//, '')}` : `detached HEAD ${head.slice(0, 12)}`;
  const indexTree = await gitOutput(worktree, ['write-tree']).catch(async () => {
    // An index with unresolved conflicts cannot be written as a tree: keep HEAD's tree for
    // the index commit; the conflicted files themselves are in the working tree commit.
    return gitOutput(worktree, ['rev-parse', 'HEAD^{tree}']);
  });
  const indexCommit = await gitOutput(worktree, ['commit-tree', indexTree, '-p', head, '-m', `grove: parked index of ${name} (${label})`],
    { env: PARKING_IDENTITY });
  const { tree, scratchIndex } = await treeOfWorkingTree(worktree, scratchDir, excludes);
  try {
    const commit = await gitOutput(worktree, ['commit-tree', tree, '-p', head, '-p', indexCommit, '-m',
      `grove: parked work of ${name} (${label})`], { env: PARKING_IDENTITY });
    const ref = await createUniqueRef(worktree, `refs/grove/parked/${name}/${refTime(now)}`, commit);
    return { parked: { ref, commit, head, branch, restoreHint: restoreHint(ref, branch) }, scratchIndex, tree };
  } catch (error) {
    await fs.rm(scratchIndex, { force: true });
    throw error;
  }
}

/**
 * The working tree as a tree object, via a scratch copy of the index so the real one is
 * untouched. `excludes` (paths from the top) are left out: nested repositories parked on
 * their own (parkNested.ts), which `git add` could only record as a gitlink, or not at all.
 */
export async function treeOfWorkingTree(worktree: string, scratchDir: string, excludes: string[] = []): Promise<{ tree: string; scratchIndex: string }> {
  const realIndex = path.resolve(worktree, await gitOutput(worktree, ['rev-parse', '--git-path', 'index']));
  await fs.mkdir(scratchDir, { recursive: true });
  const scratchIndex = path.join(scratchDir, `park-${process.pid}-${randomBytes(6).toString('hex')}.index`);
  try {
    await fs.copyFile(realIndex, scratchIndex).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error; // no index yet: start from an empty one
    });
    const env = { GIT_INDEX_FILE: scratchIndex };
    await addAllWhileWritten(worktree, ['add', '--all', '--', ':/', ...excludes.map((relative) => `:(top,literal,exclude)${relative}`)], env);
    return { tree: await gitOutput(worktree, ['write-tree'], { env }), scratchIndex };
  } catch (error) {
    await fs.rm(scratchIndex, { force: true });
    throw error;
  }
}

/** Pauses before each retry of a `git add` that read a file while it was being written. */
const ADD_RETRY_PAUSES_MS = [20, 50, 100, 200, 400];

/**
 * `git add` fails ("short read while indexing") when a process truncates and rewrites a file
 * while git reads it. Nothing was written: try again after a pause, and if the file never
 * holds still, refuse (the caller keeps the lease; nothing is lost) instead of failing inside.
 */
async function addAllWhileWritten(worktree: string, args: string[], env: Record<string, string>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const result = await runGit(worktree, args, { env, allowFailure: true });
    if (result.code === 0) return;
    const changing = /short read while indexing (.+)$/m.exec(result.stderr);
    if (!changing) throw new GitError(args, worktree, result, result.stderr.trim() || `exit code ${result.code}`);
    if (attempt >= ADD_RETRY_PAUSES_MS.length) {
      throw new GroveError('refused', `${changing[1]} in ${worktree} kept changing while Grove tried to park it`,
        'Something is still writing there: stop it, then try again (nothing was parked or removed).');
    }
    await new Promise((resolve) => setTimeout(resolve, ADD_RETRY_PAUSES_MS[attempt]));
  }
}

/** `<time>` in a ref name: ':' is not allowed there. */
export function refTime(now: Date): string {
  return now.toISOString().replace(/:/g, '-').replace(/\./, '-');
}

export async function createUniqueRef(worktree: string, wanted: string, commit: string): Promise<string> {
  for (let attempt = 1; attempt < 100; attempt++) {
    const ref = attempt === 1 ? wanted : `${wanted}-${attempt}`;
    // An empty old value makes update-ref refuse when the ref already exists.
    const result = await runGit(worktree, ['update-ref', '--no-deref', ref, commit, ''], { allowFailure: true });
    if (result.code === 0) return ref;
    if (!/exists|reference already|unable to lock|cannot lock/i.test(result.stderr)) {
      throw new Error(`could not create ${ref}: ${result.stderr.trim()}`);
    }
  }
  throw new Error(`could not find a free ref name under ${wanted}`);
}

export function restoreHint(ref: string, branch: string | null): string {
  const lines = [
    `Parked under ${ref}. To get it back, in a clean worktree of this repository (for example: cd "$(grove lease)"):`,
    `  git checkout --detach ${ref}^1                 # HEAD as it was`,
    `  git restore --source=${ref} --worktree -- .    # your files, untracked ones included`,
    `  git restore --source=${ref}^2 --staged -- .    # what was staged`,
  ];
  if (branch) lines.push(`  git switch ${shellQuote(branch.replace(/^refs\/heads\//, ''))}    # optional: you were on this branch`);
  return lines.join('\n');
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
