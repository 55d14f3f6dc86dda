import type { AgentSettings } from '../settings';

/** A chain as read from its file, validated. */
export interface ChainDefinition {
  name: string;
  description: string | null;
  /** Where it was read from (for messages and the panel). */
  file: string;
  arguments: ChainArgument[];
  /** `slot`: steps run on pool slots, carrying a worktree along only when a step leaves work in it; `worktree`: one fresh leased worktree for the whole chain. */
  isolation: 'slot' | 'worktree';
  /** Chain-wide setting overrides, under each step's own. */
  settings: AgentSettings;
  steps: ChainStep[];
}

export interface ChainArgument {
  name: string;
  description: string | null;
  required: boolean;
  default: string | null;
}

export interface ChainStep {
  name: string;
  /** The step's prompt text: the file's `prompt`, or the body of its skill's SKILL.md. */
  prompt: string;
  /** The skill's name and file when the step is a skill. */
  skill: string | null;
  skillFile: string | null;
  settings: AgentSettings;
  retries: number;
  recoveryPrompt: string | null;
}

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type ChainStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface StepProgress {
  name: string;
  index: number;
  status: StepStatus;
  startedAt: string | null;
  endedAt: string | null;
  /** All attempts of this step, recovery included. */
  costMicros: number;
  sessionId: string | null;
  retriesUsed: number;
  /** True when the recovery prompt saved the step. */
  recovered: boolean;
  /** The step's output: live partial text while running, the agent's result when done. */
  output: string;
  error: string | null;
  taskId: string | null;
  worktree: string | null;
}

export interface ChainRunSnapshot {
  id: string;
  name: string;
  file: string;
  args: Record<string, string>;
  isolation: 'slot' | 'worktree';
  status: ChainStatus;
  startedAt: string;
  endedAt: string | null;
  costMicros: number;
  /** The worktree holding the chain's work when it ended (leased to `holder`), if any. */
  worktree: { name: string; path: string; leaseId: string; holder: string } | null;
  error: string | null;
  /** Why it failed, as the CLI maps it to an exit code (budget, agent-failed, ...). */
  errorKind: string | null;
  steps: StepProgress[];
  /** The process running the chain; a `running` chain whose owner is dead reads as `interrupted`. */
  owner: { pid: number; startTime: string | null; bootId: string | null };
}
