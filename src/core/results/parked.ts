import { GroveError } from '../errors';
import { gitOutput, runGit } from '../git/run';

/** One `refs/grove/parked/<name>/<time>` ref: what Discard, `return --force` and `destroy --force` kept. */
export interface ParkedEntry {
  ref: string;
  commit: string;
  /** The worktree it came from (the ref's middle part). */
  worktree: string;
  parkedAt: string;
  subject: string;
  /** Files that differ from the parked HEAD (the working tree's changes, untracked included); null when not read. */
  files: string[] | null;
  /** The HEAD that was parked (parent 1 of the parked commit). */
  head: string;
}

export const PARKED_PREFIX = 'refs/grove/parked/';

/** Every parked ref, newest first; `files: false` skips the per-ref diff (one git process in all, for views). */
export async function listParked(repoDir: string, o: { files?: boolean } = {}): Promise<ParkedEntry[]> {
  const out = await gitOutput(repoDir, ['for-each-ref', '--sort=-creatordate', '--format=%(refname)%00%(objectname)%00%(creatordate:iso-strict)%00%(subject)%00%(parent)', PARKED_PREFIX]);
  const lines = out.split('\n').filter(Boolean);
  return Promise.all(lines.map(async (line) => {
    const [ref, commit, parkedAt, subject, parents] = line.split('\0');
    const files = o.files === false ? null
      : await gitOutput(repoDir, ['diff', '--name-only', '-z', `${commit}^1`, commit, '--']).then((names) => names.split('\0').filter(Boolean), () => []);
    return { ref, commit, worktree: ref.slice(PARKED_PREFIX.length).split('/')[0] ?? '', parkedAt, subject, files, head: (parents ?? '').split(' ')[0] ?? '' };
  }));
}

/** Accepts a full ref or the part after `refs/grove/parked/`; refuses anything outside it. */
export async function resolveParked(repoDir: string, given: string): Promise<{ ref: string; commit: string }> {
  const ref = given.startsWith(PARKED_PREFIX) ? given : `${PARKED_PREFIX}${given.replace(/^\/+/, '')}`;
  if (ref.includes('..') || /[\s~^:?*[\\]/.test(ref)) throw notParked(given);
  const result = await runGit(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFailure: true });
  if (result.code !== 0) throw notParked(given);
  return { ref, commit: result.stdout.trim() };
}

function notParked(given: string): GroveError {
  return new GroveError('usage', `no parked work ${given}`, 'List it with grove parked (refs under refs/grove/parked/).');
}

/** Puts parked work into a clean worktree: HEAD as it was (detached), the files, and what was staged. */
export async function restoreInto(worktree: string, commit: string): Promise<void> {
  await runGit(worktree, ['checkout', '--quiet', '--detach', `${commit}^1`]);
  await runGit(worktree, ['restore', `--source=${commit}`, '--worktree', '--', '.']);
  await runGit(worktree, ['restore', `--source=${commit}^2`, '--staged', '--', '.']);
}

/** Deletes the ref only if it still points where the caller saw it (no race with a re-park of the same name). */
export async function dropParked(repoDir: string, ref: string, commit: string): Promise<void> {
  await runGit(repoDir, ['update-ref', '-d', ref, commit]);
}
