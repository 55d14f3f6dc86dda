import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomId } from '../util/ids';
import { listWorktrees, type WorktreeListEntry } from '../git/worktrees';
import { emptyState, RECOVERED_HOLDER, type PoolStateFile, type WorktreeRecord } from './state';

/**
 * Rebuilds the pool from what is on disk when state.json is unreadable (or missing while
 * worktrees exist): every worktree git knows under the pool root comes back leased to
 * "recovered: check before reuse", so nothing is handed out or reset until a person looked.
 */
export async function rebuildFromDisk(mainWorktree: string, root: string, now: Date): Promise<PoolStateFile> {
  const state = emptyState();
  await adoptListed(state, mainWorktree, root, now);
  return state;
}

/**
 * Adds, as recovered leases, the worktrees git lists under the pool root that the state does
 * not know (a state file replaced by an older or emptied one, records dropped as invalid).
 * Never reuses or removes them: a person decides. Returns the names adopted.
 */
export async function adoptListed(state: PoolStateFile, mainWorktree: string, root: string, now: Date): Promise<string[]> {
  const rootReal = await fs.realpath(root).catch(() => path.resolve(root));
  const adopted: string[] = [];
  for (const entry of await listWorktrees(mainWorktree)) {
    if (entry.bare) continue;
    const real = await fs.realpath(entry.path).catch(() => entry.path);
    if (path.dirname(real) !== rootReal) continue;
    const name = path.basename(real);
    if (state.worktrees[name]) continue;
    state.worktrees[name] = recoveredRecord(entry, name, real, rootReal, now);
    adopted.push(name);
  }
  return adopted;
}

/**
 * The cheap question asked on every locked read: are there folders under the root that the
 * state does not know? Only then is git asked (a process costs more than the whole rest of a
 * lease). Folders already found not to be worktrees are remembered, so a stray folder costs one look.
 */
const notWorktrees = new Set<string>();

export async function unknownFolders(state: PoolStateFile, root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return [];
  }
  return names.filter((name) => !state.worktrees[name] && !notWorktrees.has(path.join(root, name)));
}

export function rememberNotWorktrees(root: string, names: string[]): void {
  for (const name of names) notWorktrees.add(path.join(root, name));
}

function recoveredRecord(entry: WorktreeListEntry, name: string, real: string, rootReal: string, now: Date): WorktreeRecord {
  return {
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
}
