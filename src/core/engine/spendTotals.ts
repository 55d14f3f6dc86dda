import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Running totals of the spend ledger (`<groveDir>/spend.jsonl`, one line per finished run,
 * written by the agent runner exactly once per run). The ledger only grows, so this reads
 * just the bytes added since the last look: checking the budget before every task stays
 * cheap after thousands of runs. A run id seen twice is counted once.
 */
export class SpendTotals {
  private offset = 0;
  private total = 0;
  private readonly runIds = new Set<string>();
  private readonly file: string;

  constructor(groveDir: string) {
    this.file = path.join(groveDir, 'spend.jsonl');
  }

  async read(): Promise<{ spentMicros: number; hasRun(runId: string): boolean }> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.reset();
        return this.view();
      }
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) this.reset(); // replaced by a shorter file: start over rather than miscount
      if (size > this.offset) {
        const buffer = Buffer.alloc(size - this.offset);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        const text = buffer.subarray(0, bytesRead).toString('utf8');
        // A line still being appended has no newline yet: leave it for the next read.
        const complete = text.lastIndexOf('\n') + 1;
        for (const line of text.slice(0, complete).split('\n')) this.count(line);
        this.offset += Buffer.byteLength(text.slice(0, complete), 'utf8');
      }
    } finally {
      await handle.close();
    }
    return this.view();
  }

  private count(line: string): void {
    if (!line.trim()) return;
    let entry: { runId?: unknown; costMicros?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return; // a torn line from a crash mid-append carries no trustworthy amount
    }
    if (typeof entry.runId !== 'string' || typeof entry.costMicros !== 'number' || !Number.isFinite(entry.costMicros)) return;
    if (this.runIds.has(entry.runId)) return;
    this.runIds.add(entry.runId);
    this.total += Math.max(0, Math.round(entry.costMicros));
  }

  private reset(): void {
    this.offset = 0;
    this.total = 0;
    this.runIds.clear();
  }

  private view(): { spentMicros: number; hasRun(runId: string): boolean } {
    const runIds = this.runIds;
    return { spentMicros: this.total, hasRun: (runId) => runIds.has(runId) };
  }
}
