import { inspectWork } from '../git/worktreeState';
import { randomId } from '../util/ids';
import { identifySelf } from '../util/liveness';
import { toLease, type PoolCore } from './core';
import { validateHolder, validateName } from './names';
import { errorText } from './refusals';
import type { Lease } from './types';

export type OrphanedWorkOutcome =
  | { kind: 'leased'; lease: Lease }
  | { kind: 'clean' }
  /** Already under a lease: the work stays with it. */
  | { kind: 'kept'; lease: Lease }
  /** A live process holds it (a reservation or an operation in progress): ask again later. */
  | { kind: 'held' }
  /** Not in the pool any more, or damaged: nothing to keep here. */
  | { kind: 'gone' };

/**
 * The keep-the-work rule of `releaseReservation`, for a task whose engine died: its
 * reservation went with it (heal cleared it), so the worktree sits unleased. Work left in it
 * (changes, untracked files, commits on no branch, or HEAD moved from `startHead`) becomes a
 * durable lease of `holder`; a clean worktree stays in the pool.
 */
export async function keepOrphanedWork(core: PoolCore, o: { name: string; holder: string; startHead: string | null }): Promise<OrphanedWorkOutcome> {
  const name = validateName(o.name);
  const holder = validateHolder(o.holder);
  const identity = await identifySelf();
  const token = randomId();
  const look = await core.mutate(async (state) => {
    const record = state.worktrees[name];
    if (!record || record.damaged) return { kind: 'gone' as const };
    if (record.lease) return { kind: 'kept' as const, lease: toLease(record, true) };
    if (record.reservation || record.claim) return { kind: 'held' as const };
    // Claimed while git looks, so nobody leases or resets it meanwhile.
    core.claim(record, 'reserve', token, identity);
    return { kind: 'look' as const, path: record.path, startHead: o.startHead ?? record.head };
  });
  if (look.kind !== 'look') return look;
  let workLeft = true;
  let headNow: string | null = null;
  try {
    const work = await inspectWork(look.path, look.startHead, { readOnly: true });
    headNow = work.head;
    workLeft = work.hasWork || (look.startHead !== null && work.head !== look.startHead);
  } catch (error) {
    // Cannot look: keep it held rather than hand out what may be work.
    core.logger.warn(`${name}: cannot inspect it (${errorText(error)}); keeping it leased to ${holder}`);
  }
  return core.mutate(async (state) => {
    const record = core.ownClaim(state, name, token);
    record.claim = null;
    if (record.lease) return { kind: 'kept', lease: toLease(record, true) };
    if (!workLeft) {
      if (headNow) record.head = headNow;
      return { kind: 'clean' };
    }
    record.lease = { leaseId: randomId(), holder, leasedAt: core.now().toISOString(), head: look.startHead ?? headNow ?? '' };
    // Without a known start, only refs tell the task's commits apart.
    if (look.startHead === null) record.lease.recovered = true;
    core.logger.info(`${name}: a task whose engine is gone left work in it; leased to ${holder}`);
    return { kind: 'leased', lease: toLease(record, true) };
  });
}
