import { inspectWork } from '../git/worktreeState';
import { byName, toLease, type PoolCore } from './core';
import { validateName } from './names';
import { exists, realOrSelf } from './paths';
import { processesInside } from './processes';
import { classify } from './classify';
import { describeWork, errorText } from './refusals';
import type { WorktreeRecord } from './state';
import type { Lease, WorktreeStatus } from './types';
import { addReadiness } from '../ready/status';

/** Every worktree (or only those named) with its state, looked at on disk (git status in each, processes inside). */
export async function poolStatus(core: PoolCore, only?: readonly string[]): Promise<WorktreeStatus[]> {
  const state = await core.mutate(async (current) => structuredClone(current));
  const records = Object.values(state.worktrees).filter((record) => !only || only.includes(record.name)).sort(byName);
  const reals = await Promise.all(records.map((record) => realOrSelf(record.path)));
  const inside = await processesInside(reals);
  const rows = await Promise.all(records.map((record, index) => describe(record, inside.get(reals[index]) ?? [])));
  return addReadiness(core.ready, rows, core.resolveBase()); // ready/: ports, warm or stale, cached size
}

/**
 * The lease a worktree is under, from the state file alone (no lock, no git): for callers
 * that only need the lease id, where `poolStatus` would inspect every worktree.
 */
export async function leaseOf(core: PoolCore, name: string): Promise<Lease | null> {
  const record = (await core.readOnly()).worktrees[validateName(name)];
  return record?.lease ? toLease(record, true) : null;
}

async function describe(record: WorktreeRecord, processes: number[]): Promise<WorktreeStatus> {
  const base: WorktreeStatus = {
    name: record.name, path: record.path, state: 'available',
    holder: record.lease?.holder ?? null, leaseId: record.lease?.leaseId ?? null, leasedAt: record.lease?.leasedAt ?? null,
    head: null, branch: null, dirty: false, reservedBy: record.reservation?.owner ?? null, processes, reason: null,
  };
  let damaged = record.damaged;
  if (!damaged && !(await exists(record.path))) damaged = 'folder is missing';
  if (!damaged && record.claim?.op !== 'create') {
    try {
      const knownHead = record.lease?.recovered ? null : record.reservation?.head ?? record.lease?.head ?? record.head;
      const work = await inspectWork(record.path, knownHead, { readOnly: true });
      base.head = work.head;
      base.branch = work.branch;
      base.dirty = work.hasWork;
      if (work.hasWork) base.reason = describeWork(work);
    } catch (error) {
      damaged = `git cannot read it: ${errorText(error)}`;
    }
  }
  return { ...base, ...classify(record, { damaged, dirty: base.dirty, workReason: base.reason, processes }) };
}
