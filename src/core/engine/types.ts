import type { GroveErrorKind } from '../errors';
import type { AgentSettings } from './settings';

/** What a caller asks the engine to do. */
export interface TaskSpec {
  prompt: string;
  /** Task-level settings, applied over the global and the slot's. */
  settings?: AgentSettings;
  /** Extra context key/values for this task only (merged over the engine's shared context). */
  context?: Record<string, string>;
  /**
   * Continue this agent session (`--resume`). The task then runs in the worktree where the
   * session started; a slot never resumes a session on its own.
   */
  resumeSession?: string;
  /** Run in this pool worktree (by name) instead of any available one: a chain's own worktree, or a result's when continuing its session. */
  worktree?: string;
  /** The lease id when `worktree` is leased (a chain with `worktree` isolation holds one). */
  leaseId?: string;
  /** Shown in views: "chain fix-bug / step test". */
  label?: string;
  /** Who keeps the worktree if the agent leaves work in it (default `grove:task-<id>`). */
  holderIfWorkLeft?: string;
  /** The work this task is part of: a fan-out's `fanout-…` id or a chain run's id (results group by it). */
  group?: string;
}

export type TaskStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled'];

/** A worktree that the agent left changes or commits in: kept under a lease for a person. */
export interface LeftWork {
  name: string;
  path: string;
  leaseId: string;
  holder: string;
}

export interface TaskSnapshot {
  id: string;
  label: string | null;
  prompt: string;
  status: TaskStatus;
  slot: string | null;
  worktree: string | null;
  worktreePath: string | null;
  runId: string | null;
  sessionId: string | null;
  costMicros: number;
  /** What the task may spend (its budget reservation), null without a cap. */
  budgetMicros: number | null;
  queuedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  resultText: string | null;
  error: string | null;
  /** Set when the task failed for a reason the CLI maps to an exit code (budget, agent-failed...). */
  errorKind: GroveErrorKind | null;
  errorHint: string | null;
  leftWork: LeftWork | null;
  /** `TaskSpec.group`: the fan-out or chain this task belongs to. */
  group?: string | null;
}

/** The settled outcome of a task (`run`, `result`, `fanOut`). */
export type TaskResult = TaskSnapshot & { status: 'succeeded' | 'failed' | 'cancelled' };

export type SlotState = 'idle' | 'busy' | 'stopping';

export interface SlotSnapshot {
  name: string;
  state: SlotState;
  taskId: string | null;
  worktree: string | null;
  costMicros: number;
  tasksDone: number;
}
