import type * as vscode from 'vscode';
import type { RunRegistry } from '../core/agents/runRegistry';
import { residentByGroup } from '../core/ready/memory';

const EVERY_MS = 5_000;

/**
 * The resident memory of each running agent (its process group, from /proc), for the Slots
 * view. Memory moves without any event, so this is the one thing the view samples: every 5
 * seconds, and only while some slot runs an agent.
 */
export class SlotMemory implements vscode.Disposable {
  private readonly byRun = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private sampling = false;

  constructor(private readonly registry: RunRegistry, private readonly runningRuns: () => string[], private readonly changed: () => void) {
    this.timer = setInterval(() => void this.sample(), EVERY_MS);
    this.timer.unref?.();
  }

  /** Bytes resident for a run at the last sample, or null. */
  of(runId: string | null): number | null {
    return runId ? this.byRun.get(runId) ?? null : null;
  }

  private async sample(): Promise<void> {
    const runIds = this.runningRuns();
    if (this.sampling || (runIds.length === 0 && this.byRun.size === 0)) return;
    this.sampling = true;
    try {
      const records = (await Promise.all(runIds.map((id) => this.registry.get(id)))).filter((record) => record?.pid);
      const totals = await residentByGroup(new Set(records.map((record) => record!.pid!)));
      this.byRun.clear();
      for (const record of records) {
        const bytes = totals.get(record!.pid!);
        if (bytes !== undefined) this.byRun.set(record!.id, bytes);
      }
      this.changed();
    } finally {
      this.sampling = false;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
