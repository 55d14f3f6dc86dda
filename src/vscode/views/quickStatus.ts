import type { WorktreeStatus } from '../../core/pool/pool';
import { classify } from '../../core/pool/classify';
import { readState, type WorktreeRecord } from '../../core/pool/state';

/**
 * The tree's fast path: rows straight from `state.json` (one small file read, no lock, no git),
 * with what only git and /proc can tell (dirty, branch, processes) carried over from the last
 * full `WorktreePool.status()`. The full status follows in the background and corrects the rows.
 * With 200 worktrees the full status runs hundreds of git processes; this reads one file.
 * Returns null when the state file is unreadable (the full status then decides what to show).
 */
export async function quickStatuses(statePath: string, previous: ReadonlyMap<string, WorktreeStatus>): Promise<WorktreeStatus[] | null> {
  const loaded = await readState(statePath);
  if (loaded.kind === 'missing') return [];
  if (loaded.kind === 'corrupt') return null;
  return Object.values(loaded.state.worktrees).map((record) => fromRecord(record, previous.get(record.name)));
}

function fromRecord(record: WorktreeRecord, last: WorktreeStatus | undefined): WorktreeStatus {
  const known = last && last.path === record.path ? last : undefined;
  const base: WorktreeStatus = {
    name: record.name, path: record.path, state: 'available',
    holder: record.lease?.holder ?? null, leaseId: record.lease?.leaseId ?? null, leasedAt: record.lease?.leasedAt ?? null,
    head: known?.head ?? record.lease?.head ?? record.head, branch: known?.branch ?? null, dirty: known?.dirty ?? false,
    reservedBy: record.reservation?.owner ?? null, processes: known?.processes ?? [], reason: null,
  };
  const damaged = record.damaged ?? (known?.state === 'damaged' ? known.reason ?? 'damaged' : null);
  return { ...base, ...classify(record, { damaged, dirty: base.dirty, workReason: known?.dirty ? known.reason : null, processes: base.processes }) };
}
