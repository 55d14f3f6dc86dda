import type { AgentKind } from '../agents/adapters/types';
import type { BlockedOn } from '../agents/agentOutcome';

/**
 * A result: what one task, chain or fan-out variant left behind for a person to review. Stored
 * one file per result in `<grove dir>/results/<id>.json`, so every window and the CLI see the
 * same records; issue 11 (landing) builds on these shapes.
 */

export type ResultStatus = 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** Where the person is with it: `awaiting` review until discarded, kept (fan-out winner) or landed. */
export type ReviewState = 'awaiting' | 'kept' | 'discarded' | 'landed';

export type FileChangeKind = 'added' | 'modified' | 'deleted' | 'renamed';

export interface FileChange {
  path: string;
  /** The path on the base side for a rename; else the same as `path`. */
  oldPath: string;
  kind: FileChangeKind;
  /** Null for a binary file (git's numstat prints "-"). */
  added: number | null;
  removed: number | null;
  /** Not tracked by git in the worktree (a new file the agent did not `git add`). */
  untracked: boolean;
}

export interface CommitSummary {
  sha: string;
  subject: string;
}

/** Base commit → the worktree as it is now: committed, staged, unstaged and untracked work together. */
export interface ChangeSummary {
  files: FileChange[];
  added: number;
  removed: number;
  commits: CommitSummary[];
  untracked: string[];
  /** The worktree's HEAD when the summary was taken. */
  head: string;
  computedAt: string;
}

export interface ResultRun {
  runId: string | null;
  taskId: string;
  /** The chain step it ran for, or "continue" for a follow-up. */
  step: string | null;
  prompt: string;
  status: string;
  sessionId: string | null;
  costMicros: number;
  numTurns: number | null;
  durationMs: number | null;
  model: string | null;
  startedAt: string | null;
  endedAt: string | null;
  resultText: string | null;
  error: string | null;
  /** Which CLI ran it (absent in results recorded before agent kinds: claude). */
  agentKind?: AgentKind | null;
  /** What it was denied or asked when it ended blocked (see allowing.ts). */
  blockedOn?: BlockedOn | null;
}

export interface ResultWorktree {
  name: string;
  path: string;
  leaseId: string;
  holder: string;
}

export interface ReviewComment {
  id: string;
  /** Worktree-relative path. */
  file: string;
  /** 1-based line in the worktree's version of the file. */
  line: number;
  /** That line's text when the comment was made (the agent sees what the person saw). */
  lineText: string;
  body: string;
  createdAt: string;
}

/** A land as the result keeps it (issue 11: src/core/results/landResult.ts writes it). */
export interface ResultLanding {
  how: 'apply' | 'branch' | 'squash' | 'merge' | 'push';
  commit: string | null;
  branch: string | null;
  target: string | null;
  remote: string | null;
  pullRequestUrl: string | null;
  nextStep: string | null;
  snapshot: string;
  keptRef: string | null;
  at: string;
}

export interface ResultGroup {
  id: string;
  kind: 'fan-out';
  index: number;
  count: number;
}

export interface ResultRecord {
  version: 1;
  id: string;
  kind: 'task' | 'chain';
  /** The task that made it (the first one for a chain's steps; null for a chain). */
  taskId: string | null;
  chainRunId: string | null;
  group: ResultGroup | null;
  /** The prompt's first line, or "chain NAME": how views and notifications name it. */
  title: string;
  prompt: string;
  chain: { name: string; file: string; args: Record<string, string> } | null;
  status: ResultStatus;
  review: ReviewState;
  finalMessage: string | null;
  error: string | null;
  errorKind: string | null;
  runs: ResultRun[];
  costMicros: number;
  /** The leased worktree holding the work; null when the agent left nothing and it went back to the pool. */
  worktree: ResultWorktree | null;
  /** The worktree's name and path even when it was given back (for messages). */
  worktreeName: string | null;
  baseCommit: string | null;
  changes: ChangeSummary | null;
  /** Set when Discard parked the worktree's contents. */
  parkedRef: string | null;
  pendingComments: ReviewComment[];
  /** How and where it landed (issue 11); absent until then. */
  landed?: ResultLanding | null;
  createdAt: string;
  updatedAt: string;
}

/** The one-line change figure views show: "+12 −3 in 4 files". */
export function changeLine(changes: ChangeSummary | null): string {
  if (!changes || changes.files.length === 0) return 'no changes';
  const files = changes.files.length === 1 ? '1 file' : `${changes.files.length} files`;
  return `+${changes.added} −${changes.removed} in ${files}`;
}

/** The first non-empty line of a prompt, shortened: a task's name everywhere a person reads it. */
export function titleOf(prompt: string, max = 80): string {
  const line = prompt.split('\n').map((text) => text.trim()).find((text) => text !== '') ?? '(empty prompt)';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
