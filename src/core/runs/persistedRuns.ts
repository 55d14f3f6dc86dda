import { promises as fs } from 'node:fs';
import { isRunEntry, listRunIds, runFiles } from '../agents/runFiles';
import { readJson } from '../store/atomicJson';
import type { LedgerEntry } from '../store/spendLedger';

/**
 * What every window can read back about runs from disk alone, so a reloaded window and a
 * second window show the same thing: each run's entry (`runs/<id>.json`, with who started it),
 * its label (the first line of `runs/<id>.prompt`) and what each slot spent (the ledger).
 * Read-only: nothing here writes or locks.
 */
export interface PersistedRun {
  id: string;
  taskId: string | null;
  slot: string | null;
  worktree: string | null;
  status: string;
  costMicros: number;
  startedAt: string;
  endedAt: string | null;
  error: string | null;
  /** "cli", "vscode:<window>", or null for entries of older versions. */
  origin: string | null;
  /** The first line of the prompt, or null when the prompt file is gone. */
  label: string | null;
}

const LABEL_BYTES = 4096;

export class RunHistory {
  /** Prompts never change once written: their labels are read once. */
  private readonly labels = new Map<string, string | null>();

  constructor(private readonly groveDir: string) {}

  async runs(): Promise<PersistedRun[]> {
    const ids = await listRunIds(this.groveDir);
    const runs = await Promise.all(ids.map((id) => this.run(id)));
    return runs.filter((run): run is PersistedRun => run !== null).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  async run(id: string): Promise<PersistedRun | null> {
    const read = await readJson<unknown>(runFiles(this.groveDir, id).entry).catch(() => null);
    if (!read || read.kind !== 'ok' || !isRunEntry(read.value)) return null;
    const entry = read.value;
    return {
      id: entry.id, taskId: entry.taskId ?? null, slot: entry.slot ?? null, worktree: entry.worktree ?? null, status: entry.status,
      costMicros: entry.costMicros ?? 0, startedAt: entry.startedAt, endedAt: entry.endedAt ?? null, error: entry.error ?? null,
      origin: typeof entry.origin === 'string' ? entry.origin : null, label: await this.label(entry.id),
    };
  }

  async label(runId: string): Promise<string | null> {
    if (this.labels.has(runId)) return this.labels.get(runId)!;
    const label = await readFirstLine(runFiles(this.groveDir, runId).prompt);
    if (label !== null) this.labels.set(runId, label);
    return label;
  }

  /** Task id to label, for the panel's per-task list. */
  async taskLabels(): Promise<Map<string, string>> {
    const labels = new Map<string, string>();
    for (const run of await this.runs()) if (run.taskId && run.label) labels.set(run.taskId, run.label);
    return labels;
  }
}

/** What each slot has spent and how many runs it finished, from the ledger: the same in every window. */
export function spendBySlot(ledger: readonly LedgerEntry[]): Map<string, { micros: number; runs: number }> {
  const bySlot = new Map<string, { micros: number; runs: number }>();
  for (const entry of ledger) {
    if (!entry.slot) continue;
    const total = bySlot.get(entry.slot) ?? { micros: 0, runs: 0 };
    total.micros += entry.costMicros;
    total.runs += 1;
    bySlot.set(entry.slot, total);
  }
  return bySlot;
}

async function readFirstLine(file: string): Promise<string | null> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const buffer = Buffer.alloc(LABEL_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, LABEL_BYTES, 0);
    const line = buffer.subarray(0, bytesRead).toString('utf8').split('\n').map((text) => text.trim()).find((text) => text !== '');
    return line ?? null;
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
