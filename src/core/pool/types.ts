import type { Logger } from '../logger';
import type { RepositoryLocation } from '../git/repository';

/** The pool's public shapes (see contracts.md): what its operations take and return. */

export const DEFAULT_MAX = 8;

export interface PoolOptions {
  repo: RepositoryLocation;
  /** Where worktrees are made; default `<mainWorktree>.grove`, a sibling of the repository. */
  root?: string;
  /** The most worktrees the pool makes; default 8. */
  max?: number;
  logger?: Logger;
  now?: () => Date;
  /** Runs in each newly created worktree before it is handed out (the editor's post-create hook). */
  postCreate?: (worktreePath: string) => Promise<void>;
}

export interface Lease {
  name: string;
  path: string;
  leaseId: string;
  holder: string;
  leasedAt: string;
  head: string;
  /** False when this call created the worktree; true when it existed before. */
  reused: boolean;
}

export interface ReturnOutcome {
  name: string;
  path: string;
  parkedRef?: string;
  restoreHint?: string;
  /** Where a forced destroy saved ignored files that were work (`.env`, local config). */
  ignoredSavedTo?: string;
}

export type DestroyOutcome = ReturnOutcome;

export interface PruneOutcome {
  removed: string[];
  wouldRemove: string[];
  staleRegistrations: string[];
  dryRun: boolean;
}

export type WorktreeState = 'available' | 'leased' | 'busy' | 'dirty' | 'damaged';

export interface WorktreeStatus {
  name: string;
  path: string;
  state: WorktreeState;
  holder: string | null;
  leaseId: string | null;
  leasedAt: string | null;
  head: string | null;
  branch: string | null;
  dirty: boolean;
  reservedBy: string | null;
  processes: number[];
  /** Why the worktree is damaged, busy or dirty, in words; null when available or plainly leased. */
  reason: string | null;
}

export interface Reservation {
  name: string;
  path: string;
  reservationId: string;
  owner: string;
  head: string;
}

export interface ReserveOptions {
  owner: string;
  base?: string;
  worktree?: string;
  leaseId?: string;
  reset?: boolean;
}
