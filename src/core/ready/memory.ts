import { promises as fs } from 'node:fs';
import { procPids, statFieldsAfterName } from '../util/procfs';

/**
 * Memory, from /proc (Linux): what each running agent's process group holds resident, and
 * whether the machine has room for one more. Each agent CLI takes hundreds of MB (the Claude
 * CLI measured 289 MB peak before doing any work, see BENCHMARKS.md), and ten of them can push a
 * machine into swap or the OOM killer; a queued task waits instead.
 */

/** Bytes available for new work (MemAvailable), or null where it cannot be read (not Linux). */
export type AvailableMemoryReader = () => Promise<number | null>;

export const procMemAvailable: AvailableMemoryReader = async () => {
  const text = await fs.readFile('/proc/meminfo', 'utf8').catch(() => null);
  const kb = text === null ? null : /^MemAvailable:\s+(\d+)\s+kB/m.exec(text)?.[1];
  return kb ? Number(kb) * 1024 : null;
};

/**
 * Resident bytes of every process in a process group (an agent run is its own group: setsid),
 * from each member's VmRSS; null when no process of the group is left (or no /proc).
 */
export async function groupResidentBytes(pgid: number): Promise<number | null> {
  const totals = await residentByGroup(new Set([pgid]));
  return totals.get(pgid) ?? null;
}

/** The same for many groups in one pass over /proc. */
export async function residentByGroup(pgids: Set<number>): Promise<Map<number, number>> {
  const totals = new Map<number, number>();
  if (pgids.size === 0) return totals;
  for (const pid of (await procPids()) ?? []) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (stat === null) continue;
    const group = Number(statFieldsAfterName(stat)[2]);
    if (!pgids.has(group)) continue;
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    totals.set(group, (totals.get(group) ?? 0) + (kb ? Number(kb) * 1024 : 0));
  }
  return totals;
}

/**
 * Default for `grove.slots.minFreeMemoryGb`: 1 GB. One more Claude CLI takes about 0.3 GB
 * resident before any work, and its tools (a test run, a build, a language server) take as
 * much again or more; below 1 GB available the next agent would push the machine into swap.
 * 0 turns the check off.
 */
export const DEFAULT_MIN_FREE_MEMORY_GB = 1;

export interface MemoryGateOptions {
  minFreeGb?: number;
  read?: AvailableMemoryReader;
}

/** Decides whether the next queued task may start: not while available memory is below the threshold. */
export class MemoryGate {
  private readonly minFreeBytes: number;
  private readonly read: AvailableMemoryReader;

  constructor(options: MemoryGateOptions = {}) {
    const gb = options.minFreeGb ?? DEFAULT_MIN_FREE_MEMORY_GB;
    this.minFreeBytes = Number.isFinite(gb) && gb > 0 ? gb * 1e9 : 0;
    this.read = options.read ?? procMemAvailable;
  }

  private readonly starts: number[] = [];

  /** Null when a task may start; else why it waits, in words for the Slots view ("waiting for memory (1.2 GB free)"). */
  async waitReason(now = Date.now()): Promise<string | null> {
    if (this.minFreeBytes === 0) return null;
    const read = await this.read().catch(() => null);
    if (read === null) return null;
    // Agents started moments ago have not grown yet: count what they will take, or one pump admits ten at once.
    while (this.starts.length && now - this.starts[0] > STARTUP_WINDOW_MS) this.starts.shift();
    const available = read - this.starts.length * AGENT_STARTUP_BYTES;
    if (available >= this.minFreeBytes) return null;
    return `waiting for memory (${(Math.max(0, read) / 1e9).toFixed(1)} GB free, ${(this.minFreeBytes / 1e9).toFixed(1)} GB wanted)`;
  }

  /**
   * The engine's one call before admitting a queued task: true (and the task marked waiting,
   * `changed` told when that flips) while memory is short; false, and the start counted, when it may go.
   */
  async holdBack(task: { waitingFor?: string | null }, changed: () => void): Promise<boolean> {
    const reason = await this.waitReason();
    const flipped = (reason === null) !== (task.waitingFor == null);
    task.waitingFor = reason;
    if (flipped) changed();
    if (reason === null && this.minFreeBytes > 0) this.starts.push(Date.now());
    return reason !== null;
  }
}

/** What one agent CLI takes resident at start (the Claude CLI measured 289 MB), and how long until /proc shows it. */
const AGENT_STARTUP_BYTES = 300e6;
const STARTUP_WINDOW_MS = 3_000;

/** Adds `residentBytes` (its process group's, now) to each active run; null for the others and where /proc cannot tell. */
export async function withResidentMemory<T extends { pid: number | null; status: string }>(runs: T[]): Promise<(T & { residentBytes: number | null })[]> {
  const groups = new Set(runs.filter((run) => run.status === 'active' && run.pid).map((run) => run.pid as number));
  const totals = await residentByGroup(groups);
  return runs.map((run) => ({ ...run, residentBytes: run.status === 'active' && run.pid ? totals.get(run.pid) ?? null : null }));
}
