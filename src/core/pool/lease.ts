import { GroveError } from '../errors';
import { identifySelf } from '../util/liveness';
import { toLease, type PoolCore } from './core';
import { validateHolder } from './names';
import { claimForUse, ownPick, readyPick, refuseFull, type Pick } from './pick';
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
      if (own) return { kind: 'existing', lease: toLease(own, true) };
      const pending = Object.values(state.worktrees).some((record) => record.claim?.holder === holder);
      if (pending) return { kind: 'wait' };
      return claimForUse(core, state, 'lease', identity, skipped, holder, undefined, options.prefer, warm);
    });
    if (pick.kind === 'existing') {
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
    const lease = await core.mutate(async (state) => {
      const record = ownPick(core, state, pick);
      const leasedAt = core.now().toISOString();
      record.claim = null;
      record.head = prepared.head;
      record.lease = { leaseId: randomId(), holder, leasedAt, head: prepared.head };
      core.logger.info(`leased ${record.name} to ${holder} at ${prepared.head.slice(0, 12)}`);
      return toLease(record, pick.kind === 'reuse');
    });
    return withReadiness(core.ready, lease, ready);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
