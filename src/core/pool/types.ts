import type { Logger } from '../logger';
import type { RepositoryLocation } from '../git/repository';
import type { ReadyOptions } from '../ready/prepare';
import type { PortBlock } from '../ready/ports';
import type { WorktreeReadiness } from '../ready/status';
import type { DiskSuggestion } from '../ready/diskUsage';

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
  /** Ports, setup/refresh/teardown (src/core/ready). */
  ready?: ReadyOptions;
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
  /** The worktree's port block and the environment Grove gives everything run in it (src/core/ready). */
  ports?: PortBlock | null;
  env?: Record<string, string>;
  /** Things the holder should know (a port of its block taken by another process). */
  warnings?: string[];
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
  /** Over the disk budget (cached sizes): the available worktrees to prune first, biggest first. */
  disk?: DiskSuggestion | null;
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
  /** Ports, dependency fingerprint against the base, cached size (src/core/ready/status.ts). */
  ready?: WorktreeReadiness;
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
