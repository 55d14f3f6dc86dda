import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import type { ParkedWork } from '../git/park';
import { pruneWorktreeRegistrations, removeWorktree } from '../git/worktrees';
import { inspectWork, type WorkInspection } from '../git/worktreeState';
import { identifySelf } from '../util/liveness';
import { parkedOutcome, type PoolCore } from './core';
import { targetAsPath } from './paths';
import { errorText, refuseWork } from './refusals';
import type { WorktreeRecord } from './state';
import type { DestroyOutcome } from './types';
import { randomId } from '../util/ids';

/** Removes a worktree from the pool and the disk; leased, reserved or unparked work only with `force` (parked first). */
export async function destroyWorktree(core: PoolCore, target: string, options: { force?: boolean; ifLeaseId?: string } = {}): Promise<DestroyOutcome> {
  const targetPath = await targetAsPath(target);
  const identity = await identifySelf();
  const token = randomId();
  const claimed = await core.mutate(async (state) => {
    const record = core.findRecord(state, target, targetPath);
    core.refuseIfBusy(record);
    if (options.ifLeaseId !== undefined && record.lease?.leaseId !== options.ifLeaseId) {
      throw new GroveError('refused', `${record.name} is no longer under lease ${options.ifLeaseId} (now: ${record.lease ? `leased to ${record.lease.holder}` : 'not leased'})`,
        'The lease changed since you looked; nothing was destroyed. Look again and decide.');
    }
    if (!options.force) {
      if (record.lease) {
        throw new GroveError('refused', `${record.name} is leased by ${record.lease.holder} (since ${record.lease.leasedAt})`,
          `Return it first (grove return ${record.name}), or pass --force to destroy it anyway (any work is parked first).`);
      }
      if (record.reservation) {
        throw new GroveError('refused', `${record.name} has a task running in it (${record.reservation.owner})`,
          'Wait for the task or cancel it, or pass --force (any work is parked first).');
      }
    }
    core.claim(record, 'destroy', token, identity);
    return { ...record };
  });
  const parked = await core.whileClaimed(claimed.name, token, `could not destroy ${claimed.name}`, () => removeFromDisk(core, claimed, options.force === true));
  await core.mutate(async (state) => {
    core.ownClaim(state, claimed.name, token);
    delete state.worktrees[claimed.name];
  });
  core.logger.info(`destroyed ${claimed.name}${parked ? `; work parked under ${parked.ref}` : ''}`);
  return parkedOutcome(claimed, parked);
}

/**
 * Removes a claimed worktree's folder and registration, after making sure it is inside the
 * pool root (real paths: a symlink never leads it elsewhere) and holds no unparked work.
 */
export async function removeFromDisk(core: PoolCore, record: WorktreeRecord, force: boolean): Promise<ParkedWork | undefined> {
  const mainWorktree = core.repo.mainWorktree;
  const real = await fs.realpath(record.path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (real === null) {
    await pruneWorktreeRegistrations(mainWorktree);
    return undefined;
  }
  const rootReal = await fs.realpath(record.root).catch(() => record.root);
  if (path.dirname(real) !== rootReal || path.basename(real) !== record.name) {
    throw new GroveError('refused', `${record.name} resolves to ${real}, which is not a folder of the pool root ${rootReal}; not removing it`,
      'Grove only removes its own worktrees. Look at that folder and remove it yourself if it is junk.');
  }
  let parked: ParkedWork | undefined;
  if (!record.incomplete) {
    const knownHead = record.lease?.recovered ? null : record.lease?.head ?? record.reservation?.head ?? record.head;
    let work: WorkInspection;
    try {
      work = await inspectWork(real, knownHead);
    } catch (error) {
      throw new GroveError('refused', `git cannot read ${record.name} (${errorText(error)}); not removing what might be work`,
        `Look at ${real}, save what you need, and remove it with: git worktree remove --force ${real}`);
    }
    if (work.hasWork) {
      if (!force) throw refuseWork(record.name, work, 'destroy');
      parked = await core.park(real, record.name);
    }
  }
  try {
    await removeWorktree(mainWorktree, real);
  } catch (error) {
    // An interrupted creation may have left a folder git never registered: it is ours and empty of work.
    if (!record.incomplete) throw error;
    await fs.rm(real, { recursive: true, force: true });
    await pruneWorktreeRegistrations(mainWorktree);
  }
  return parked;
}
