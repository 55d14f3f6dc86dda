import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomId } from '../util/ids';
import { listWorktrees } from '../git/worktrees';
import { emptyState, RECOVERED_HOLDER, type PoolStateFile, type WorktreeRecord } from './state';

/**
 * Rebuilds the pool from what is on disk when state.json is unreadable (or missing while
 * worktrees exist): every worktree git knows under the pool root comes back leased to
 * "recovered: check before reuse", so nothing is handed out or reset until a person looked.
 */
export async function rebuildFromDisk(mainWorktree: string, root: string, now: Date): Promise<PoolStateFile> {
  const state = emptyState();
  const rootReal = await fs.realpath(root).catch(() => path.resolve(root));
  for (const entry of await listWorktrees(mainWorktree)) {
    if (entry.bare) continue;
    const real = await fs.realpath(entry.path).catch(() => entry.path);
    if (path.dirname(real) !== rootReal) continue;
    const name = path.basename(real);
    const record: WorktreeRecord = {
      name,
      path: real,
      root: rootReal,
      createdAt: now.toISOString(),
      head: null,
      lease: {
        leaseId: randomId(),
        holder: RECOVERED_HOLDER,
        leasedAt: now.toISOString(),
        head: entry.head ?? '',
        recovered: true,
      },
      reservation: null,
      claim: null,
      damaged: entry.prunable ? `folder is missing (${entry.prunable})` : null,
    };
    state.worktrees[name] = record;
  }
  return state;
}
