import { promises as fs } from 'node:fs';
import * as path from 'node:path';

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

export const LEDGER_FILE_NAME = 'spend.jsonl';

export function ledgerPath(groveDir: string): string {
  return path.join(groveDir, LEDGER_FILE_NAME);
}

/** Every readable entry in order; a torn or foreign line (crash mid-append, hand edit) is skipped. */
export async function readLedger(groveDir: string): Promise<LedgerEntry[]> {
  return (await readLedgerFile(ledgerPath(groveDir))).entries;
}

export async function totalSpentMicros(groveDir: string): Promise<number> {
  let total = 0;
  for (const entry of await readLedger(groveDir)) total += entry.costMicros;
  return total;
}

export async function hasLedgerEntry(groveDir: string, runId: string): Promise<boolean> {
  return (await readLedger(groveDir)).some((entry) => entry.runId === runId);
}

/**
 * Appends the run's line unless the ledger already has one for its runId; returns whether it
 * wrote. Call it under the pool lock: the check and the append must not race another finisher.
 */
export async function appendSpend(groveDir: string, entry: LedgerEntry): Promise<boolean> {
  const file = ledgerPath(groveDir);
  const { entries, endsWithNewline } = await readLedgerFile(file);
  if (entries.some((existing) => existing.runId === entry.runId)) return false;
  // A line torn by a crash has no newline; starting a fresh line keeps this entry readable.
  const line = (endsWithNewline ? '' : '\n') + JSON.stringify(entry) + '\n';
  await fs.mkdir(groveDir, { recursive: true });
  const handle = await fs.open(file, 'a');
  try {
    await handle.write(line);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function readLedgerFile(file: string): Promise<{ entries: LedgerEntry[]; endsWithNewline: boolean }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], endsWithNewline: true };
    throw error;
  }
  const entries: LedgerEntry[] = [];
  for (const line of text.split('\n')) {
    const entry = parseEntry(line);
    if (entry) entries.push(entry);
  }
  return { entries, endsWithNewline: text.length === 0 || text.endsWith('\n') };
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
    return undefined;
  }
}
