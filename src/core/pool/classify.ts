import type { WorktreeRecord } from './state';
import type { WorktreeState } from './types';

/** What only a look at the disk tells about a worktree (git status, /proc), as far as it is known. */
export interface WorktreeFacts {
  damaged: string | null;
  dirty: boolean;
  /** What the uncommitted work is, when there is some. */
  workReason: string | null;
  processes: number[];
}

/**
 * A worktree's state from its record and what is known about its disk, in one order of
 * precedence for every reader (the pool's full status and the editor's quick rows):
 * damaged, then busy with a claim or a task, leased, dirty, busy with a process inside, available.
 */
export function classify(record: WorktreeRecord, facts: WorktreeFacts): { state: WorktreeState; reason: string | null } {
  if (facts.damaged) return { state: 'damaged', reason: facts.damaged };
  if (record.claim) return { state: 'busy', reason: `${record.claim.op} in progress (pid ${record.claim.identity.pid})` };
  if (record.reservation) return { state: 'busy', reason: `task running (${record.reservation.owner})` };
  if (record.lease) return { state: 'leased', reason: facts.workReason };
  if (facts.dirty) return { state: 'dirty', reason: facts.workReason };
  if (facts.processes.length > 0) return { state: 'busy', reason: `processes inside: ${facts.processes.join(', ')}` };
  return { state: 'available', reason: facts.workReason };
}
