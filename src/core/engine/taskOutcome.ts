import { GroveError, isGroveError, type GroveErrorKind } from '../errors';
import type { AgentOutcome } from './ports';
import { TERMINAL_TASK_STATUSES, type TaskResult, type TaskSnapshot } from './types';

// How a task's end reads to the engine: from an agent's outcome, from an error, or an unknown id.
export function isTerminal(snapshot: TaskSnapshot): boolean {
  return TERMINAL_TASK_STATUSES.includes(snapshot.status);
}

export function unknownTask(taskId: string): GroveError {
  return new GroveError('usage', `no task ${taskId}`, 'Task ids come from submit; finished tasks are forgotten after a while.');
}

export function failure(error: unknown): { status: 'failed'; error: string; errorKind: GroveErrorKind; errorHint: string | null } {
  if (isGroveError(error)) return { status: 'failed', error: error.message, errorKind: error.kind, errorHint: error.hint ?? null };
  return { status: 'failed', error: (error as Error)?.message ?? String(error), errorKind: 'internal', errorHint: null };
}

export function outcomeOf(result: AgentOutcome): Partial<TaskSnapshot> & { status: TaskResult['status'] } {
  const common = { costMicros: result.costMicros, sessionId: result.sessionId, resultText: result.resultText };
  if (result.status === 'completed') return { ...common, status: 'succeeded' };
  if (result.status === 'cancelled') return { ...common, status: 'cancelled', error: result.error ?? 'cancelled' };
  return { ...common, status: 'failed', error: result.error ?? `the agent ${result.status === 'abandoned' ? 'was lost' : 'failed'}`, errorKind: 'agent-failed', errorHint: 'See the run log (grove runs) for what the agent said.' };
}
