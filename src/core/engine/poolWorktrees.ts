import { isGroveError } from '../errors';
import type { WorkKeeper } from '../agents/runRegistry';
import type { WorktreePool } from '../pool/pool';
import type { ReservedWorktree, WorktreeProvider } from './ports';
import type { LeftWork } from './types';

/**
 * The engine's worktree provider on the real pool (src/core/pool), and the run registry's
 * keeper of work left by tasks whose engine died.
 */
export class PoolWorktrees implements WorktreeProvider, WorkKeeper {
  constructor(private readonly pool: WorktreePool) {}

  async reserve(o: { owner: string; worktree?: string; leaseId?: string }): Promise<ReservedWorktree> {
    const reservation = await this.pool.reserve({ owner: o.owner, worktree: o.worktree, leaseId: o.leaseId });
    return { name: reservation.name, path: reservation.path, reservationId: reservation.reservationId, head: reservation.head };
  }

  async release(o: { name: string; reservationId: string; holderIfWorkLeft: string }): Promise<LeftWork | null> {
    const { lease } = await this.pool.releaseReservation(o);
    return lease ? { name: lease.name, path: lease.path, leaseId: lease.leaseId, holder: lease.holder } : null;
  }

  async leaseIdOf(name: string): Promise<string | null> {
    return (await this.pool.leaseOf(name))?.leaseId ?? null;
  }

  async lease(o: { holder: string }): Promise<{ name: string; path: string; leaseId: string }> {
    const lease = await this.pool.lease({ holder: o.holder });
    return { name: lease.name, path: lease.path, leaseId: lease.leaseId };
  }

  async returnIfClean(o: { name: string; leaseId: string }): Promise<boolean> {
    try {
      await this.pool.returnWorktree(o.name, { ifLeaseId: o.leaseId });
      return true;
    } catch (error) {
      // The pool refuses to reset a worktree with work in it: that refusal is the answer here.
      if (isGroveError(error, 'refused')) return false;
      throw error;
    }
  }

  async keepWork(o: { runId: string; worktree: string; holder: string; head: string | null }): Promise<'done' | 'pending'> {
    const outcome = await this.pool.keepOrphanedWork({ name: o.worktree, holder: o.holder, startHead: o.head });
    return outcome.kind === 'held' ? 'pending' : 'done';
  }
}
