import { promises as fs } from 'node:fs';
import type { PoolCore } from '../pool/core';
import type { UsablePick } from '../pool/pick';
import type { Lease } from '../pool/types';
import { randomId } from '../util/ids';
import { commitReadiness } from './fingerprint';
import { notReadyError, type ReadyContext, type ReadyReport } from './prepare';
import { portBlock, worktreeEnv } from './ports';
import { readReadyRecord, readyDir } from './readyStore';

/**
 * The few things the pool's lease path asks of src/core/ready, kept here so the lease code
 * holds one call per concern.
 */

/**
 * The names of worktrees whose dependencies already match the base (a lease takes one of
 * these first: nothing to refresh). Best effort: any failure means "no preference".
 */
export async function warmWorktrees(ctx: ReadyContext, base: Promise<{ commit: string }>): Promise<ReadonlySet<string>> {
  try {
    const dir = readyDir(ctx.groveDir);
    const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -5));
    if (names.length === 0) return new Set();
    const records = await Promise.all(names.map((name) => readReadyRecord(ctx.groveDir, name)));
    // All alike (the steady state): no preference to make, and no reason to wait for the base
    // here, which the lease otherwise resolves while it takes the lock.
    if (new Set(records.map((record) => record.fingerprint)).size <= 1) return new Set();
    const readiness = await commitReadiness(ctx.mainWorktree, dir, (await base).commit);
    return new Set(records.filter((record) => record.fingerprint === readiness.fingerprint).map((record) => record.name));
  } catch {
    return new Set();
  }
}

/**
 * The lease as handed out: with its ports and environment. When making it ready failed, the
 * lease stays recorded for its holder (to look at the log and return it) and this throws.
 */
export function withReadiness(ctx: ReadyContext, lease: Lease, report: ReadyReport | null): Lease {
  if (report?.failure) throw notReadyError(report, lease.holder);
  const ports = report?.ports ?? portBlock(lease.name, ctx.options.ports);
  return { ...lease, ports, env: report?.env ?? worktreeEnv(lease.name, ports), warnings: report?.warnings ?? [] };
}

/**
 * A reservation (a task's worktree) that could not be made ready: it becomes a durable lease
 * of a holder that says so, so nobody gets it half-ready and a person can read the log.
 * Returns the error to throw.
 */
export async function keepNotReady(core: PoolCore, pick: UsablePick, owner: string, head: string, report: ReadyReport): Promise<Error> {
  const holder = `grove:${owner} (not ready: see ${report.log})`;
  await core.mutate(async (state) => {
    const record = state.worktrees[pick.name];
    if (!record) return;
    const ours = pick.reservation ? record.reservation?.reservationId === pick.reservation.reservationId : record.claim?.token === pick.token;
    if (!ours) return;
    record.claim = null;
    record.reservation = null;
    record.head = head;
    record.lease = { leaseId: randomId(), holder, leasedAt: core.now().toISOString(), head };
  });
  return notReadyError(report, holder);
}
