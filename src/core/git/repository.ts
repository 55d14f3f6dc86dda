import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { GroveError } from '../errors';
import { runGit } from './run';

/** Where a repository's pieces are, as Grove needs them. */
export interface RepositoryLocation {
  /** The main working tree's top folder (the first entry of `git worktree list`). */
  mainWorktree: string;
  /** `git rev-parse --git-common-dir`, absolute: shared by every worktree of this clone. */
  commonDir: string;
  /** `<commonDir>/grove`: all of Grove's state for this clone. */
  groveDir: string;
}

/**
 * Finds the repository that `cwd` is in, from the main working tree or any linked worktree,
 * and refuses, with what to do, a folder that is not one, a bare repository, or one with no
 * commit yet (a worktree needs a commit to check out).
 */
export async function locateRepository(cwd: string): Promise<RepositoryLocation> {
  const absolute = path.resolve(cwd);
  try {
    await fs.access(absolute);
  } catch {
    throw new GroveError('usage', `${absolute} does not exist`, 'Run grove inside a git repository, or pass --repo DIR.');
  }
  // One git call answers everything (it is on the CLI's start-up path): bare?, in a work
  // tree?, common dir, top level, and HEAD's commit. Each refusal shows in what it printed.
  const result = await runGit(absolute, ['rev-parse', '--is-bare-repository', '--is-inside-work-tree', '--git-common-dir',
    '--absolute-git-dir', '--show-toplevel', '--verify', '--quiet', 'HEAD^{commit}'], { allowFailure: true });
  if (/not a git repository/i.test(result.stderr)) {
    throw new GroveError('usage', `${absolute} is not a git repository`, 'Run grove inside a git repository (git init, then commit once), or pass --repo DIR.');
  }
  const [bare, insideWorkTree, commonDirRaw, gitDir, topLevel, headCommit] = result.stdout.split('\n').map((line) => line.trim());
  if (bare === 'true') {
    throw new GroveError('usage', `${absolute} is a bare repository: it has no working tree to branch worktrees from`,
      'Run grove inside a clone that has a working tree.');
  }
  if (insideWorkTree === 'false') {
    throw new GroveError('usage', `${absolute} is inside a .git folder, not a working tree`, 'Run grove from the repository\'s working tree.');
  }
  if (insideWorkTree !== 'true' || !commonDirRaw || !topLevel) {
    throw new GroveError('internal', `git could not read ${absolute}: ${result.stderr.trim() || `exit code ${result.code}`}`);
  }
  if (!headCommit) {
    throw new GroveError('usage', `${topLevel} has no commit yet: a worktree needs a commit to check out`,
      'Make a first commit (git commit --allow-empty -m init), then retry.');
  }
  const commonDir = path.resolve(absolute, commonDirRaw);
  const groveDir = path.join(commonDir, 'grove');
  const mainWorktree = await findMainWorktree(commonDir, path.resolve(absolute, gitDir), topLevel, groveDir);
  return { mainWorktree, commonDir, groveDir };
}

/**
 * The main worktree is the folder that owns the common dir, whichever worktree we were asked
 * from: the parent of a common dir named .git. A git folder kept elsewhere (`git init
 * --separate-git-dir`, a submodule) names no working tree, and git itself then lists the git
 * folder as the main worktree; so Grove remembers the main worktree whenever it runs in it,
 * and from a linked worktree uses what it remembered (never the linked worktree itself, which
 * would nest a pool inside a pool).
 */
async function findMainWorktree(commonDir: string, gitDir: string, topLevel: string, groveDir: string): Promise<string> {
  if (path.basename(commonDir) === '.git') return path.dirname(commonDir);
  const remembered = path.join(groveDir, MAIN_WORKTREE_FILE);
  if (await samePath(gitDir, commonDir)) {
    const known = await fs.readFile(remembered, 'utf8').catch(() => null);
    if (known?.trim() !== topLevel) {
      await fs.mkdir(groveDir, { recursive: true });
      await fs.writeFile(remembered, topLevel + '\n');
    }
    return topLevel;
  }
  const known = (await fs.readFile(remembered, 'utf8').catch(() => '')).trim();
  if (known && (await fs.access(known).then(() => true, () => false))) return known;
  throw new GroveError('usage', `${topLevel} is a linked worktree of a repository whose git folder (${commonDir}) is kept apart from its working tree, ` +
    'and Grove cannot tell from here where the main working tree is',
    'Run grove once from the main working tree (or pass --repo with its path); Grove remembers it after that.');
}

const MAIN_WORKTREE_FILE = 'main-worktree';

async function samePath(a: string, b: string): Promise<boolean> {
  const real = (file: string) => fs.realpath(file).catch(() => path.resolve(file));
  return (await real(a)) === (await real(b));
}
