import { GroveError } from '../errors';
import { listWorktrees, pruneWorktreeRegistrations } from '../git/worktrees';
import { ignoredWork } from '../git/ignoredFiles';
import { submodulesWithWork } from '../git/nestedWork';
import { inspectWork } from '../git/worktreeState';
import { identifySelf } from '../util/liveness';
import { byName, type PoolCore } from './core';
import { removeFromDisk } from './destroy';
import { exists, realOrSelf } from './paths';
import { processesInside } from './processes';
import { errorText } from './refusals';
import type { WorktreeRecord } from './state';
import type { PruneOutcome } from './types';
import { randomId } from '../util/ids';

/**
 * Removes available, clean worktrees beyond `keep`, and git's stale worktree registrations.
 * A dry run (the default) only says what it would remove.
 */
export async function pruneWorktrees(core: PoolCore, options: { yes?: boolean; keep?: number } = {}): Promise<PruneOutcome> {
  const keep = options.keep ?? 0;
  if (!Number.isSafeInteger(keep) || keep < 0) throw new GroveError('usage', `--keep expects a whole number of 0 or more, got ${keep}`);
  const dryRun = !options.yes;
  const identity = await identifySelf();
  const token = randomId();
  // Claimed (for a real prune) so that nobody leases one while it is checked and removed.
  const candidates = await core.mutate(async (state) => {
    const idle = Object.values(state.worktrees)
      .filter((record) => !record.lease && !record.reservation && !record.claim)
      .sort(byName);
    if (!dryRun) for (const record of idle) core.claim(record, 'destroy', token, identity);
    return idle.map((record) => ({ ...record }));
  });
  const mainWorktree = core.repo.mainWorktree;
  const stale = (await listWorktrees(mainWorktree)).filter((entry) => entry.prunable !== null).map((entry) => entry.path);
  const doomed: WorktreeRecord[] = [];
  const keptClean: string[] = [];
  const reals = await Promise.all(candidates.map((record) => realOrSelf(record.path)));
  const processes = await processesInside(reals);
  for (const [index, record] of candidates.entries()) {
    if (record.incomplete || !(await exists(record.path))) {
      doomed.push(record);
      continue;
    }
    if (record.damaged) continue;
    if ((processes.get(reals[index]) ?? []).length > 0) continue;
    const work = await inspectWork(record.path, record.head, { readOnly: dryRun, stashes: { commonDir: core.repo.commonDir } }).catch(() => null);
    if (!work || work.hasWork || (await holdsMore(core, reals[index]))) continue;
    if (keptClean.length < keep) keptClean.push(record.name);
    else doomed.push(record);
  }
  const removed: string[] = [];
  if (!dryRun) {
    for (const record of doomed) {
      try {
        await removeFromDisk(core, record, false);
        removed.push(record.name);
      } catch (error) {
        core.logger.warn(`prune: kept ${record.name}: ${errorText(error)}`);
      }
    }
    if (stale.length > 0) await pruneWorktreeRegistrations(mainWorktree);
    await core.mutate(async (state) => {
      for (const record of candidates) {
        const current = state.worktrees[record.name];
        if (current?.claim?.token !== token) continue;
        if (removed.includes(record.name)) delete state.worktrees[record.name];
        else current.claim = null;
      }
    });
  }
  return { removed, wouldRemove: doomed.map((record) => record.name), staleRegistrations: stale, dryRun };
}

/** What a clean git status does not show but a removal would lose: ignored files that are work, submodules holding work. */
async function holdsMore(core: PoolCore, worktree: string): Promise<boolean> {
  const found = await Promise.all([ignoredWork(worktree, core.repo.mainWorktree), submodulesWithWork(worktree)]).catch(() => null);
  return found === null || found.some((list) => list.length > 0);
}
