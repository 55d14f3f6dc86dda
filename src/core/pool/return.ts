import { GroveError } from '../errors';
import { submodulesWithWork, untrackedRepositories } from '../git/nestedWork';
import { checkoutDetached, inspectWork } from '../git/worktreeState';
import { identifySelf } from '../util/liveness';
import { parkedOutcome, type PoolCore } from './core';
import { mergeParked, parkAndReset } from './resetForReuse';
import { provenPoolWorktree, refuseIfProcessesInside } from './ownWorktree';
import { targetAsPath } from './paths';
import { checkLeaseIdFormat, refuseNestedWork, refuseWork } from './refusals';
import type { ReturnOutcome } from './types';
import { randomId } from '../util/ids';

/**
 * Ends a lease and readies the worktree for reuse (detached at the commit it was leased at,
 * ignored files kept). Work in it refuses the return unless `force`, which parks it first.
 */
export async function returnWorktree(core: PoolCore, target: string, options: { ifLeaseId?: string; force?: boolean } = {}): Promise<ReturnOutcome> {
  if (options.ifLeaseId !== undefined) checkLeaseIdFormat(options.ifLeaseId);
  const targetPath = await targetAsPath(target);
  const identity = await identifySelf();
  const token = randomId();
  const claimed = await core.mutate(async (state) => {
    const record = core.findRecord(state, target, targetPath);
    if (!record.lease) {
      throw new GroveError('refused', `${record.name} is not leased: there is nothing to return`, 'See `grove status`; it may have been returned already.');
    }
    if (options.ifLeaseId !== undefined && record.lease.leaseId !== options.ifLeaseId) {
      throw new GroveError('refused', `${record.name} is leased under another lease id than ${options.ifLeaseId} (holder: ${record.lease.holder})`,
        'Your lease ended (returned, or destroyed and leased again); nothing was changed.');
    }
    core.refuseIfBusy(record);
    if (record.reservation) {
      throw new GroveError('refused', `${record.name} has a task running in it (${record.reservation.owner})`,
        'Wait for the task to finish or cancel it, then return the worktree.');
    }
    core.claim(record, 'return', token, identity);
    return { ...record, lease: { ...record.lease } };
  });
  const knownHead = claimed.lease.recovered ? null : claimed.lease.head;
  const { parked, resetTo } = await core.whileClaimed(claimed.name, token, `could not return ${claimed.name}`, async () => {
    const real = await provenPoolWorktree(core, claimed);
    if (real === null) {
      throw new GroveError('refused', `${claimed.name}'s folder ${claimed.path} is missing: it cannot be reset for reuse`,
        `Drop it from the pool with: grove destroy --force ${claimed.name}`);
    }
    const work = await inspectWork(real, knownHead, { stashes: { commonDir: core.repo.commonDir } });
    const resetTo = knownHead ?? work.head;
    if (work.hasWork) {
      if (!options.force) throw refuseWork(claimed.name, work, 'return');
      await refuseIfProcessesInside(claimed.name, real, 'return --force');
      const nested = [...await untrackedRepositories(real, work.changed), ...await submodulesWithWork(real, resetTo)];
      if (nested.length) throw refuseNestedWork(claimed.name, nested, 'return');
      return { parked: mergeParked(await parkAndReset(core, real, claimed.name, resetTo, work)), resetTo };
    }
    if (work.branch !== null || work.head !== resetTo) await checkoutDetached(real, resetTo);
    return { parked: undefined, resetTo };
  });
  await core.mutate(async (state) => {
    const record = core.ownClaim(state, claimed.name, token);
    record.claim = null;
    record.lease = null;
    record.head = resetTo;
  });
  core.logger.info(`returned ${claimed.name}${parked ? `; work parked under ${parked.ref}` : ''}`);
  return parkedOutcome(claimed, parked);
}
