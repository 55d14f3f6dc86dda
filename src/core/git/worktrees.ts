import { gitOutput, runGit } from './run';

/** One entry of `git worktree list --porcelain -z`. */
export interface WorktreeListEntry {
  path: string;
  /** The checked-out commit; null for a bare entry or a worktree on an unborn branch. */
  head: string | null;
  /** Full ref name (`refs/heads/x`) when on a branch; null when detached. */
  branch: string | null;
  detached: boolean;
  bare: boolean;
  /** The lock reason ('' when locked without one); null when not locked. */
  locked: string | null;
  /** Why git would prune this registration (its folder is gone); null when it is live. */
  prunable: string | null;
}

/**
 * Parses `git worktree list --porcelain -z`: attributes are NUL-terminated, and an empty
 * attribute (two NULs in a row) ends an entry. -z matters: a path may contain newlines.
 */
export function parseWorktreeList(output: string): WorktreeListEntry[] {
  const entries: WorktreeListEntry[] = [];
  let current: WorktreeListEntry | null = null;
  for (const field of output.split('\0')) {
    if (field === '') {
      if (current) entries.push(current);
      current = null;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space === -1 ? field : field.slice(0, space);
    const value = space === -1 ? '' : field.slice(space + 1);
    if (key === 'worktree') {
      if (current) entries.push(current);
      current = { path: value, head: null, branch: null, detached: false, bare: false, locked: null, prunable: null };
      continue;
    }
    if (!current) continue; // attributes before any `worktree` line: not a format we know
    switch (key) {
      case 'HEAD':
        current.head = /^0+$/.test(value) ? null : value;
        break;
      case 'branch':
        current.branch = value;
        break;
      case 'detached':
        current.detached = true;
        break;
      case 'bare':
        current.bare = true;
        break;
      case 'locked':
        current.locked = value;
        break;
      case 'prunable':
        current.prunable = value;
        break;
      default:
        break; // newer git may add attributes; ignoring them keeps old Grove working
    }
  }
  if (current) entries.push(current);
  return entries;
}

export async function listWorktrees(repoDir: string): Promise<WorktreeListEntry[]> {
  return parseWorktreeList(await gitOutput(repoDir, ['worktree', 'list', '--porcelain', '-z']));
}

/**
 * Creates a detached worktree at `commit`: no branch, so it never blocks a branch elsewhere.
 * `force` re-creates one whose folder was deleted while git still has it registered.
 */
export async function addWorktree(repoDir: string, worktreePath: string, commit: string, force = false): Promise<void> {
  await runGit(repoDir, ['worktree', 'add', '--quiet', ...(force ? ['--force'] : []), '--detach', worktreePath, commit]);
}

/**
 * Removes a worktree and its folder, ignored files included. Callers check for work first;
 * the double --force also removes a worktree someone locked.
 */
export async function removeWorktree(repoDir: string, worktreePath: string): Promise<void> {
  await runGit(repoDir, ['worktree', 'remove', '--force', '--force', worktreePath]);
}

/** Clears git's registrations of worktrees whose folders are gone. */
export async function pruneWorktreeRegistrations(repoDir: string): Promise<void> {
  await runGit(repoDir, ['worktree', 'prune']);
}
