import { promises as fs } from 'node:fs';
import { agentOutcome } from './agentOutcome';
import { parseAgentLog, type StoredAgentSpec } from './agentRun';
import type { AgentLog } from './adapters/types';
import type { CostMeter } from './meter';
import type { RunEntry } from './runFiles';
import type { RunStatus } from './types';

/** What the process that saw the agent end knows beyond the log (nothing, for a reconciler). */
export interface ExitObservation {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export const NOT_OBSERVED: ExitObservation = { exitCode: null, signal: null };

export const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_BYTES = 16 * 1024;

/** The fields a finished run gets, decided from its log, its entry's kill marks and the exit. */
export function decideOutcome(entry: RunEntry, parsed: ParsedLog, exit: ExitObservation, stderrTail: string[]): Partial<RunEntry> & { status: RunStatus } {
  const { log } = parsed;
  // Agent kinds (adapters/): cost reported or metered, blocked, stalled, stopped for budget.
  const kind = agentOutcome({ spec: entry.agent, stoppedFor: entry.stoppedFor, log, meter: parsed.meter, exitCode: exit.exitCode, stderrTail, startedAt: entry.startedAt });
  const common = {
    sessionId: log.result?.sessionId ?? log.sessionId ?? entry.sessionId,
    exitCode: exit.exitCode,
    stderrTail,
  };
  const result = log.result;
  if (result) {
    // The agent finished and said how; a cancel or timeout that came after that changes nothing.
    const decided = {
      ...common,
      status: result.success ? 'completed' as const : 'failed' as const,
      costMicros: result.costMicros,
      usage: result.usage,
      numTurns: result.numTurns,
      subtype: result.subtype,
      durationMs: result.durationMs,
      resultText: result.resultText,
      error: result.success ? null : `the agent reported an error (${result.subtype ?? 'no subtype'}): ${result.resultText ?? describeSubtype(result.subtype)}`,
    };
    return { ...decided, ...kind };
  }
  if (kind.status) return { ...common, ...kind, status: kind.status };
  const spent = { costMicros: kind.costMicros, costSource: kind.costSource };
  if (entry.cancelRequestedAt) return { ...common, ...spent, status: 'cancelled', error: 'cancelled' };
  if (entry.timedOutAt) {
    const minutes = entry.timeoutAt ? (Date.parse(entry.timeoutAt) - Date.parse(entry.startedAt)) / 60_000 : NaN;
    return { ...common, ...spent, status: 'failed', error: `timed out after ${Number.isFinite(minutes) ? `${+minutes.toFixed(2)} min` : 'its time limit'}: the run's processes were killed` };
  }
  const why = missingResultReason(log, stderrTail);
  if (exit.exitCode === null && exit.signal === null) {
    return { ...common, ...spent, status: 'abandoned', error: `the agent ended while no Grove process was watching, and ${why}` };
  }
  return { ...common, ...spent, status: 'failed', error: kind.error ?? `the agent ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`} and ${why}` };
}

function missingResultReason(log: AgentLog, stderrTail: string[]): string {
  const parts: string[] = [];
  if (log.readableLines === 0 && log.unreadableLines === 0) parts.push('printed nothing');
  else if (log.unreadableLines > 0) {
    parts.push(`its output has no result line (${log.unreadableLines} unreadable line${log.unreadableLines === 1 ? '' : 's'}, last: ${JSON.stringify(log.lastUnreadable.at(-1))})`);
  } else parts.push('its output ended without a result line');
  const lastStderr = stderrTail.at(-1);
  if (lastStderr) parts.push(`stderr: ${lastStderr}`);
  return parts.join('; ');
}

function describeSubtype(subtype: string | null): string {
  switch (subtype) {
    case 'error_max_turns': return 'it reached --max-turns';
    case 'error_max_budget_usd': return 'it reached --max-budget-usd';
    case 'error_during_execution': return 'it failed during execution';
    default: return 'no message';
  }
}

/** The agent's whole stdout, parsed; a missing log (it never started) is an empty one. */
export type ParsedLog = { log: AgentLog; meter: CostMeter };

export async function parseLogFile(file: string, spec?: StoredAgentSpec | null): Promise<ParsedLog> {
  try {
    return parseAgentLog(await fs.readFile(file), spec);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return parseAgentLog('', spec);
    throw error;
  }
}

/** The last lines of the agent's stderr (read from the end: it may be large). */
export async function readStderrTail(file: string, lines = STDERR_TAIL_LINES): Promise<string[]> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, STDERR_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    const all = text.split(/\r?\n/).map((line) => line.trimEnd()).filter((line) => line.length > 0);
    // The first line may be cut by the byte window.
    if (size > length) all.shift();
    return all.slice(-lines);
  } finally {
    await handle.close();
  }
}
