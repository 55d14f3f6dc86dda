import type { Snapshot } from './snapshot';
import type { LandOptions, LandSource } from './types';

/** What every way of landing starts from: the inputs, the result's snapshot and where scratch files go. */
export interface LandContext {
  source: LandSource;
  options: LandOptions;
  /** The main worktree: every git call that is not about one particular checkout runs here. */
  repo: string;
  base: string;
  snapshot: Snapshot;
  scratchDir: string;
  now: Date;
}

/** The caller's last word before anything changes (see LandOptions.guard). */
export async function runGuard(context: LandContext): Promise<void> {
  if (context.options.guard) await context.options.guard(context.source);
}
