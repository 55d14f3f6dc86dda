import * as path from 'node:path';
import { parkWork, type ParkedWork } from '../git/park';
import { parkStashes } from '../git/stashes';
import type { WorkInspection } from '../git/worktreeState';
import type { PoolCore } from './core';

/**
 * Parks everything `work` found before a worktree is reset or removed: the working tree, index
 * and HEAD (when there are changes or commits on no branch; untracked nested repositories, parked
 * on their own, left out), and each stash entry at risk.
 * Returns one outcome whose ref is the main parked ref (or the first stash one) and whose hint
 * says how to get all of it back; undefined when there was nothing to park.
 */
export async function parkAll(core: PoolCore, worktree: string, name: string, work: WorkInspection, untrackedRepositories: string[] = []): Promise<ParkedWork | undefined> {
  const main = work.changed.length > 0 || work.unparkedCommits > 0
    ? await parkWork(worktree, name, core.now(), path.join(core.repo.groveDir, 'tmp'), untrackedRepositories)
    : undefined;
  // Info, not a warning: every caller reports the parked ref itself (return's and destroy's restore
  // hint, discard's note), and land drops it again when it holds exactly what landed.
  if (main) core.logger.info(`${name}: work parked under ${main.ref}`);
  if (work.stashes.length === 0) return main;
  const stashes = await parkStashes(worktree, name, core.now(), work.stashes);
  core.logger.info(`${name}: ${stashes.refs.length} stash entr${stashes.refs.length === 1 ? 'y' : 'ies'} on commits on no branch parked under ${stashes.refs.join(', ')}`);
  if (main) return { ...main, restoreHint: `${main.restoreHint}\n${stashes.restoreHint}` };
  return { ref: stashes.refs[0], commit: work.stashes[0].commit, head: work.head, branch: work.branch, restoreHint: stashes.restoreHint };
}
