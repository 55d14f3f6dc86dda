import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runGit } from '../git/run';

export const WORKTREE_INCLUDE_FILE = '.worktreeinclude';

/**
 * Copies into a new worktree the files of the main worktree that match `.worktreeinclude`
 * (gitignore syntax) and are ignored by git: `.env` and local config that git cannot check
 * out. Tracked files are already there; existing files in the target are never overwritten.
 * Returns the relative paths copied.
 */
export async function copyWorktreeInclude(mainWorktree: string, target: string): Promise<string[]> {
  const includeFile = path.join(mainWorktree, WORKTREE_INCLUDE_FILE);
  try {
    await fs.access(includeFile);
  } catch {
    return [];
  }
  const matching = await runGit(mainWorktree, ['ls-files', '--others', '--ignored', `--exclude-from=${includeFile}`, '-z']);
  const candidates = matching.stdout.split('\0').filter(Boolean);
  if (candidates.length === 0) return [];
  const ignored = await ignoredAmong(mainWorktree, candidates);
  const copied: string[] = [];
  for (const relative of candidates.filter((file) => ignored.has(file))) {
    const destination = path.join(target, relative);
    await fs.mkdir(path.dirname(destination), { recursive: true });
    try {
      await fs.cp(path.join(mainWorktree, relative), destination, { force: false, errorOnExist: true, preserveTimestamps: true, verbatimSymlinks: true });
      copied.push(relative);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_FS_CP_EEXIST' && (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return copied;
}

async function ignoredAmong(repo: string, files: string[]): Promise<Set<string>> {
  // check-ignore exits 1 when none is ignored; that is an answer, not a failure.
  const result = await runGit(repo, ['check-ignore', '--stdin', '-z'], { allowFailure: true, input: files.join('\0') + '\0' });
  if (result.code > 1) throw new Error(`git check-ignore failed: ${result.stderr.trim()}`);
  return new Set(result.stdout.split('\0').filter(Boolean));
}
