import { gitOutput, runGit } from './run';
import { protectingRefs } from './protectingRefs';
import { stashesAtRisk, type StashEntry } from './stashes';

/**
 * The untracked cache lets `git status` skip re-reading folders whose mtime did not change;
 * on a 20,000-file tree it cuts the dirty check to a third. Passed per command so the user's
 * own config is never touched.
 */
const FAST_STATUS = ['-c', 'core.untrackedCache=true'];

export interface HeadInfo {
  head: string;
  /** Full ref name when on a branch, null when detached. */
  branch: string | null;
}

/** HEAD's commit and branch in one git call. */
export async function readHead(worktree: string): Promise<HeadInfo> {
  const [head, symbolic] = (await gitOutput(worktree, ['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD'])).split('\n');
  return { head, branch: symbolic && symbolic !== 'HEAD' ? symbolic : null };
}

/**
 * The honest dirty check, with HEAD and branch from the same git call (on the path of every
 * lease, so one process instead of two): staged or unstaged changes to tracked files, or
 * untracked files that are not ignored. Ignored files (node_modules, build caches) are the
 * warm part of a pooled worktree and never make it dirty. `changed` holds one line per path,
 * `?? path` for untracked ones and `XY path` for the others (empty when clean).
 */
export async function readWorktree(worktree: string, options: InspectOptions = {}): Promise<HeadInfo & { changed: string[] }> {
  const lockFree = options.readOnly ? ['--no-optional-locks'] : [];
  const out = await gitOutput(worktree, [...lockFree, ...FAST_STATUS, 'status', '--porcelain=v2', '--branch', '-z',
    '--untracked-files=normal', '--ignored=no']);
  return parseStatusV2(out);
}

/** Parses `git status --porcelain=v2 --branch -z`. */
export function parseStatusV2(output: string): HeadInfo & { changed: string[] } {
  const fields = output.split('\0');
  let head = '';
  let branch: string | null = null;
  const changed: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field === '') continue;
    if (field.startsWith('# branch.oid ')) {
      head = field.slice('# branch.oid '.length);
    } else if (field.startsWith('# branch.head ')) {
      const name = field.slice('# branch.head '.length);
      branch = name === '(detached)' ? null : `refs/heads/${name}`;
    } else if (field.startsWith('? ')) {
      changed.push(`?? ${field.slice(2)}`);
    } else if (field.startsWith('1 ') || field.startsWith('u ')) {
      const parts = field.split(' ');
      changed.push(`${parts[1]} ${parts.slice(field.startsWith('1 ') ? 8 : 10).join(' ')}`);
    } else if (field.startsWith('2 ')) {
      const parts = field.split(' ');
      changed.push(`${parts[1]} ${parts.slice(9).join(' ')}`);
      i++; // a rename or copy is followed by its original path
    }
  }
  if (!/^[0-9a-f]{40,64}$/.test(head)) throw new Error(`git status gave no HEAD commit (${head || 'none'})`);
  return { head, branch, changed };
}

/**
 * Commits reachable from HEAD that no protecting ref contains (and that `knownHead`, the
 * commit the worktree was handed out at, does not contain either): work on no branch, which a
 * reset would orphan. Returns how many there are.
 */
export async function commitsOnNoBranch(worktree: string, knownHead: string | null): Promise<number> {
  const args = ['rev-list', '--count', 'HEAD', '--not', ...protectingRefs()];
  if (knownHead) args.push(knownHead);
  const result = await runGit(worktree, args, { allowFailure: true });
  if (result.code !== 0) {
    // knownHead may have been garbage-collected; without it, refs alone decide.
    if (knownHead) return commitsOnNoBranch(worktree, null);
    throw new Error(`git rev-list failed in ${worktree}: ${result.stderr.trim()}`);
  }
  return Number(result.stdout.trim()) || 0;
}

/** Everything that decides whether a worktree holds work that must not be reset away. */
export interface WorkInspection extends HeadInfo {
  changed: string[];
  unparkedCommits: number;
  /** Stash entries made here on commits on no branch (looked for only with `stashes`). */
  stashes: StashEntry[];
  /** Uncommitted changes, untracked files, commits on no branch or such stash entries. */
  hasWork: boolean;
}

export interface InspectOptions {
  /**
   * Look without writing the index (--no-optional-locks): for status and for worktrees someone
   * else may be working in, where taking index.lock could make their git command fail.
   * The pool's own exclusive checks leave it off so the refreshed index and untracked cache
   * are saved, which keeps the next check fast.
   */
  readOnly?: boolean;
  /**
   * Also look for stash entries at risk (see stashes.ts): for return and destroy, which end a
   * worktree's use; lease and status skip the extra git call.
   */
  stashes?: { commonDir: string };
}

export async function inspectWork(worktree: string, knownHead: string | null, options: InspectOptions = {}): Promise<WorkInspection> {
  const { head, branch, changed } = await readWorktree(worktree, options);
  // HEAD still where it was handed out: no new commits, and the rev-list walk is skipped.
  const unparkedCommits = knownHead && head === knownHead ? 0 : await commitsOnNoBranch(worktree, knownHead);
  const stashes = options.stashes ? await stashesAtRisk(worktree, options.stashes.commonDir) : [];
  return { head, branch, changed, unparkedCommits, stashes, hasWork: changed.length > 0 || unparkedCommits > 0 || stashes.length > 0 };
}

/**
 * Moves a clean worktree to `commit`, detached. No --force: the caller has just checked that
 * nothing would be lost, and if a file changed since, git refuses rather than discards.
 */
export async function checkoutDetached(worktree: string, commit: string): Promise<void> {
  await runGit(worktree, ['checkout', '--quiet', '--detach', commit, '--']);
}

/** Resolves a user-given ref to a commit id, or null when it names no commit. */
export async function resolveCommit(repoDir: string, ref: string): Promise<string | null> {
  const result = await runGit(repoDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { allowFailure: true });
  return result.code === 0 ? result.stdout.trim() : null;
}

/**
 * The default base for new leases: the default branch's tip. That is origin's HEAD branch
 * (its local branch when one exists, since it is usually ahead), else main, else master, else
 * whatever the main worktree has checked out.
 */
export async function defaultBase(repoDir: string): Promise<{ ref: string; commit: string }> {
  const out = await gitOutput(repoDir, ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(symref)',
    'refs/remotes/origin/HEAD', 'refs/heads/main', 'refs/heads/master']);
  const refs = new Map<string, { commit: string; symref: string }>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [name, commit, symref] = line.split('\0');
    refs.set(name, { commit, symref });
  }
  const originHead = refs.get('refs/remotes/origin/HEAD');
  if (originHead) {
    const branch = originHead.symref.replace(/^refs\/remotes\/origin\//, '');
    const local = await resolveCommit(repoDir, `refs/heads/${branch}`);
    if (local) return { ref: `refs/heads/${branch}`, commit: local };
    return { ref: originHead.symref || 'refs/remotes/origin/HEAD', commit: originHead.commit };
  }
  for (const name of ['refs/heads/main', 'refs/heads/master']) {
    const found = refs.get(name);
    if (found) return { ref: name, commit: found.commit };
  }
  const head = await readHead(repoDir);
  return { ref: head.branch ?? 'HEAD', commit: head.head };
}
