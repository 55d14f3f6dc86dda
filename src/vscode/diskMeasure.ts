import type * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { WorktreePool } from '../core/pool/pool';

const FIRST_AFTER_MS = 60_000;
const EVERY_MS = 15 * 60_000;

/**
 * Measures the pool's worktree sizes a minute after the window opens and every 15 minutes
 * after, one worktree at a time, off every user action's path (a walk of node_modules takes
 * seconds). The Worktrees tooltip and prune's disk budget read the cache it writes.
 */
export function measureDiskPeriodically(pool: WorktreePool, logger: Logger, measured: () => Promise<unknown>): vscode.Disposable {
  let running = false;
  const measure = (): void => {
    if (running) return;
    running = true;
    pool.measureDisk().then(
      () => measured(),
      (error: unknown) => logger.warn(`could not measure worktree sizes: ${(error as Error).message}`),
    ).finally(() => (running = false));
  };
  const first = setTimeout(measure, FIRST_AFTER_MS);
  const every = setInterval(measure, EVERY_MS);
  first.unref?.();
  every.unref?.();
  return { dispose: () => { clearTimeout(first); clearInterval(every); } };
}

