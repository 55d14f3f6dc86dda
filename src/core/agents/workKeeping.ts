import type { Logger } from '../logger';
import { isTerminal, type RunEntry } from './runFiles';

/**
 * Applies the keep-the-work rule to the worktree of a finished run whose engine is gone (the
 * pool lives elsewhere in core): 'done' when applied (or nothing to do), 'pending' when a live
 * process still holds the worktree (its own engine, most likely): ask again next time.
 */
export interface WorkKeeper {
  keepWork(o: { runId: string; worktree: string; holder: string; head: string | null }): Promise<'done' | 'pending'>;
}

/** What keeping needs from the registry. */
export interface WorkKeeping {
  keeper: WorkKeeper | undefined;
  logger: Logger;
  read(id: string): Promise<RunEntry | undefined>;
  markKept(id: string): Promise<void>;
}

/** A run in a pool worktree whose keep-the-work rule nobody has applied yet. */
export function needsWorkKept(entry: RunEntry): boolean {
  return !!entry.keepWork && !!entry.worktree && !entry.workKeptAt;
}

/**
 * The keep-the-work rule for finished runs whose engine is gone (the same rule a live engine
 * applies when it releases the worktree): work left stays leased to the run's holder, a clean
 * worktree goes back to the pool. A worktree someone still holds is looked at again next time.
 * Called outside the pool lock: the keeper takes it itself.
 */
export async function keepOrphanedWork(o: WorkKeeping, ids: string[]): Promise<void> {
  if (!o.keeper) return;
  for (const id of ids) {
    const entry = await o.read(id).catch(() => undefined);
    if (!entry || !isTerminal(entry) || !needsWorkKept(entry)) continue;
    try {
      const outcome = await o.keeper.keepWork({ runId: id, worktree: entry.worktree!, holder: entry.keepWork!.holder, head: entry.keepWork!.head });
      if (outcome === 'done') await o.markKept(id);
    } catch (error) {
      o.logger.warn(`run ${id}: could not look after the work in ${entry.worktree}: ${(error as Error).message}`);
    }
  }
}
