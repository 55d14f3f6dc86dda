import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { appendLine } from './atomicJson';

/**
 * The spend ledger: `<groveDir>/spend.jsonl`, one line per finished run, appended and never
 * rewritten. It is the only record of money spent, so it must neither lose nor double a run:
 * callers append under the pool lock, before the run's registry entry turns terminal, and
 * `appendSpend` skips a runId already present (a finisher that crashed between the two writes
 * is simply run again).
 */
export interface LedgerEntry {
  runId: string;
  taskId: string | null;
  slot: string | null;
  costMicros: number;
  status: string;
  /** ISO time the run was recorded. */
  at: string;
}

/** What the ledger says right now: the total (each runId counted once) and which runs it has. */
export interface LedgerView {
  spentMicros: number;
  hasRun(runId: string): boolean;
}

export const LEDGER_FILE_NAME = 'spend.jsonl';

export function ledgerPath(groveDir: string): string {
  return path.join(groveDir, LEDGER_FILE_NAME);
}

/** Every readable entry in order; a torn or foreign line (crash mid-append, hand edit) is skipped. */
export async function readLedger(groveDir: string): Promise<LedgerEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(ledgerPath(groveDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').map(parseEntry).filter((entry): entry is LedgerEntry => entry !== undefined);
}

/** What was spent: each runId counted once (its first line), however many recorders wrote one. */
export async function totalSpentMicros(groveDir: string): Promise<number> {
  let total = 0;
  const seen = new Set<string>();
  for (const entry of await readLedger(groveDir)) {
    if (seen.has(entry.runId)) continue;
    seen.add(entry.runId);
    total += Math.max(0, Math.round(entry.costMicros));
  }
  return total;
}

/**
 * Appends the run's line unless the ledger already has one for its runId; returns whether it
 * wrote. Call it under the pool lock: the check and the append must not race another finisher.
 */
export async function appendSpend(groveDir: string, entry: LedgerEntry): Promise<boolean> {
  const index = ledgerIndex(groveDir);
  if ((await index.read()).hasRun(entry.runId)) return false;
  await fs.mkdir(groveDir, { recursive: true });
  // A line torn by a crash has no newline; starting a fresh line keeps this entry readable.
  await appendLine(index.file, (index.endsWithNewline ? '' : '\n') + JSON.stringify(entry));
  return true;
}

const indices = new Map<string, LedgerIndex>();

/** This process's index of a ledger (one per file, shared by the runner and the budget). */
export function ledgerIndex(groveDir: string): LedgerIndex {
  const file = ledgerPath(groveDir);
  let index = indices.get(file);
  if (!index) indices.set(file, (index = new LedgerIndex(file)));
  return index;
}

/**
 * Running totals and run ids of the ledger. The ledger only grows, so each read takes just the
 * bytes added since the last one: checking the budget before every task, and the runId before
 * every append, stay cheap after thousands of runs. A run id seen twice is counted once.
 */
export class LedgerIndex {
  private offset = 0;
  private total = 0;
  private size = 0;
  private readonly runIds = new Set<string>();

  constructor(readonly file: string) {}

  /** Whether the file, as last read, ends with a complete line (false after a torn append). */
  get endsWithNewline(): boolean {
    return this.size === this.offset;
  }

  async read(): Promise<LedgerView> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.reset();
      return this.view();
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) this.reset(); // replaced by a shorter file: start over rather than miscount
      this.size = size;
      if (size > this.offset) {
        const buffer = Buffer.alloc(size - this.offset);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        // A line still being appended has no newline yet: leave it for the next read.
        const complete = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
        for (const line of buffer.subarray(0, complete).toString('utf8').split('\n')) this.count(parseEntry(line));
        this.offset += complete;
      }
    } finally {
      await handle.close();
    }
    return this.view();
  }

  private count(entry: LedgerEntry | undefined): void {
    if (!entry || this.runIds.has(entry.runId)) return;
    this.runIds.add(entry.runId);
    this.total += Math.max(0, Math.round(entry.costMicros));
  }

  private reset(): void {
    this.offset = 0;
    this.total = 0;
    this.size = 0;
    this.runIds.clear();
  }

  private view(): LedgerView {
    const runIds = this.runIds;
    return { spentMicros: this.total, hasRun: (runId) => runIds.has(runId) };
  }
}

function parseEntry(line: string): LedgerEntry | undefined {
  if (!line.trim()) return undefined;
  try {
    const value = JSON.parse(line) as Partial<LedgerEntry>;
    if (typeof value.runId !== 'string' || typeof value.costMicros !== 'number' || !Number.isFinite(value.costMicros)) return undefined;
    return {
      runId: value.runId,
      taskId: value.taskId ?? null,
      slot: value.slot ?? null,
      costMicros: value.costMicros,
      status: String(value.status ?? 'unknown'),
      at: String(value.at ?? ''),
    };
  } catch {
    return undefined; // a torn line from a crash mid-append carries no trustworthy amount
  }
}
