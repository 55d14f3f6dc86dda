import { PoolCore } from './core';
import { destroyWorktree } from './destroy';
import { leaseWorktree } from './lease';
import { pruneWorktrees } from './prune';
import { releaseReservation, reserveWorktree } from './reservations';
import { returnWorktree } from './return';
import { leaseOf, poolStatus } from './status';
import { keepOrphanedWork, type OrphanedWorkOutcome } from './orphanWork';
import type { DestroyOutcome, Lease, PoolOptions, PruneOutcome, Reservation, ReserveOptions, ReturnOutcome, WorktreeStatus } from './types';

export {
  DEFAULT_MAX,
  type PoolOptions, type Lease, type ReturnOutcome, type DestroyOutcome, type PruneOutcome,
  type WorktreeState, type WorktreeStatus, type Reservation, type ReserveOptions,
} from './types';

/**
 * The warm worktree pool of one repository: the one object the CLI, the editor and the engine
 * use. Each operation lives in its own module (lease, return, destroy, prune, status,
 * reservations) over a shared core (core.ts: settings, the locked state access, claims).
 */
export class WorktreePool {
  private readonly core: PoolCore;

  constructor(options: PoolOptions) {
    this.core = new PoolCore(options);
  }

  get root(): string {
    return this.core.root;
  }

  get statePath(): string {
    return this.core.statePath;
  }

  get max(): number {
    return this.core.max;
  }

  lease(options: { holder: string; base?: string; prefer?: string }): Promise<Lease> {
    return leaseWorktree(this.core, options);
  }

  returnWorktree(target: string, options: { ifLeaseId?: string; force?: boolean } = {}): Promise<ReturnOutcome> {
    return returnWorktree(this.core, target, options);
  }

  destroy(target: string, options: { force?: boolean } = {}): Promise<DestroyOutcome> {
    return destroyWorktree(this.core, target, options);
  }

  prune(options: { yes?: boolean; keep?: number } = {}): Promise<PruneOutcome> {
    return pruneWorktrees(this.core, options);
  }

  status(): Promise<WorktreeStatus[]> {
    return poolStatus(this.core);
  }

  /** The lease a worktree is under, from the state file alone (no lock, no git). */
  leaseOf(name: string): Promise<Lease | null> {
    return leaseOf(this.core, name);
  }

  /** A short-lived hold by this live process (the engine while a task runs): heal clears it when the process dies. */
  reserve(options: ReserveOptions): Promise<Reservation> {
    return reserveWorktree(this.core, options);
  }

  /** Ends a reservation; work left in the worktree is kept under a lease of `holderIfWorkLeft` (unless already leased). */
  releaseReservation(options: { name: string; reservationId: string; holderIfWorkLeft: string }): Promise<{ lease: Lease | null }> {
    return releaseReservation(this.core, options);
  }

  /** The same keep-the-work rule, for a task whose engine (and so its reservation) died. */
  keepOrphanedWork(options: { name: string; holder: string; startHead: string | null }): Promise<OrphanedWorkOutcome> {
    return keepOrphanedWork(this.core, options);
  }
}
