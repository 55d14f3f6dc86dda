import type { LeftWork } from './types';

/**
 * The two things the engine needs from the rest of core, as small interfaces: the worktree
 * pool (src/core/pool) and the agent runner (src/core/agents) plug in through adapters.ts;
 * tests of the scheduling logic alone can plug in fakes.
 */

export interface ReservedWorktree {
  name: string;
  path: string;
  reservationId: string;
  /** The commit the task starts at (commits after it are its work); null when unknown. */
  head?: string | null;
}

export interface WorktreeProvider {
  /** Reserve a worktree for one task: any available one, or `worktree` by name (inside its lease when `leaseId`). */
  reserve(o: { owner: string; worktree?: string; leaseId?: string }): Promise<ReservedWorktree>;
  /** End the reservation; work left in the worktree is kept under a durable lease held by `holderIfWorkLeft`. */
  release(o: { name: string; reservationId: string; holderIfWorkLeft: string }): Promise<LeftWork | null>;
  /** The lease id of a leased worktree, or null. */
  leaseIdOf(name: string): Promise<string | null>;
  /** A fresh worktree leased for a whole chain (chain isolation `worktree`). */
  lease(o: { holder: string }): Promise<{ name: string; path: string; leaseId: string }>;
  /** Give a chain's lease back when it holds no work; keep it (and return false) when it does. */
  returnIfClean(o: { name: string; leaseId: string }): Promise<boolean>;
}

/** The agent CLI's flags the engine resolves: the runner's own type, so the two cannot drift. */
import type { AgentFlags } from '../agents/agentArgs';
export type { AgentFlags };

export interface AgentLaunch {
  runId: string;
  cwd: string;
  prompt: string;
  flags: AgentFlags;
  taskId: string;
  slot: string;
  worktree: string;
  timeoutMs?: number;
  agentCommand?: string;
  env?: Record<string, string>;
  /** Who keeps the worktree if the agent leaves work, and where it started: for whoever records the run if this engine dies. */
  keepWork?: { holder: string; head: string | null };
}

export type AgentRunEvent = { type: 'session'; sessionId: string } | { type: 'text'; text: string };

export interface AgentOutcome {
  status: 'completed' | 'failed' | 'cancelled' | 'abandoned';
  costMicros: number;
  sessionId: string | null;
  resultText: string | null;
  error: string | null;
}

export interface AgentRun {
  readonly id: string;
  onEvent(listener: (event: AgentRunEvent) => void): void;
  readonly done: Promise<AgentOutcome>;
  cancel(): Promise<void>;
}

export interface AgentLauncher {
  start(o: AgentLaunch): Promise<AgentRun>;
  /** The pool worktree where a session started, or null if no run of it is known. */
  sessionWorktree(sessionId: string): Promise<string | null>;
  /** For the budget: is this run still going (its agent may still spend)? */
  runState(runId: string): Promise<'active' | 'terminal' | 'missing'>;
  /** This engine released the run's worktree under the keep-the-work rule: nobody else has to. */
  workKept?(runId: string): Promise<void>;
  /** Finish runs whose host died (their cost into the ledger, exactly once); re-attach live ones. */
  reconcile(): Promise<void>;
  /** Stop watching runs this process adopted (they run on, detached); called when the engine closes. */
  close?(): void;
}
