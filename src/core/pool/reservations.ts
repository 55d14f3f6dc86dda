import { GroveError } from '../errors';
import { checkoutDetached, inspectWork, readHead } from '../git/worktreeState';
import { identifySelf } from '../util/liveness';
import { toLease, type PoolCore } from './core';
import { validateHolder, validateName } from './names';
import { claimForUse, ownPick, readyPick, refuseFull } from './pick';
import { checkLeaseIdFormat, errorText, refuseWork } from './refusals';
import type { Lease, Reservation, ReserveOptions } from './types';
import { randomId } from '../util/ids';
import { makeReady } from '../ready/prepare';
import { keepNotReady } from '../ready/leaseHooks';

/**
 * Reservations, for the engine: a short-lived hold on a worktree by this live process while a
 * task runs in it (heal clears it when the process dies), ended by `releaseReservation`, which
 * keeps any work the task left under a durable lease.
 */
export async function reserveWorktree(core: PoolCore, options: ReserveOptions): Promise<Reservation> {
  const owner = options.owner?.trim();
  if (!owner) throw new GroveError('usage', 'a reservation needs an owner (e.g. "slot-2")');
  if (options.leaseId !== undefined) checkLeaseIdFormat(options.leaseId);
  if (options.worktree !== undefined) return reserveNamed(core, owner, validateName(options.worktree), options);
  // Resolved while the lock is awaited: it is on the path of every task.
  const basePromise = core.resolveBase(options.base);
  basePromise.catch(() => undefined); // awaited below; an early failure must not go unhandled meanwhile
  const identity = await identifySelf();
  const reset = options.reset !== false;
  const skipped = new Map<string, string>();
  for (;;) {
    // A reused worktree is reserved in this same locked step (no separate claim to clear
    // afterwards): the reservation keeps everyone else off it while it is checked and reset.
    const pick = await core.mutate(async (state) => claimForUse(core, state, 'reserve', identity, skipped, undefined, owner));
    if (pick.kind === 'full') return refuseFull(core, pick.detail, skipped, basePromise);
    if (pick.kind !== 'reuse' && pick.kind !== 'create') continue;
    const prepared = await readyPick(core, pick, basePromise, reset, skipped);
    if (!prepared) continue;
    // ready/: setup or refresh first; a worktree that fails it is kept leased, never used half-ready.
    const ready = reset ? await makeReady(core.ready, { name: pick.name, path: pick.path, commit: prepared.head, created: pick.kind === 'create' }) : null;
    if (ready?.failure) throw await keepNotReady(core, pick, owner, prepared.head, ready);
    if (pick.reservation && pick.reservation.head === prepared.head) {
      return { name: pick.name, path: pick.path, reservationId: pick.reservation.reservationId, owner, head: prepared.head };
    }
    // A new worktree, or HEAD is not where the reservation said (the base moved, or no reset):
    // one more locked step records where the task starts.
    return core.mutate(async (state) => {
      const record = ownPick(core, state, pick);
      record.claim = null;
      record.head = prepared.head;
      if (record.reservation) {
        record.reservation.head = prepared.head;
        return { name: record.name, path: record.path, reservationId: record.reservation.reservationId, owner, head: prepared.head };
      }
      return core.reserve(record, owner, identity, prepared.head);
    });
  }
}

/** A named worktree: an unleased one, or a leased one when `leaseId` is that lease's. */
async function reserveNamed(core: PoolCore, owner: string, name: string, options: ReserveOptions): Promise<Reservation> {
  const reset = options.reset === true;
  const identity = await identifySelf();
  const token = randomId();
  const checkable = await core.mutate(async (state) => {
    const record = state.worktrees[name];
    if (!record) throw new GroveError('usage', `no worktree named ${name} in the pool`, 'See `grove status` for the names.');
    core.refuseIfBusy(record);
    if (record.reservation) {
      throw new GroveError('unavailable', `${name} is reserved by ${record.reservation.owner}`, 'Wait for that task to finish.');
    }
    if (record.damaged) throw new GroveError('refused', `${name} is damaged: ${record.damaged}`, `Destroy it: grove destroy ${name}`);
    if (record.lease && record.lease.leaseId !== options.leaseId) {
      throw new GroveError('refused', `${name} is leased by ${record.lease.holder}`,
        options.leaseId ? 'The lease id given is not that lease\'s: the lease ended.' : 'Pass that lease\'s id to work inside it.');
    }
    if (!record.lease && options.leaseId !== undefined) {
      throw new GroveError('refused', `${name} is no longer leased under ${options.leaseId}`, 'The lease ended; nothing was changed.');
    }
    core.claim(record, 'reserve', token, identity);
    return { path: record.path, knownHead: record.lease?.recovered ? null : record.lease?.head ?? record.head };
  });
  const head = await core.whileClaimed(name, token, `could not reserve ${name}`, async () => {
    if (!reset) return (await readHead(checkable.path)).head;
    const base = await core.resolveBase(options.base);
    const work = await inspectWork(checkable.path, checkable.knownHead);
    if (work.hasWork) throw refuseWork(name, work, 'reset');
    if (work.branch !== null || work.head !== base.commit) await checkoutDetached(checkable.path, base.commit);
    return base.commit;
  });
  return core.mutate(async (state) => {
    const record = core.ownClaim(state, name, token);
    record.claim = null;
    if (reset && !record.lease) record.head = head;
    return core.reserve(record, owner, identity, head);
  });
}

/**
 * Ends a reservation. Work left in the worktree (changes, untracked files, HEAD moved) is
 * kept: the worktree becomes a durable lease of `holderIfWorkLeft` unless already leased.
 */
export async function releaseReservation(core: PoolCore, options: { name: string; reservationId: string; holderIfWorkLeft: string }): Promise<{ lease: Lease | null }> {
  const name = validateName(options.name);
  const holder = validateHolder(options.holderIfWorkLeft);
  const current = await core.readOnly();
  const record = current.worktrees[name];
  if (!record?.reservation || record.reservation.reservationId !== options.reservationId) {
    core.logger.warn(`release: ${name} has no reservation ${options.reservationId} (already released?)`);
    return { lease: record?.lease ? toLease(record, true) : null };
  }
  const reservedAt = record.reservation.head;
  let workLeft = true;
  let headNow: string | null = null;
  // Inside a lease the work stays with the lease whatever it is: no need to look.
  if (!record.lease) {
    try {
      const work = await inspectWork(record.path, reservedAt, { readOnly: true });
      headNow = work.head;
      workLeft = work.hasWork || work.head !== reservedAt;
    } catch (error) {
      // Cannot look: keep it held rather than hand out what may be work.
      core.logger.warn(`release: cannot inspect ${name} (${errorText(error)}); keeping it leased`);
    }
  }
  return core.mutate(async (state) => {
    const live = state.worktrees[name];
    if (!live?.reservation || live.reservation.reservationId !== options.reservationId) {
      return { lease: live?.lease ? toLease(live, true) : null };
    }
    live.reservation = null;
    if (live.lease) return { lease: toLease(live, true) };
    if (workLeft) {
      live.lease = { leaseId: randomId(), holder, leasedAt: core.now().toISOString(), head: reservedAt };
      core.logger.info(`release: ${name} has work left; leased to ${holder}`);
      return { lease: toLease(live, true) };
    }
    if (headNow) live.head = headNow;
    return { lease: null };
  });
}
