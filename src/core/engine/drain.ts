import type { BudgetStatus } from './budget';
import { isTerminal } from './taskOutcome';
import type { TaskResult, TaskSnapshot } from './types';

export interface DrainReport {
  tasks: { total: number; succeeded: number; failed: number; cancelled: number };
  /** What this engine's tasks cost. */
  spentMicros: number;
  budget: BudgetStatus;
  errors: { taskId: string; error: string }[];
  timedOut: boolean;
}

/**
 * Waits for the given tasks (at most `timeoutMs`, then cancels what still runs) and reports what
 * they did and cost. The engine stops intake around it and takes tasks again once this returns.
 */
export async function drainReport(
  tasks: { snapshot: TaskSnapshot; settled: Promise<TaskResult> }[],
  o: { timeoutMs?: number; cancel: (taskId: string) => Promise<unknown>; budget: () => Promise<BudgetStatus> },
): Promise<DrainReport> {
  const everything = Promise.all(tasks.map((task) => task.settled)).then(() => false);
  let timedOut = false;
  if (o.timeoutMs !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), o.timeoutMs)));
    timedOut = await Promise.race([everything, timeout]);
    clearTimeout(timer);
    if (timedOut) await Promise.all(tasks.filter((task) => !isTerminal(task.snapshot)).map((task) => o.cancel(task.snapshot.id).catch(() => undefined)));
  } else {
    await everything;
  }
  const snapshots = tasks.map((task) => task.snapshot);
  const count = (status: string) => snapshots.filter((task) => task.status === status).length;
  return {
    tasks: { total: snapshots.length, succeeded: count('succeeded'), failed: count('failed'), cancelled: count('cancelled') },
    spentMicros: snapshots.reduce((total, task) => total + task.costMicros, 0),
    budget: await o.budget(),
    errors: snapshots.filter((task) => task.error && task.status === 'failed').map((task) => ({ taskId: task.id, error: task.error as string })),
    timedOut,
  };
}
