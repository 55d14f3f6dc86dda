import type { TaskSnapshot } from '../../core/engine/types';
import type { SlotRow } from './slotsView';

/** What a slot row shows of memory: its agent's resident memory, or (idle) that the queue waits for memory. */
export function slotReadiness(runId: string | null, state: string, memory: { of(runId: string | null): number | null }, tasks: Iterable<TaskSnapshot>): Pick<SlotRow, 'residentBytes' | 'waiting'> {
  if (state !== 'idle') return { residentBytes: memory.of(runId), waiting: null };
  for (const task of tasks) if (task.status === 'queued' && task.waitingFor) return { residentBytes: null, waiting: task.waitingFor };
  return { residentBytes: null, waiting: null };
}
