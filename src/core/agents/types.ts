import type { AgentFlags } from './agentArgs';
import type { AgentKind } from './adapters/types';
import type { BlockedOn } from './agentOutcome';
import type { MicroPrice } from './prices';

export type { AgentFlags };

/** `starting`: the entry is written and the agent is being (or was) spawned; its pid is not recorded yet. `blocked`: the agent gave up on a denied tool or a question; `stalled`: no progress for the stall limit. */
export type RunStatus = 'starting' | 'active' | 'completed' | 'failed' | 'cancelled' | 'abandoned' | 'blocked' | 'stalled';

export interface StartRunOptions {
  /** The worktree (or any folder) the agent runs in. */
  cwd: string;
  /** Delivered on stdin, never as an argument: it may start with `-` and be any size. */
  prompt: string;
  /** Default 'claude' (see `agentCommandFrom` for the CLI flag / env / setting order). */
  agentCommand?: string;
  flags?: AgentFlags;
  taskId?: string;
  /** At most one active run per slot. */
  slot?: string;
  /** The pool worktree's name: at most one active run per worktree. */
  worktree?: string;
  /** Default 30 minutes. */
  timeoutMs?: number;
  /**
   * For a run in a pool worktree: who keeps the worktree when the agent leaves work in it, and
   * the commit it started at. Whoever records the run after its host died applies that rule.
   */
  keepWork?: KeepWork;
  /** Added to this process's environment for the agent. */
  env?: Record<string, string>;
  runId?: string;
  /** Which CLI (default claude); its command is `agentCommand` for Claude, else the kind's own (see adapters/commandForKind). */
  agentKind?: AgentKind;
  /** The price table metering uses (default: the shipped one). */
  prices?: Record<string, MicroPrice>;
  /** No progress event for this long stops the run as stalled (default 5 minutes; 0: never). */
  stallMs?: number;
  /** Who started it ("cli", "vscode:<window>"): lets every window say whose a run is. */
  origin?: string;
}

export interface KeepWork {
  holder: string;
  head: string | null;
}

export interface RunRecord {
  id: string;
  taskId: string | null;
  slot: string | null;
  worktree: string | null;
  cwd: string;
  /** The agent's pid, which is also its process group id (it runs detached). */
  pid: number | null;
  pidStartTime: string | null;
  bootId: string | null;
  status: RunStatus;
  sessionId: string | null;
  costMicros: number;
  usage: unknown | null;
  numTurns: number | null;
  subtype: string | null;
  durationMs: number | null;
  /** Null when no Grove process saw the agent exit (it was finished from its log afterwards). */
  exitCode: number | null;
  stderrTail: string[];
  resultText: string | null;
  error: string | null;
  startedAt: string;
  endedAt: string | null;
  timeoutAt: string | null;
  maxBudgetMicros: number | null;
  /** Which CLI ran it (entries from before agent kinds: claude). */
  agentKind: AgentKind;
  /** Set when it ended `blocked`: what it was denied or asked (Re-run Allowing… allows exactly that). */
  blockedOn: BlockedOn | null;
}

export type RunEvent =
  | { type: 'init'; sessionId: string }
  | { type: 'text'; text: string }
  | { type: 'finished'; record: RunRecord };

export interface RunHandle {
  readonly id: string;
  on(event: 'event', listener: (event: RunEvent) => void): void;
  off(event: 'event', listener: (event: RunEvent) => void): void;
  /** Resolves with the terminal record, once, whoever recorded it. */
  readonly done: Promise<RunRecord>;
  /** Kills the run's whole process group (TERM, then KILL after the grace period); resolves when it is recorded. */
  cancel(): Promise<void>;
  /** What is known now: session id as soon as the agent printed it, the terminal fields once done. */
  snapshot(): RunRecord;
  /**
   * Stops watching in this process without touching the run (it keeps running, detached; the
   * next reconcile finishes it). A host that is shutting down calls it so nothing keeps it alive.
   */
  detach(): void;
}
