import { promises as fs } from 'node:fs';
import { prefixedId } from '../util/ids';
import * as path from 'node:path';
import { GroveError } from '../errors';
import type { ProcessIdentity } from '../util/liveness';
import type { KeepWork, RunRecord } from './types';
import type { BlockedOn, StopMark } from './agentOutcome';
import type { StoredAgentSpec } from './agentRun';

/**
 * Everything about one run lives in `<groveDir>/runs/`, named by its id:
 * `<id>.json` (the registry entry, written atomically), `<id>.jsonl` (the agent's stdout),
 * `<id>.stderr`, and `<id>.prompt` (its stdin).
 */
export interface RunFiles {
  entry: string;
  log: string;
  stderr: string;
  prompt: string;
}

export function runsDir(groveDir: string): string {
  return path.join(groveDir, 'runs');
}

/** The ids of every run entry in runs/ (none when the folder does not exist yet). */
export async function listRunIds(groveDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(runsDir(groveDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
}

export function runFiles(groveDir: string, id: string): RunFiles {
  const base = path.join(runsDir(groveDir), id);
  return { entry: `${base}.json`, log: `${base}.jsonl`, stderr: `${base}.stderr`, prompt: `${base}.prompt` };
}

/** The registry entry on disk: the public record plus what finishing and reconciling need. */
export interface RunEntry extends Omit<RunRecord, 'agentKind' | 'blockedOn'> {
  version: 1;
  /** Absent on entries written before blocked runs kept what they wanted. */
  blockedOn?: BlockedOn | null;
  /** The command that was started (resolved path) and its arguments (long values shortened). */
  command: string;
  args: string[];
  /** The Grove process that started the run (informational: the run does not depend on it). */
  host: ProcessIdentity | null;
  /** Set before the group is signalled, so whoever records the run knows why it ended. */
  cancelRequestedAt: string | null;
  timedOutAt: string | null;
  /** Set by the engine that started the run (see StartRunOptions.keepWork); absent in older entries. */
  keepWork?: KeepWork | null;
  /** When the keep-the-work rule was applied to the run's worktree (by its engine, or by whoever recorded it). */
  workKeptAt?: string | null;
  /** Who started the run (StartRunOptions.origin); absent in entries of older versions. */
  origin?: string;
  /** Agent kind, meter and stall limit (absent on entries written before kinds: Claude, unmetered). */
  agent?: StoredAgentSpec;
  /** Grove stopped it for budget or a stall. */
  stoppedFor?: StopMark | null;
  costSource?: 'reported' | 'metered';
}

const RECORD_KEYS: Array<keyof RunEntry & keyof RunRecord> = ['id', 'taskId', 'slot', 'worktree', 'cwd', 'pid', 'pidStartTime', 'bootId', 'status',
  'sessionId', 'costMicros', 'usage', 'numTurns', 'subtype', 'durationMs', 'exitCode', 'stderrTail', 'resultText', 'error',
  'startedAt', 'endedAt', 'timeoutAt', 'maxBudgetMicros', 'blockedOn'];

export function toRecord(entry: RunEntry): RunRecord {
  const record = {} as Record<string, unknown>;
  for (const key of RECORD_KEYS) record[key] = entry[key] ?? null;
  record.agentKind = entry.agent?.kind ?? 'claude';
  return record as unknown as RunRecord;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function newRunId(now: Date): string {
  return prefixedId('run', now);
}

export function checkRunId(id: string): string {
  if (!RUN_ID.test(id) || id.includes('..')) {
    throw new GroveError('usage', `"${id}" is not a valid run id`, 'Run ids are letters, digits, ".", "_" and "-" (up to 100), starting with a letter or digit.');
  }
  return id;
}

/** Entries with an unknown shape are not ours to interpret: callers skip them. */
export function isRunEntry(value: unknown): value is RunEntry {
  const entry = value as Partial<RunEntry> | null;
  return typeof entry === 'object' && entry !== null && typeof entry.id === 'string' && typeof entry.status === 'string' && typeof entry.startedAt === 'string';
}

export const TERMINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'abandoned', 'blocked', 'stalled']);

export function isTerminal(entry: { status: string }): boolean {
  return TERMINAL.has(entry.status);
}
