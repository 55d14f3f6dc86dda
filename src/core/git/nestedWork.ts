import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gitOutput, runGit } from './run';
import { readWorktree } from './worktreeState';

/**
 * Work inside a worktree that lives in a git repository of its own, which parking cannot
 * keep: the superproject's commits can only record a gitlink (a commit id) for it.
 *   - an untracked nested repository: its commits and files are only in its own `.git`;
 *   - an initialized submodule: its git dir lives under `.git/worktrees/<wt>/modules/`, which
 *     goes with the worktree, so its local commits and uncommitted files go too.
 * Return and destroy refuse these even with --force and say what to do (see refusals.ts).
 */
export interface NestedWork {
  kind: 'repository' | 'submodule';
  /** Relative to the worktree, '/'-separated. */
  path: string;
  /** What it holds, in words. */
  detail: string;
}

const MAX_DEPTH = 3;

/**
 * Untracked nested repositories: `git ls-files --others` names each as `<path>/` (a folder it
 * does not descend into). Only asked when `changed` shows untracked entries.
 */
export async function untrackedRepositories(worktree: string, changed: string[]): Promise<NestedWork[]> {
  if (!changed.some((line) => line.startsWith('?? '))) return [];
  const others = (await gitOutput(worktree, ['ls-files', '--others', '--exclude-standard', '-z'])).split('\0');
  return others.filter((entry) => entry.endsWith('/')).map((entry) => ({
    kind: 'repository' as const, path: entry.replace(/\/$/, ''), detail: 'its own commits and files',
  }));
}

/**
 * Initialized submodules (recursively) holding work: uncommitted changes, untracked files,
 * or commits that none of their remote-tracking refs contain (so they exist only here). With
 * `resetTo`, a submodule checked out at another commit than that commit records counts too:
 * a reset for reuse does not move submodules, so it could never make the worktree clean.
 */
export async function submodulesWithWork(worktree: string, resetTo?: string, depth = 0): Promise<NestedWork[]> {
  if (depth >= MAX_DEPTH || !(await isFile(path.join(worktree, '.gitmodules')))) return [];
  const found: NestedWork[] = [];
  for (const relative of await gitlinks(worktree)) {
    const sub = path.join(worktree, relative);
    if (!(await exists(path.join(sub, '.git')))) continue; // not initialized: nothing of it here
    const parts: string[] = [];
    const notOnRemotes = await runGit(sub, ['rev-list', '--count', 'HEAD', '--branches', '--not', '--remotes'], { allowFailure: true });
    const count = notOnRemotes.code === 0 ? Number(notOnRemotes.stdout.trim()) || 0 : 0;
    if (count) parts.push(`${count} commit(s) not on its remotes`);
    const { changed, head } = await readWorktree(sub, { readOnly: true });
    const untracked = changed.filter((line) => line.startsWith('??')).length;
    if (changed.length - untracked) parts.push(`${changed.length - untracked} changed file(s)`);
    if (untracked) parts.push(`${untracked} untracked file(s)`);
    if (resetTo) {
      const recorded = (await gitOutput(worktree, ['ls-tree', '-z', resetTo, '--', relative])).split(/\s/)[2];
      if (recorded && recorded !== head) parts.push(`checked out at ${head.slice(0, 12)}, not ${recorded.slice(0, 12)}`);
    }
    if (parts.length) found.push({ kind: 'submodule', path: relative, detail: parts.join(', ') });
    const deeper = await submodulesWithWork(sub, undefined, depth + 1);
    found.push(...deeper.map((entry) => ({ ...entry, path: `${relative}/${entry.path}` })));
  }
  return found;
}

async function gitlinks(worktree: string): Promise<string[]> {
  const staged = (await gitOutput(worktree, ['ls-files', '--stage', '-z'])).split('\0');
  return staged.filter((entry) => entry.startsWith('160000 ')).map((entry) => entry.slice(entry.indexOf('\t') + 1));
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((stat) => stat.isFile(), () => false);
}
