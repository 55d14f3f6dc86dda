import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createUniqueRef, refTime } from './park';
import { gitOutput, runGit } from './run';
import { protectingRefs } from './protectingRefs';

/** A stash entry that holds work a return or destroy of its worktree would put at risk. */
export interface StashEntry {
  commit: string;
  /** `stash@{n}` as `git stash list` names it now. */
  selector: string;
  /** The commit it was made on (its first parent). */
  base: string;
  subject: string;
}

/**
 * The stash is shared by every worktree of the repository, so most entries are none of a
 * pool worktree's business: return and destroy leave the stash alone, and an entry made on a
 * branch stays as safe as the user's stash ever is. The entries at risk are the ones made on a
 * commit on no branch in this worktree (its base is HEAD or in this worktree's HEAD reflog,
 * and no protecting ref contains it): once the worktree is reset or removed, the stash entry is
 * the only thing keeping those commits, and `stash pop`, `stash drop` or reflog expiry then
 * lets gc delete them.
 */
export async function stashesAtRisk(worktree: string, commonDir: string): Promise<StashEntry[]> {
  if (!(await mayHaveStash(commonDir))) return [];
  const listed = await runGit(worktree, ['stash', 'list', '--format=%H%x1f%gd%x1f%P%x1f%gs'], { allowFailure: true });
  if (listed.code !== 0) return [];
  const entries = listed.stdout.split('\n').filter(Boolean).map((line) => {
    const [commit, selector, parents, subject] = line.split('\x1f');
    return { commit, selector, base: parents.split(' ')[0], subject };
  }).filter((entry) => /^[0-9a-f]{40,64}$/.test(entry.base));
  if (entries.length === 0) return [];
  const bases = [...new Set(entries.map((entry) => entry.base))];
  const onNoBranch = new Set((await gitOutput(worktree, ['rev-list', ...bases, '--not', ...protectingRefs()])).split('\n').filter(Boolean));
  const risky = entries.filter((entry) => onNoBranch.has(entry.base));
  if (risky.length === 0) return [];
  const seenHere = await headsSeenHere(worktree);
  return risky.filter((entry) => seenHere.has(entry.base));
}

/**
 * Whether the repository has a stash at all, from the files alone: on the path of every
 * return, and almost always there is none, which saves `git stash list` (two processes).
 * When it cannot be told (a reftable repository), git is asked.
 */
async function mayHaveStash(commonDir: string): Promise<boolean> {
  const present = (file: string) => fs.access(path.join(commonDir, file)).then(() => true, () => false);
  if (await present('reftable')) return true;
  if (await present('refs/stash') || await present('logs/refs/stash')) return true;
  const packed = await fs.readFile(path.join(commonDir, 'packed-refs'), 'utf8').catch(() => '');
  return packed.includes(' refs/stash\n');
}

/** HEAD and every commit this worktree's HEAD reflog (which is per worktree) has pointed at. */
async function headsSeenHere(worktree: string): Promise<Set<string>> {
  const head = await gitOutput(worktree, ['rev-parse', 'HEAD']);
  const reflog = await runGit(worktree, ['log', '-g', '--format=%H', 'HEAD', '--'], { allowFailure: true });
  return new Set([head, ...(reflog.code === 0 ? reflog.stdout.split('\n').filter(Boolean) : [])]);
}

/**
 * Keeps each entry (and so the commit on no branch it was made on) reachable under
 * `refs/grove/parked/<name>/<time>-stash-<n>`. The stash itself is left as it is.
 */
export async function parkStashes(worktree: string, name: string, now: Date, entries: StashEntry[]): Promise<{ refs: string[]; restoreHint: string }> {
  const refs: string[] = [];
  for (const [index, entry] of entries.entries()) {
    refs.push(await createUniqueRef(worktree, `refs/grove/parked/${name}/${refTime(now)}-stash-${index + 1}`, entry.commit));
  }
  const lines = [`Stash entries made on commits on no branch, parked (the stash itself is unchanged):`];
  for (const [index, entry] of entries.entries()) {
    lines.push(`  git stash apply ${refs[index]}    # was ${entry.selector}: ${entry.subject}`);
  }
  lines.push(`  Each was made on the commit <ref>^1 (git switch -c NAME <ref>^1 puts it on a branch, then apply there).`);
  return { refs, restoreHint: lines.join('\n') };
}
