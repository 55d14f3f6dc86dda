import type { AgentFlags } from '../agentArgs';
import type { AgentResult } from '../streamParser';

import { AGENT_KINDS, type AgentKind } from '../agentKind';

/** The agent CLIs Grove can run (defined apart, see agentKind.ts). */
export { AGENT_KINDS, type AgentKind };

/** Tokens of one usage increment (never a running total: adapters turn totals into deltas). */
export interface TokenUsage {
  /** Input tokens not read from the cache. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** A tool the agent wanted and was not allowed, in the CLI's own terms. */
export interface Denial {
  tool: string;
  input: unknown;
}

/**
 * The one event model every adapter parses its CLI's stream into. `usage` is an increment,
 * with `costMicros` only when the agent itself priced it; `result` is the agent's own verdict.
 */
export type AgentEvent =
  | { type: 'session'; sessionId: string; model: string | null }
  | { type: 'text'; text: string }
  | { type: 'toolStart'; id: string | null; name: string; input: unknown }
  | { type: 'toolEnd'; id: string | null; name: string | null; ok: boolean }
  | { type: 'fileChange'; path: string; change: 'add' | 'update' | 'delete' | 'unknown' }
  | { type: 'usage'; model: string | null; usage: TokenUsage; costMicros: number | null }
  | { type: 'needsInput'; kind: 'permission' | 'question'; tool: string | null; input: unknown; message: string }
  | { type: 'rateLimit'; resetAt: string | null; message: string }
  /** Non-fatal trouble the CLI reports while it retries (not progress: a run that only retries stalls). */
  | { type: 'notice'; message: string }
  | { type: 'result'; result: AdapterResult };

/** The agent's verdict: today's Claude result fields plus what the other CLIs add. */
export interface AdapterResult extends AgentResult {
  /** Dollars the agent reported for the whole run, in microdollars; null when it reports none. */
  reportedMicros: number | null;
  denials: Denial[];
  /** The agent's own words when it failed (its error message), else null. */
  errorText: string | null;
}

/** Events that show the agent is getting somewhere; anything else does not reset the stall clock. */
export function isProgress(event: AgentEvent): boolean {
  return event.type !== 'notice' && event.type !== 'rateLimit';
}

/** What an adapter's parser knows after reading a stream (all a finisher needs). */
export interface AgentLog {
  sessionId: string | null;
  model: string | null;
  result: AdapterResult | null;
  readableLines: number;
  unreadableLines: number;
  readonly lastUnreadable: string[];
  /** The last notice or error line in the agent's words (for a run that ended without a result). */
  lastNotice: string | null;
  needsInput: Extract<AgentEvent, { type: 'needsInput' }>[];
  rateLimit: Extract<AgentEvent, { type: 'rateLimit' }> | null;
  push(chunk: Buffer | string): AgentEvent[];
  end(): AgentEvent[];
}

export interface BuildArgsInput {
  flags: AgentFlags;
}

/** How a CLI's run is started: its argv after the command, and whether the prompt goes on stdin. */
export interface BuiltArgs {
  args: string[];
  /** Every adapter Grove ships reads the prompt from stdin (never an argument: no 128 KiB cap, no flag parsing). */
  promptOn: 'stdin';
}

export interface AgentAdapter {
  readonly kind: AgentKind;
  readonly defaultCommand: string;
  /** Whether the CLI reports its own dollars (the ledger keeps its figure) or Grove meters tokens. */
  readonly cost: 'reported' | 'metered';
  /** Whether the CLI enforces a dollar cap of its own (Claude's --max-budget-usd). */
  readonly ownCap: boolean;
  buildArgs(input: BuildArgsInput): BuiltArgs;
  createLog(): AgentLog;
  /** The agent's failure, in its own words where it printed any, for an exit without a result. */
  describeExit(exitCode: number | null, stderrTail: string[], log: AgentLog): string | null;
  /**
   * Tools the CLI said on stderr only that it refused (OpenCode's auto-rejected permissions):
   * stdout is the stream the log reads, so the outcome asks here with the stderr tail.
   */
  stderrDenials?(stderrTail: string[]): Denial[];
  /** How to start this kind again with the denied tools allowed (Re-run Allowing…), in its own terms. */
  allowFlags(denials: Denial[]): AgentFlags;
}
