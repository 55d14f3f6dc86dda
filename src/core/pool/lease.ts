import { GroveError } from '../errors';
import { identifySelf, type ProcessIdentity } from '../util/liveness';
import { toLease, type PoolCore } from './core';
import { validateHolder } from './names';
import { addWorktreeSerially, claimForUse, ownPick, readyPick, refuseFull, type Pick, type UsablePick } from './pick';
import { exists } from './paths';
import { listWorktrees } from '../git/worktrees';
import type { Lease } from './types';
import { randomId } from '../util/ids';
import { makeReady } from '../ready/prepare';
import { warmWorktrees, withReadiness } from '../ready/leaseHooks';

const SAME_HOLDER_WAIT_MS = 100;
const SAME_HOLDER_WAIT_ROUNDS = 600;

/**
 * A durable lease for `holder`: its existing one (idempotent), else an available worktree
 * reset to the base, else a new one while the pool is below its maximum. `prefer` names the
 * available worktree to take first (the one a person picked); another is taken if it is not usable.
 */
export async function leaseWorktree(core: PoolCore, options: { holder: string; base?: string; prefer?: string }): Promise<Lease> {
  const holder = validateHolder(options.holder);
  // Resolved while the first claim is made: both are on the path of every `grove lease`.
  const basePromise = core.resolveBase(options.base);
  basePromise.catch(() => undefined); // awaited below; an early failure must not go unhandled meanwhile
  const [identity, warm] = await Promise.all([identifySelf(), warmWorktrees(core.ready, basePromise)]); // ready/: prefer matching fingerprints
  const skipped = new Map<string, string>();
  for (let round = 0; ; round++) {
    const pick = await core.mutate(async (state): Promise<Pick> => {
      const own = Object.values(state.worktrees).find((record) => record.lease?.holder === holder);
      if (own) return own.claim ? { kind: 'wait' } : { kind: 'existing', lease: toLease(own, true) };
      const pending = Object.values(state.worktrees).some((record) => record.claim?.holder === holder);
      if (pending) return { kind: 'wait' };
      return claimForUse(core, state, 'lease', identity, skipped, holder, undefined, options.prefer, warm);
    });
    if (pick.kind === 'existing') {
      if (!(await exists(pick.lease.path))) return recreateLeased(core, pick.lease, identity);
      core.logger.info(`${holder} already holds ${pick.lease.name}; returning that lease`);
      return withReadiness(core.ready, pick.lease, null);
    }
    if (pick.kind === 'wait') {
      if (round >= SAME_HOLDER_WAIT_ROUNDS) throw new GroveError('unavailable', `another process is still leasing a worktree for ${holder}`, 'Retry in a moment.');
      await sleep(SAME_HOLDER_WAIT_MS);
      continue;
    }
    if (pick.kind === 'full') return refuseFull(core, pick.detail, skipped, basePromise);
    const prepared = await readyPick(core, pick, basePromise, true, skipped);
    if (!prepared) continue;
    // ready/: setup (new) or refresh (stale fingerprint), ports; a failure still leases it (below), then throws.
    const ready = await makeReady(core.ready, { name: pick.name, path: pick.path, commit: prepared.head, created: pick.kind === 'create' });
    const lease = await finishLease(core, pick, holder, prepared.head);
    return withReadiness(core.ready, lease, ready);
  }
}

/** Records the lease on the prepared pick. If that fails (the lock was lost), the claim is given back rather than left to heal. */
async function finishLease(core: PoolCore, pick: UsablePick, holder: string, head: string): Promise<Lease> {
  try {
    return await core.mutate(async (state) => {
      const record = ownPick(core, state, pick);
      const leasedAt = core.now().toISOString();
      record.claim = null;
      record.head = head;
      record.lease = { leaseId: randomId(), holder, leasedAt, head };
      core.logger.info(`leased ${record.name} to ${holder} at ${head.slice(0, 12)}`);
      return toLease(record, pick.kind === 'reuse');
    });
  } catch (error) {
    await core.releaseClaim(pick.name, pick.token).catch(() => undefined);
    throw error;
  }
}

/**
 * The holder asks again for a lease whose folder was deleted by hand. The lease is durable and
 * the holder wants its worktree, so it is made again where it was (refusing would only send
 * them through return and lease for the same result): at the commit git last had checked out
 * there, so commits the holder made stay reachable, else at the lease's base. Uncommitted work
 * went with the folder; that is said.
 */
async function recreateLeased(core: PoolCore, lease: Lease, identity: ProcessIdentity): Promise<Lease> {
  const token = randomId();
  const claimed = await core.mutate(async (state) => {
    const record = state.worktrees[lease.name];
    if (record?.lease?.leaseId !== lease.leaseId || record.claim) return false;
    core.claim(record, 'lease', token, identity, lease.holder);
    return true;
  });
  if (!claimed) throw new GroveError('unavailable', `${lease.name} is being worked on by another grove process`, 'Retry in a moment.');
  await core.whileClaimed(lease.name, token, `could not re-create ${lease.name} at ${lease.path}`, async () => {
    if (await exists(lease.path)) return;
    const registered = (await listWorktrees(core.repo.mainWorktree)).find((entry) => entry.path === lease.path);
    const head = registered?.head ?? lease.head;
    await addWorktreeSerially(core, lease.path, head, registered !== undefined);
    core.logger.warn(`${lease.name}: its folder had been deleted; re-created it at ${head.slice(0, 12)} for ${lease.holder} (uncommitted changes in the deleted folder are gone)`);
  });
  await core.releaseClaim(lease.name, token);
  return lease;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
